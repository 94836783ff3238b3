// The result objects the library returns and the CLI prints with --json, exactly as
// docs/result.schema.json describes them. Later issues fill `posterior` and `diagnostics`;
// the field set is fixed here. Non-finite numbers cannot be written as JSON: they become null,
// with one warning naming where they were.

import type { EstimatorEntry } from '../analysis/site_plan.js';
import type { SamplerPlan } from '../analysis/sampler_plan.js';
import type { AlgorithmChoice, Decomposition } from '../analysis/analyze.js';
import type { Message } from '../messages.js';
import { PROXIMA_VERSION, RESULT_SCHEMA } from '../version.js';
import { DEFAULT_SEED } from '../default_seed.js';

export type RunStatus = 'converged' | 'max_steps' | 'stopped' | 'diverged' | 'infeasible' | 'error';

/** A value in its declared shape: a number, or nested arrays (null where not finite). */
export type NestedValue = number | null | NestedValue[];

export interface PosteriorSummary {
  mean: NestedValue;
  sd: NestedValue;
  q05: NestedValue;
  q50: NestedValue;
  q95: NestedValue;
  /** MCMC: rank-normalized split R-hat, bulk and tail effective sample sizes. */
  rhat?: NestedValue;
  ess_bulk?: NestedValue;
  ess_tail?: NestedValue;
}

export interface RunResult {
  schema: number;
  proxima: string;
  status: RunStatus;
  /** The user's objective with the user's sign (for `maximize`, the maximum); null if unknown. */
  objective: number | null;
  steps: number;
  time_ms: number;
  compile_ms: number;
  backend: string;
  seed: number;
  /** The effective solver (or inference) options, `method` included. */
  options: Record<string, unknown>;
  /** Every var and param by name, nested in its declared shape. */
  values: Record<string, NestedValue>;
  /** Inference only; null otherwise. */
  posterior: Record<string, PosteriorSummary> | null;
  messages: Message[];
  diagnostics: Record<string, unknown>;
}

export interface CheckResult {
  schema: number;
  proxima: string;
  /** True when no message is an error. */
  ok: boolean;
  messages: Message[];
  decomposition: Decomposition | null;
  algorithm: AlgorithmChoice | null;
  /** The `infer vi` estimator plan, one entry per sample site (compiler/analysis/site_plan.ts); null otherwise. */
  estimators: EstimatorEntry[] | null;
  /** `infer nuts` / `infer hmc`: the sampler's plan (compiler/analysis/sampler_plan.ts). */
  sampler?: SamplerPlan;
}

export function runResult(
  fields: Partial<RunResult> & { status: RunStatus; messages: Message[] },
  file: string,
): RunResult {
  const r: RunResult = {
    schema: RESULT_SCHEMA,
    proxima: PROXIMA_VERSION,
    status: fields.status,
    objective: fields.objective ?? null,
    steps: fields.steps ?? 0,
    time_ms: fields.time_ms ?? 0,
    compile_ms: fields.compile_ms ?? 0,
    backend: fields.backend ?? 'none',
    seed: fields.seed ?? DEFAULT_SEED,
    options: fields.options ?? {},
    values: fields.values ?? {},
    posterior: fields.posterior ?? null,
    messages: fields.messages,
    diagnostics: fields.diagnostics ?? {},
  };
  const bad: string[] = [];
  r.objective = finite(r.objective, 'objective', bad) as number | null;
  r.values = finite(r.values, 'values', bad) as Record<string, NestedValue>;
  r.diagnostics = finite(r.diagnostics, 'diagnostics', bad) as Record<string, unknown>;
  if (bad.length) {
    const shown = bad.slice(0, 8).join(', ') + (bad.length > 8 ? `, and ${bad.length - 8} more` : '');
    r.messages = [
      ...r.messages,
      {
        severity: 'warning',
        message: `non-finite numbers are written as null: ${shown}`,
        file,
        line: 1,
        col: 1,
        endLine: 1,
        endCol: 1,
      },
    ];
  }
  return r;
}

function finite(v: unknown, path: string, bad: string[]): unknown {
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return v;
    bad.push(`${path} (${v})`);
    return null;
  }
  if (Array.isArray(v)) return v.map((x, i) => finite(x, `${path}[${i}]`, bad));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = finite(x, `${path}.${k}`, bad);
    return out;
  }
  return v;
}

export function checkResult(
  messages: Message[],
  decomposition: Decomposition | null,
  algorithm: AlgorithmChoice | null,
  estimators: EstimatorEntry[] | null = null,
  sampler: SamplerPlan | null = null,
): CheckResult {
  return {
    schema: RESULT_SCHEMA,
    proxima: PROXIMA_VERSION,
    ok: !messages.some((m) => m.severity === 'error'),
    messages,
    decomposition,
    algorithm,
    estimators,
    ...(sampler ? { sampler } : {}),
  };
}
