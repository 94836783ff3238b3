// Variational inference benchmarks, through the path users run (a `.opt` program through run()).
// 1. Bayesian logistic regression (N = 500, D = 5; w ~ Normal(0, 1), y ~ Bernoulli(logits = X w)),
//    mean-field Gaussian guide, 1 draw per step, Adam lr 0.05, 2,000 steps. Contenders, timed
//    interleaved (proxima, webppl, pytorch; ROUNDS rounds, medians):
//      proxima   `infer vi(...)` compiled once by compile(), then run() per round (backend auto);
//                steps/s from the result's time_ms (the whole solve: the Laplace start, the fit,
//                the posterior draws and fit diagnostics a CLI run pays), and over the fit alone
//                (progress timestamps) as a second figure; compile_ms reported apart; plateau
//                rule off (tol = 0);
//      webppl    0.9.15 `Optimize` with the ELBO estimator on the same model and data, as a
//                subprocess (node_modules/.bin/webppl), timed inside the program (the data travel
//                as JSON strings: big array literals overflow WebPPL's syntax transform);
//      pytorch   a hand-written ELBO (bench/peers/torch_vi.py), CPU float64, one thread, timed
//                over its loop.
//    The final ELBO of each fitted guide is estimated here, by one function and the same 1,000
//    standard normal draws for all (common random numbers), so the comparison is the fit's.
// 2. Eight schools (full-rank guide) and a 100-group hierarchical normal model (mean-field), each
//    `infer vi` through run(): steps/s by time_ms and over the fit, backend, compile time.
// 3. An eight-schools-sized model: gradient evaluations per second on float64 js and ref vs
//    tfjs-wasm, and which backend `auto` picks (it should be the faster one).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, run as runProgram, type CompiledProgram } from '../index.js';
import { boxMuller } from '../runtime/index.js';
import { median, timeInterleaved, type BenchRow } from './harness.js';
import { torchAvailable } from './peers/torch.js';

const N = 500;
const D = 5;
const STEPS = 2000;
const LR = 0.05;
const ROUNDS = Number(process.env.PROXIMA_BENCH_ROUNDS ?? 3);

function data() {
  let s = 20240607;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const wTrue = [1.2, -0.8, 0.5, 0, 2];
  const X = Array.from({ length: N }, () => Array.from({ length: D }, () => rnd() * 2 - 1));
  const y = X.map((x) => (rnd() < 1 / (1 + Math.exp(-x.reduce((a, v, j) => a + v * wTrue[j]!, 0))) ? 1 : 0));
  return { N, D, X, y };
}

/** The ELBO of a mean-field guide (means m, sds sd) from fixed draws, the same for every contender. */
function elbo(d: ReturnType<typeof data>, m: number[], sd: number[], draws = 1000): number {
  let s = 99;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  let total = 0;
  for (let k = 0; k < draws; k++) {
    const w = m.map((mi, j) => mi + sd[j]! * boxMuller(u(), u()));
    let lp = w.reduce((a, x) => a - 0.5 * x * x - 0.5 * Math.log(2 * Math.PI), 0);
    for (let i = 0; i < d.N; i++) {
      const z = d.X[i]!.reduce((a, x, j) => a + x * w[j]!, 0);
      const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      lp += d.y[i]! * z - softplus;
    }
    total += lp;
  }
  const entropy = sd.reduce((a, x) => a + Math.log(x) + 0.5 * (1 + Math.log(2 * Math.PI)), 0);
  return total / draws + entropy;
}

const PROGRAM = `data { N: int; D: int; X: real[N, D]; y: int[N] }
param w: real[D]
model {
  w ~ Normal(0, 1)
  y ~ Bernoulli(logits = X @ w)
}
infer vi(guide = mean_field, samples = 1, steps = ${STEPS}, tol = 0, optimizer = adam(lr = ${LR}))
`;

/** One run() of a compiled program: steps/s over the whole solve (time_ms) and over the fit. */
async function timedRun(c: CompiledProgram, d: Record<string, unknown>, draws?: number) {
  const times: number[] = [];
  const r = await runProgram(c, {
    data: d,
    ...(draws ? { draws } : {}),
    onProgress: () => times.push(performance.now()),
  });
  if (r.status === 'error') throw new Error(JSON.stringify(r.messages));
  const steps = r.steps ?? times.length;
  const fit = (times.length - 1) / ((times[times.length - 1]! - times[0]!) / 1000);
  return { r, whole: steps / (r.time_ms! / 1000), fit };
}

async function proxima(d: ReturnType<typeof data>) {
  const c = await compile({ source: PROGRAM, file: 'logreg_vi.opt' }, { data: d });
  return async () => {
    const { r, whole, fit } = await timedRun(c, d);
    const post = r.posterior!.w!;
    return {
      whole,
      fit,
      compileMs: r.compile_ms!,
      m: post.mean as number[],
      sd: post.sd as number[],
      backend: r.backend,
    };
  };
}

