// The posteriordb validation set under NUTS: each posterior's program (ours, in .opt), its data
// (posteriordb's) and a reference summary made by Stan (tests/posteriordb/README.md says which and
// how). `checkPosterior` runs one at default settings and applies the tolerance of issue #20: for
// every reference parameter, |mean - ref mean| < 0.1 ref sd and |sd / ref sd - 1| < 10 %, with
// R-hat < 1.01; divergences are counted (none allowed where the reference had none).
// Stan's 1-based names (beta[1]) map to ours (beta[0]); `rename` maps the few names that differ.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type RunResult } from '../../index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

export interface Posterior {
  name: string;
  /** The program (its `infer` line is replaced by `infer nuts` when it names another method). */
  file: string;
  reference: string;
  /** Stan name -> ours, for the names that differ (before indices). */
  rename?: Record<string, string>;
}

interface RefParam {
  mean: number;
  sd: number;
}

export interface Verdict {
  name: string;
  pass: boolean;
  params: number;
  /** The largest |mean - ref| / ref sd and |sd / ref sd - 1| over the parameters, and where. */
  meanErr: { value: number; at: string };
  sdErr: { value: number; at: string };
  /** Per reference parameter: (mean - ref mean) / ref sd and sd / ref sd - 1 (signed). */
  errors: Record<string, { mean: number; sd: number }>;
  rhat: number;
  divergences: number;
  essPerSecond: number;
  seconds: number;
  status: string;
  failures: string[];
}

/** The written posteriors that have a reference summary (those without one cannot be checked yet). */
export function posteriors(): Posterior[] {
  return allPosteriors().filter((p) => existsSync(p.reference));
}

/** The written posteriors whose reference summary is not stored yet. */
export function unreferenced(): string[] {
  return allPosteriors()
    .filter((p) => !existsSync(p.reference))
    .map((p) => p.name);
}

/** The ten posteriors of examples/posteriordb (written for VI there), every folder here, and eight schools. */
function allPosteriors(): Posterior[] {
  const out: Posterior[] = [];
  const ex = join(root, 'examples', 'posteriordb');
  // A posterior written in both places (eight schools) runs once, from examples/ (posteriordb's own
  // reference draws).
  for (const d of readdirSync(ex).sort())
    if (existsSync(join(ex, d, 'model.opt')))
      out.push({ name: d, file: join(ex, d, 'model.opt'), reference: join(ex, d, 'reference.json') });
  for (const d of readdirSync(here).sort()) {
    const f = join(here, d, 'model.opt');
    if (!existsSync(f) || existsSync(join(ex, d, 'model.opt'))) continue;
    const rename = existsSync(join(here, d, 'rename.json'))
      ? (JSON.parse(readFileSync(join(here, d, 'rename.json'), 'utf8')) as Record<string, string>)
      : undefined;
    out.push({ name: d, file: f, reference: join(here, d, 'reference.json'), ...(rename ? { rename } : {}) });
  }
  return out;
}

/** Our value of a Stan-named scalar (`beta[2]` -> beta[1]) from a nested summary field. */
function ours(
  post: NonNullable<RunResult['posterior']>,
  stanName: string,
  field: 'mean' | 'sd' | 'rhat',
  rename?: Record<string, string>,
) {
  const m = /^([A-Za-z_]\w*)((?:\[\d+(?:,\d+)*\])?)$/.exec(stanName);
  if (!m) return undefined;
  const base = rename?.[m[1]!] ?? m[1]!;
  const s = post[base];
  if (!s) return undefined;
  let v: unknown = s[field];
  if (m[2]) for (const i of m[2].slice(1, -1).split(',')) v = (v as unknown[])[Number(i) - 1];
  return typeof v === 'number' ? v : undefined;
}

export async function checkPosterior(p: Posterior, opts: { threads?: number; seed?: number } = {}): Promise<Verdict> {
  const ref = JSON.parse(readFileSync(p.reference, 'utf8')) as { params: Record<string, RefParam> };
  const source = readFileSync(p.file, 'utf8').replace(/^infer .*$/m, (line) =>
    line.startsWith('infer nuts') ? line : 'infer nuts',
  );
  const t0 = performance.now();
  const r = await run(
    { file: p.file, source },
    { ...(opts.threads ? { threads: opts.threads } : {}), seed: opts.seed ?? 1 },
  );
  const seconds = (performance.now() - t0) / 1000;
  const failures: string[] = [];
  const meanErr = { value: 0, at: '' };
  const sdErr = { value: 0, at: '' };
  const errors: Verdict['errors'] = {};
  let rhat = 0;
  if (r.status === 'error') failures.push(r.messages.map((m) => m.message).join('; '));
  else
    for (const [name, s] of Object.entries(ref.params)) {
      const mean = ours(r.posterior!, name, 'mean', p.rename);
      const sd = ours(r.posterior!, name, 'sd', p.rename);
      const rh = ours(r.posterior!, name, 'rhat', p.rename);
      if (mean === undefined || sd === undefined) {
        failures.push(`${name}: not in the result`);
        continue;
      }
      errors[name] = { mean: (mean - s.mean) / s.sd, sd: sd / s.sd - 1 };
      const em = Math.abs(mean - s.mean) / s.sd;
      const es = Math.abs(sd / s.sd - 1);
      if (em > meanErr.value) Object.assign(meanErr, { value: em, at: name });
      if (es > sdErr.value) Object.assign(sdErr, { value: es, at: name });
      rhat = Math.max(rhat, rh ?? Infinity);
      if (em >= 0.1)
        failures.push(`${name}: mean ${mean.toPrecision(5)} vs ${s.mean.toPrecision(5)} (${em.toFixed(2)} sd)`);
      if (es >= 0.1)
        failures.push(`${name}: sd ${sd.toPrecision(4)} vs ${s.sd.toPrecision(4)} (${(100 * es).toFixed(0)} %)`);
    }
  if (r.status !== 'error' && !(rhat < 1.01)) failures.push(`R-hat ${rhat.toFixed(3)}`);
  const divergences = (r.diagnostics.divergences as number | undefined) ?? 0;
  if (divergences > 0) failures.push(`${divergences} divergences`);
  return {
    name: p.name,
    pass: failures.length === 0,
    params: Object.keys(ref.params).length,
    meanErr,
    sdErr,
    errors,
    rhat,
    divergences,
    essPerSecond: (r.diagnostics.ess_per_second as number | undefined) ?? NaN,
    seconds,
    status: r.status,
    failures,
  };
}
