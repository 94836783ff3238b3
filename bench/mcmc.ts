// MCMC benchmarks: ESS per second of `infer nuts` (default settings: 4 chains x 1000 warmup +
// 1000 draws) on eight schools (non-centred), kidiq (kidscore_momiq) and a 100-d Bayesian logistic
// regression (N = 500, D = 100, w ~ Normal(0, 1)), beside:
//   - VI's time to its plateau on the same program (`infer vi(guide = full_rank)`, default tol),
//     the time a user waits for a (approximate) answer;
//   - Stan (rstan, Debian's r-cran-rstan; bench/peers/stan_nuts.R) with the same model, data and
//     settings, one core, compile time excluded, when Rscript and rstan are installed;
//   - a per-gradient-cost peer: static HMC hand-written in PyTorch (bench/peers/torch_hmc.py,
//     float64, one thread, fixed step size and path length), gradient evaluations per second beside
//     Proxima's (its `gradients` over its wall time, sampler included). Not an ESS comparison.
// ESS/s is the smallest bulk ESS over the parameters divided by the run's time, warmup included
// (Proxima: wall time of the run; Stan: its reported warmup + sampling time). Proxima runs in one
// thread (threads = 1) so both use one core; a second row gives Proxima's threaded time.
// Runs alternate Proxima / Stan / PyTorch, REPS times each (MCMC_REPS overrides it); medians are reported.
// MCMC_CASES=word,word runs only the cases whose names contain one of the words. Each case's rows
// are printed as soon as it ends (a long run shows what it has).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run as runProgram } from '../index.js';
import { median, type BenchRow } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const REPS = Number(process.env.MCMC_REPS) || 3;
const ONLY = (process.env.MCMC_CASES ?? '').split(',').filter(Boolean);

function logregData() {
  let s = 20250101;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const N = 500;
  const D = 100;
  const w = Array.from({ length: D }, gauss);
  const X = Array.from({ length: N }, () => Array.from({ length: D }, () => gauss() / Math.sqrt(D)));
  const y = X.map((x) => (rnd() < 1 / (1 + Math.exp(-x.reduce((a, v, j) => a + v * w[j]!, 0))) ? 1 : 0));
  return { N, D, X, y };
}

interface Case {
  name: string;
  program: (infer: string) => string;
  data: Record<string, unknown>;
  stan: string;
  /** torch_hmc.py's model name and its fixed step size (leapfrog steps: TORCH_STEPS). */
  torch: { model: string; stepsize: number };
}

const TORCH_ITERS = 200;
const TORCH_STEPS = 10;

const kidiq = JSON.parse(
  (await import('node:fs')).readFileSync(
    join(here, '..', 'examples/posteriordb/kidiq-kidscore_momiq/data.json'),
    'utf8',
  ),
) as Record<string, unknown>;

const CASES: Case[] = [
  {
    name: 'eight schools (non-centred)',
    program: (infer) => `data { J: int; y: real[J]; sigma: real[J] > 0 }
param { mu: real; tau: real > 0; eta: real[J] }
model {
  mu ~ Normal(0, 5)
  tau ~ Cauchy(0, 5)
  eta ~ Normal(0, 1)
  y ~ Normal(mu + tau * eta, sigma)
}
${infer}
`,
    data: { J: 8, y: [28, 8, -3, 7, -1, 1, 18, 12], sigma: [15, 10, 16, 11, 9, 11, 10, 18] },
    stan: 'eight_schools_nc.stan',
    torch: { model: 'eight_schools', stepsize: 0.2 },
  },
  {
    name: 'kidiq (kidscore_momiq)',
    program: (infer) => `data { N: int; kid_score: real[N]; mom_iq: real[N] }
param { beta: real[2]; sigma: real > 0 }
model {
  sigma ~ Cauchy(0, 2.5)
  kid_score ~ Normal(beta[0] + beta[1] * mom_iq, sigma)
}
${infer}
`,
    data: { N: kidiq.N, kid_score: kidiq.kid_score, mom_iq: kidiq.mom_iq },
    stan: 'kidiq_momiq.stan',
    torch: { model: 'kidiq', stepsize: 0.001 },
  },
  {
    name: 'logistic regression D = 100',
    program: (infer) => `data { N: int; D: int; X: real[N, D]; y: int[N] }
param w: real[D]
model {
  w ~ Normal(0, 1)
  y ~ Bernoulli(logits = X @ w)
}
${infer}
`,
    data: logregData(),
    stan: 'logreg100.stan',
    torch: { model: 'logreg', stepsize: 0.05 },
  },
];

let rAvailable: boolean | null = null;
function stanAvailable(): boolean {
  if (rAvailable === null) {
    rAvailable = spawnSync('Rscript', ['-e', 'library(rstan); library(posterior)'], { stdio: 'ignore' }).status === 0;
    if (!rAvailable)
      console.log(
        '  (Stan peer skipped: Rscript with rstan and posterior not found; apt-get install r-cran-rstan r-cran-posterior)',
      );
  }
  return rAvailable;
}