function webppl(d: ReturnType<typeof data>, dir: string) {
  const src = `var N = ${d.N}; var D = ${d.D};
var X = JSON.parse('${JSON.stringify(d.X)}');
var y = JSON.parse('${JSON.stringify(d.y.map((v) => v === 1))}');
var model = function() {
  var w = map(function(j) {
    return sample(Gaussian({mu: 0, sigma: 1}), {guide: function() { return Gaussian({mu: param({name: 'm' + j}), sigma: Math.exp(param({name: 's' + j}))}); }});
  }, _.range(D));
  mapData({data: _.range(N)}, function(i) {
    var z = sum(map2(function(a, b) { return a * b; }, X[i], w));
    observe(Bernoulli({p: 1 / (1 + Math.exp(-z))}), y[i]);
  });
};
var t0 = _.now();
Optimize({model: model, steps: ${STEPS}, optMethod: {adam: {stepSize: ${LR}}}, estimator: {ELBO: {samples: 1}}, verbose: false});
var t1 = _.now();
var P = getParams();
var v = function(name) { return P[name].data[0]; };
display(JSON.stringify({ms: t1 - t0, m: map(function(j) { return v('m' + j); }, _.range(D)), sd: map(function(j) { return Math.exp(v('s' + j)); }, _.range(D))}));
`;
  const file = join(dir, 'logreg_vi.wppl');
  writeFileSync(file, src);
  const r = spawnSync('node_modules/.bin/webppl', [file, '--random-seed', '1'], { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) {
    console.log(`  (WebPPL peer failed: ${r.stderr.trim().split('\n').pop()})`);
    return null;
  }
  const out = JSON.parse(
    r.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop()!,
  ) as { ms: number; m: number[]; sd: number[] };
  return { stepsPerS: STEPS / (out.ms / 1000), m: out.m, sd: out.sd };
}

function torch(dir: string, d: ReturnType<typeof data>) {
  if (!torchAvailable()) return null;
  const file = join(dir, 'logreg.json');
  writeFileSync(file, JSON.stringify(d));
  const r = spawnSync('/usr/bin/python3', ['bench/peers/torch_vi.py', file, String(STEPS), String(LR)], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) {
    console.log(`  (PyTorch peer failed: ${r.stderr.trim().split('\n').pop()})`);
    return null;
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { steps_per_s: number; m: number[]; sd: number[] };
  return { stepsPerS: out.steps_per_s, m: out.m, sd: out.sd };
}

const EIGHT = `data { J: int; y: real[J]; sigma: real[J] > 0 }
param { mu: real; tau: real > 0; eta: real[J] }
model {
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(5)
  eta ~ Normal(0, 1)
  y ~ Normal(mu + tau * eta, sigma)
}
infer vi(guide = full_rank)
`;
const EIGHT_DATA = { J: 8, y: [28, 8, -3, 7, -1, 1, 18, 12], sigma: [15, 10, 16, 11, 9, 11, 10, 18] };

export async function eightSchools(): Promise<BenchRow[]> {
  // Gradient evaluations timed interleaved, by this process's CPU time (the load of a shared
  // machine distorts it less than the wall clock).
  const inner = 1000;
  const compiled: Record<string, CompiledProgram> = {};
  for (const b of ['js', 'ref', 'wasm', 'auto'])
    compiled[b] = await compile({ source: EIGHT, file: 'eight.opt' }, { data: EIGHT_DATA, backend: b });
  const x = new Float64Array(compiled['js']!.n).fill(0.1);
  const secs = await timeInterleaved(
    Object.fromEntries(
      ['js', 'ref', 'wasm'].map((b) => [
        b,
        () => {
          for (let i = 0; i < inner; i++) compiled[b]!.logDensity!.evaluate(x, 0);
        },
      ]),
    ),
    { reps: 7, warmup: 2, clock: 'cpu' },
  );
  const perS = (b: string) => inner / secs[b]!;
  const contenders = { js: { perS: perS('js') }, ref: { perS: perS('ref') }, wasm: { perS: perS('wasm') } };
  const auto = { backend: compiled['auto']!.backend };
  const faster = (Object.keys(contenders) as (keyof typeof contenders)[]).reduce((a, b) =>
    contenders[a].perS >= contenders[b].perS ? a : b,
  );
  return [
    ...(['js', 'ref'] as const).map((b) => ({
      name: `eight schools: gradient evals/s (${b}, float64)`,
      unit: '1/s',
      value: contenders[b].perS,
      peer: 'tfjs-wasm',
      ratio: contenders[b].perS / contenders.wasm.perS,
    })),
    { name: 'eight schools: gradient evals/s (tfjs-wasm)', unit: '1/s', value: contenders.wasm.perS },
    {
      name: 'eight schools: auto picks the faster backend',
      unit: 'bool',
      value: auto.backend === faster ? 1 : 0,
      note: `auto -> ${auto.backend}; faster: ${faster}`,
    },
  ];
}

/** A 100-group hierarchical normal model (5 observations per group), non-centred. */
const HIER = `data { J: int; N: int; g: int[N]; y: real[N] }
param { mu: real; tau: real > 0; sigma: real > 0; eta: real[J] }
model {
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(2)
  sigma ~ HalfCauchy(2)
  eta ~ Normal(0, 1)
  y ~ Normal((mu + tau * eta)[g], sigma)
}
infer vi(guide = mean_field, samples = 1, steps = 2000, tol = 0, optimizer = adam(lr = 0.02))
`;

function hierData(J = 100, per = 5) {
  let s = 7;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const N = J * per;
  const g = Array.from({ length: N }, (_, i) => Math.floor(i / per));
  const theta = Array.from({ length: J }, () => 1 + 2 * (rnd() - 0.5));
  return { J, N, g, y: g.map((j) => theta[j]! + 2 * (rnd() - 0.5)) };
}

async function viRows(label: string, source: string, d: Record<string, unknown>): Promise<BenchRow[]> {
  const c = await compile({ source, file: `${label}.opt` }, { data: d });
  const whole: number[] = [],
    fit: number[] = [];
  let backend = '';
  for (let r = 0; r < ROUNDS; r++) {
    const t = await timedRun(c, d);
    whole.push(t.whole);
    fit.push(t.fit);
    backend = t.r.backend ?? backend;
  }
  return [
    {
      name: `${label}: steps/s, proxima .opt (${backend})`,
      unit: '1/s',
      value: median(whole),
      note: `over the fit alone ${median(fit).toFixed(0)}/s; compile ${c.compileMs.toFixed(0)} ms`,
    },
  ];
}

export async function run(): Promise<BenchRow[]> {
  const d = data();
  const dir = mkdtempSync(join(tmpdir(), 'proxima-bench-vi-'));
  const rows: BenchRow[] = [];
  const ours = await proxima(d);
  await ours(); // warm-up
  const P: Awaited<ReturnType<typeof ours>>[] = [];
  const W: NonNullable<ReturnType<typeof webppl>>[] = [];
  const T: NonNullable<ReturnType<typeof torch>>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    P.push(await ours());
    const w = webppl(d, dir);
    if (w) W.push(w);
    const t = torch(dir, d);
    if (t) T.push(t);
  }
  const p = P[P.length - 1]!;
  const pWhole = median(P.map((x) => x.whole)),
    pFit = median(P.map((x) => x.fit));
  const pe = elbo(d, p.m, p.sd);
  rows.push({
    name: `logreg VI (N=${N}, D=${D}): steps/s, proxima .opt (${p.backend})`,
    unit: '1/s',
    value: pWhole,
    note: `by time_ms (whole solve); over the fit alone ${pFit.toFixed(0)}/s; compile ${p.compileMs.toFixed(0)} ms`,
  });
  rows.push({ name: 'logreg VI: final ELBO, proxima', unit: 'nats', value: pe });
  const peer = (name: string, runs: { stepsPerS: number; m: number[]; sd: number[] }[]) => {
    if (!runs.length) return;
    const sps = median(runs.map((x) => x.stepsPerS));
    const last = runs[runs.length - 1]!;
    rows.push({
      name: `logreg VI: steps/s, ${name}`,
      unit: '1/s',
      value: sps,
      peer: name,
      ratio: pWhole / sps,
      note: `proxima's whole solve vs the peer's loop; over proxima's fit alone x${(pFit / sps).toFixed(2)}`,
    });
    const e = elbo(d, last.m, last.sd);
    rows.push({
      name: `logreg VI: final ELBO, ${name}`,
      unit: 'nats',
      value: e,
      note: `proxima - ${name} = ${(pe - e).toFixed(3)}`,
    });
  };
  peer('webppl 0.9.15', W);
  peer('pytorch (float64, 1 thread)', T);
  if (!T.length)
    rows.push({ name: 'logreg VI: pytorch', unit: '', value: NaN, note: 'skipped: /usr/bin/python3 has no torch' });
  rows.push(
    ...(await viRows(
      'eight schools VI (full_rank, 4,000 steps)',
      readFileSync(new URL('../examples/eight_schools.opt', import.meta.url), 'utf8'),
      EIGHT_DATA,
    )),
  );
  rows.push(...(await viRows('hierarchical VI (100 groups, N=500, mean_field, 2,000 steps)', HIER, hierData())));
  rows.push(...(await eightSchools()));
  return rows;
}
