// Shared by the posteriordb validation tests: run a posterior's model.opt (its `infer vi` line
// replaced when a guide is named) and compare the summaries with Stan's reference
// (examples/posteriordb/<folder>/reference.json: NUTS, 10 chains x 1000 draws). Tolerances (issue
// #11): every mean within 0.15 reference sd, every sd within 25 %. Results are 0-based; Stan's
// `beta[i+1]` is our `beta[i]`.

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { run } from '../../index.js';
import type { NestedValue, RunResult } from '../../compiler/running/result.js';

export const ROOT = 'examples/posteriordb';
export const MEAN_TOL = 0.15;
export const SD_TOL = 0.25;

export const POSTERIORS = [
  'kidiq-kidscore_momiq',
  'mesquite-logmesquite_logvolume',
  'earnings-logearn_height',
  'sblrc-blr',
  'arK-arK',
  'low_dim_gauss_mix-low_dim_gauss_mix',
  'gp_pois_regr-gp_regr',
  'garch-garch11',
  'arma-arma11',
  'kilpisjarvi_mod-kilpisjarvi',
];

/**
 * The seeds each posterior runs under in CI: 1-3 (issue #11), except arK, whose model is a loop
 * in a loop (a scan in a scan, interpreted by float64 `ref`): one fit costs ~4-9 minutes on the
 * shared 2-core CI machine, so CI runs seed 1 and docs/inference.md lists seeds 2-3 as measured.
 */
export const seedsOf = (folder: string): number[] => (folder === 'arK-arK' ? [1] : [1, 2, 3]);

export interface Comparison {
  /** Max |mean error| / sd and max |sd / sd_ref - 1| over the reference's params. */
  mean: number;
  sd: number;
  within: boolean;
  rows: string[];
  result: RunResult;
  seconds: number;
}

/** `extra`: more `infer vi` options (bench/vi_defaults.ts measures samples and step sizes). */
export async function compare(folder: string, seed: number, guide?: string, extra?: string): Promise<Comparison> {
  const ref = JSON.parse(readFileSync(`${ROOT}/${folder}/reference.json`, 'utf8')) as {
    params: Record<string, { mean: number; sd: number }>;
  };
  const file = `${ROOT}/${folder}/model.opt`;
  const opts = [guide ? `guide = ${guide}` : '', extra ?? ''].filter((o) => o).join(', ');
  const source = readFileSync(file, 'utf8').replace(/^infer vi.*$/m, opts ? `infer vi(${opts})` : 'infer vi');
  const t = performance.now();
  const r = await run({ source, file }, { backend: 'ref', seed });
  const seconds = (performance.now() - t) / 1000;
  expect(r.status, JSON.stringify(r.messages)).not.toBe('error');
  let mean = 0;
  let sd = 0;
  const rows: string[] = [];
  for (const [name, s] of Object.entries(ref.params)) {
    const m = /^(\w+)(?:\[(\d+)\])?$/.exec(name)!;
    const post = r.posterior![m[1]!]!;
    const pick = (v: NestedValue) => (m[2] ? (v as number[])[Number(m[2]) - 1]! : (v as number));
    const em = Math.abs(pick(post.mean) - s.mean) / s.sd;
    const es = Math.abs(pick(post.sd) / s.sd - 1);
    mean = Math.max(mean, em);
    sd = Math.max(sd, es);
    rows.push(`${name}: mean err ${em.toFixed(3)} sd, sd err ${(100 * es).toFixed(1)} %`);
  }
  return { mean, sd, within: mean < MEAN_TOL && sd < SD_TOL, rows, result: r, seconds };
}

/** The warnings that name a problem of the fit and a remedy (a hint). */
export function fitWarnings(r: RunResult): { message: string; hint?: string }[] {
  return r.messages.filter(
    (m) => m.severity === 'warning' && /k-hat|collinear|step budget/.test(m.message) && !!m.hint,
  );
}

export function line(folder: string, seed: number, c: Comparison): string {
  const d = c.result.diagnostics as Record<string, unknown>;
  const k = d.khat as number | null;
  return `${folder} seed ${seed}: mean ${c.mean.toFixed(3)} sd, sd ${(100 * c.sd).toFixed(1)} %, ${c.within ? 'within' : 'OUTSIDE'}; ${c.result.status} at ${c.result.steps} steps, k-hat ${k === null ? '-' : k.toFixed(2)}, summaries ${String(d.summaries)}, ${c.seconds.toFixed(1)} s; ${fitWarnings(c.result).length} fit warnings`;
}