function stan(c: Case, dir: string, seed: number): { seconds: number; ess: number } | null {
  if (!stanAvailable()) return null;
  const file = join(dir, `${c.stan}.json`);
  writeFileSync(file, JSON.stringify(c.data));
  const r = spawnSync('Rscript', [join(here, 'peers/stan_nuts.R'), join(here, 'peers', c.stan), file, String(seed)], {
    encoding: 'utf8',
    timeout: 3_600_000,
  });
  if (r.status !== 0) {
    console.log(`  (Stan peer failed on ${c.name}: ${r.stderr.trim().split('\n').pop()})`);
    return null;
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number; ess_bulk_min: number };
  return { seconds: out.seconds, ess: out.ess_bulk_min };
}

let torchAvailable: boolean | null = null;
/** PyTorch's gradient evaluations per second on the case (static HMC, fixed step size and path length). */
function torchHmc(c: Case, dir: string): { gradsPerS: number; accept: number; version: string } | null {
  if (torchAvailable === null) {
    torchAvailable = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
    if (!torchAvailable) console.log('  (PyTorch peer skipped: /usr/bin/python3 cannot import torch)');
  }
  if (!torchAvailable) return null;
  const file = join(dir, `${c.torch.model}.json`);
  writeFileSync(file, JSON.stringify(c.data));
  const args = [c.torch.model, file, TORCH_ITERS, c.torch.stepsize, TORCH_STEPS].map(String);
  const r = spawnSync('/usr/bin/python3', [join(here, 'peers/torch_hmc.py'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`  (PyTorch peer failed on ${c.name}: ${r.stderr.trim().split('\n').pop()})`);
    return null;
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    grads_per_s: number;
    accept: number;
    version: string;
  };
  return { gradsPerS: out.grads_per_s, accept: out.accept, version: out.version };
}

async function proxima(c: Case, seed: number, threads: number) {
  const r = await runProgram(
    { file: 'bench.opt', source: c.program('infer nuts') },
    { data: c.data, seed, ...(threads ? { threads } : {}) },
  );
  const seconds = r.time_ms / 1000;
  return {
    seconds,
    ess: r.diagnostics.ess_bulk_min as number,
    gradsPerS: (r.diagnostics.gradients as number) / seconds,
    backend: r.backend,
    status: r.status,
  };
}

async function viPlateau(c: Case) {
  const r = await runProgram({ file: 'bench.opt', source: c.program('infer vi(guide = full_rank)') }, { data: c.data });
  return { seconds: r.time_ms / 1000, steps: r.steps, status: r.status };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'proxima-mcmc-'));
  for (const c of CASES) {
    if (ONLY.length && !ONLY.some((w) => c.name.includes(w))) continue;
    const before = rows.length;
    const ours: { seconds: number; ess: number; gradsPerS: number }[] = [];
    const peer: { seconds: number; ess: number }[] = [];
    const torch: { gradsPerS: number; accept: number; version: string }[] = [];
    let backend = '';
    for (let rep = 0; rep < REPS; rep++) {
      const p = await proxima(c, rep + 1, 1);
      backend = p.backend;
      ours.push(p);
      const s = stan(c, dir, rep + 1);
      if (s) peer.push(s);
      const t = torchHmc(c, dir);
      if (t) torch.push(t);
    }
    const ourGrads = median(ours.map((o) => o.gradsPerS));
    rows.push({
      name: `${c.name}: gradient evaluations, 1 thread`,
      unit: 'grad/s',
      value: ourGrads,
      ...(torch.length
        ? { peer: `PyTorch ${torch[0]!.version} static HMC`, ratio: ourGrads / median(torch.map((t) => t.gradsPerS)) }
        : {}),
      note: `Proxima: NUTS's gradients over its wall time${torch.length ? `; PyTorch ${median(torch.map((t) => t.gradsPerS)).toFixed(0)} grad/s (float64, 1 thread, ${TORCH_ITERS} x ${TORCH_STEPS} leapfrog steps of ${c.torch.stepsize}, acceptance ${median(torch.map((t) => t.accept)).toFixed(2)})` : ''}`,
    });
    const threaded = await proxima(c, 1, 0);
    const essPerS = median(ours.map((o) => o.ess / o.seconds));
    const stanEssPerS = peer.length ? median(peer.map((o) => o.ess / o.seconds)) : undefined;
    rows.push({
      name: `${c.name}: nuts, 1 thread`,
      unit: 'ESS/s',
      value: essPerS,
      ...(stanEssPerS !== undefined ? { peer: 'Stan 2.21 (rstan)', ratio: essPerS / stanEssPerS } : {}),
      note: `backend ${backend}; median ${median(ours.map((o) => o.seconds)).toFixed(2)} s, min bulk ESS ${median(ours.map((o) => o.ess)).toFixed(0)}${stanEssPerS !== undefined ? `; Stan ${median(peer.map((o) => o.seconds)).toFixed(2)} s, ESS ${median(peer.map((o) => o.ess)).toFixed(0)}` : ''}`,
    });
    rows.push({
      name: `${c.name}: nuts, threads`,
      unit: 'ESS/s',
      value: threaded.ess / threaded.seconds,
      note: `${threaded.seconds.toFixed(2)} s on worker threads`,
    });
    const vi = await viPlateau(c);
    rows.push({
      name: `${c.name}: vi full_rank to its plateau`,
      unit: 's',
      value: vi.seconds,
      note: `${vi.steps} steps, status ${vi.status}`,
    });
    for (const r of rows.slice(before)) console.log(`  ${JSON.stringify(r)}`);
  }
  return rows;
}
