// The posterior draws of a fitted automatic guide or guide block, and the importance weights that
// turn them into posterior summaries (docs/inference.md, "Draws and summaries").
//
// The pool: S draws from the guide q, then (guides with a Gaussian spread) S draws from the guide
// widened by WIDE (its spread scaled, the same mean): a deterministic half-and-half sample of the
// defensive mixture q_mix = (q + q_wide) / 2 (Hesterberg 1995). Every draw carries its exact log
// density log p (minibatched plates in full) and both guide densities. Then:
//   - the guide's own Pareto k-hat, from its S draws (the diagnostic of the fit);
//   - Pareto-smoothed importance weights p / q_mix over the whole pool (PSIS; Vehtari et al.),
//     whose k-hat says whether they can be trusted: below min(0.7, 1 - 1 / log10(2 S)) the
//     summaries are PSIS estimates (Yao et al. 2018: importance weighting repairs most of a
//     guide's bias, and the widened half covers the tails a KL(q || p) fit cuts off, while the
//     guide's half keeps at least half its efficiency); otherwise the summaries are the guide's
//     own draws and a warning says so (vi_diagnostics.ts).
//   - the reported ELBO: the mean of log p - log q over the guide's draws.
// The draws handed to --draws-out are D rows: resampled by the weights (importance resampling,
// as Pathfinder returns its draws) when the summaries are weighted, the guide's first D draws
// otherwise.

import { estimateCost, ops as P, simplify, trace, type Tracer } from '../../runtime/index.js';
import { psisWeights } from '../../stdlib/index.js';
import { prepare } from './backend_seam.js';
import type { CompiledProgram } from '../compile.js';
import type { LV } from '../lower/lower.js';
import { WIDE, type ViEngine } from '../lower/vi_graphs.js';
import type { DrawTable } from './draws.js';

export interface Pool {
  /** Every draw of the pool: the guide's S, then the widened guide's S (if any). */
  table: DrawTable;
  /** Draws from the guide itself (the first rows). */
  guideRows: number;
  lp: Float64Array | null;
  lq: Float64Array | null;
  lqWide: Float64Array | null;
  /** The ref cost model's estimate of one draw, in seconds (runtime/backends/auto.ts). */
  costPerDraw: number;
}

/** S draws from the guide and, when it can be widened, S from the widened guide; one scan on ref. */
export async function drawPool(
  compiled: CompiledProgram,
  engine: ViEngine,
  phi: Float64Array,
  S: number,
  key: Int32Array,
  dataSpecs: unknown[],
): Promise<Pool> {
  const { kit, layout, dataArrays } = compiled.internals;
  const total = engine.widenable ? 2 * S : S;
  const specs = [
    [phi.length],
    { shape: [2], dtype: 'int32' },
    [total],
    ...engine.extraSpecs,
    ...dataSpecs,
  ] as Parameters<typeof trace>[1];
  const ne = engine.extraSpecs.length;
  let genNames: { name: string; shape: number[] }[] = [];
  let extraNames: { name: string; shape: number[] }[] = [];
  let dens = { lp: false, lq: false, lqWide: false };
  const g = trace((ph: Tracer, k: Tracer, scales: Tracer, ...rest: Tracer[]) => {
    const ex = rest.slice(0, ne);
    const data = rest.slice(ne);
    const { ys } = P.scan(
      (_c, [kd, sc]) => {
        const d = engine.draw(ph, kd!, ex, data, sc!);
        const vals = layout.entries.map((e) =>
          P.reshape(d.low.real((d.env.get(e.name) as { v: LV }).v, e.decl.span), e.shape),
        );
        const gen = kit.generate(d.env, d.low);
        const extra = d.extra ?? [];
        genNames = gen.map((x) => ({ name: x.name, shape: [...x.value.shape] }));
        extraNames = extra.map((x) => ({ name: x.name, shape: x.shape }));
        dens = { lp: d.lp !== null, lq: d.lq !== null, lqWide: d.lqWide !== null };
        const z = P.zeros([]);
        return [
          [],
          [...vals, ...extra.map((x) => x.value), ...gen.map((x) => x.value), d.lp ?? z, d.lq ?? z, d.lqWide ?? z],
        ];
      },
      [],
      [P.splitKeys(k, total), scales],
    );
    return ys;
  }, specs);
  const sg = simplify(g);
  const exe = await prepare(sg, 'ref', 3 + ne, dataArrays);
  const scales = new Float64Array(total).fill(1);
  scales.fill(WIDE, S);
  const outs = exe.run([
    { data: phi, shape: [phi.length] },
    { data: key, shape: [2] },
    { data: scales, shape: [total] },
    ...engine.extras,
  ]);
  const L = layout.entries.length;
  const col = (i: number) => Float64Array.from(outs[i]!.data);
  const X = extraNames.length;
  const variables = [
    ...layout.entries.map((e, i) => ({ name: e.name, shape: e.shape, data: col(i) })),
    ...extraNames.map((x, i) => ({ name: x.name, shape: x.shape, data: col(L + i) })),
    ...genNames.map((x, i) => ({ name: x.name, shape: x.shape, data: col(L + X + i) })),
  ];
  const at = L + X + genNames.length;
  return {
    table: { draws: total, variables },
    guideRows: S,
    lp: dens.lp ? col(at) : null,
    lq: dens.lq ? col(at + 1) : null,
    lqWide: dens.lqWide ? col(at + 2) : null,
    costPerDraw: estimateCost(sg, 'ref') / total,
  };
}

/** The PSIS reliability threshold for S draws (Vehtari et al. 2024): min(0.7, 1 - 1 / log10 S). */
export const khatThreshold = (S: number): number => Math.min(0.7, 1 - 1 / Math.log10(S));

export interface Weighing {
  /** The guide's own k-hat (its draws), null without a density. */
  khat: number | null;
  /** The importance proposal's k-hat (the defensive mixture, or the guide itself), and its threshold. */
  khatProposal: number | null;
  threshold: number;
  /** Normalized weights over the pool's rows used (null: unweighted guide draws). */
  weights: Float64Array | null;
  /** Rows the summaries read: the whole pool when weighted by the mixture, else the guide's. */
  rows: number;
  ess: number | null;
  /** Mean of log p - log q over the guide's draws (null without a density). */
  elbo: number | null;
}

export function weighPool(pool: Pool, toPosterior = true): Weighing {
  const S = pool.guideRows;
  const { lp, lq, lqWide } = pool;
  if (!lp || !lq)
    return { khat: null, khatProposal: null, threshold: 0, weights: null, rows: S, ess: null, elbo: null };
  const own = new Float64Array(S);
  let elbo = 0;
  for (let i = 0; i < S; i++) {
    own[i] = lp[i]! - lq[i]!;
    elbo += own[i]!;
  }
  elbo /= S;
  const guide = psisWeights(own);
  let proposal = { ...guide, rows: S };
  if (lqWide) {
    const n = pool.table.draws;
    const lw = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = lq[i]!;
      const b = lqWide[i]!;
      const m = Math.max(a, b);
      lw[i] = lp[i]! - (m + Math.log((Math.exp(a - m) + Math.exp(b - m)) / 2));
    }
    proposal = { ...psisWeights(lw), rows: n };
  }
  const threshold = khatThreshold(proposal.rows);
  const finite = (k: number) => (Number.isFinite(k) ? k : k === -Infinity ? 0 : null);
  const ok = toPosterior && (proposal.khat < threshold || proposal.khat === -Infinity);
  let s2 = 0;
  for (const w of proposal.weights) s2 += w * w;
  return {
    khat: finite(guide.khat),
    khatProposal: finite(proposal.khat),
    threshold,
    weights: ok ? proposal.weights : null,
    rows: ok ? proposal.rows : S,
    ess: ok ? 1 / s2 : null,
    elbo,
  };
}

/** Largest pool, per half, and the estimated seconds a pool may cost before it stops growing. */
export const POOL_MAX = 16000;
export const POOL_BUDGET_S = 2;

/**
 * The pool and its weights: S draws per half, grown 4-fold while the proposal's k-hat is
 * borderline (0.5 to 1: enough draws tell a usable tail from a bad one, and the summaries' noise
 * falls) and the cost model says the larger pool stays within POOL_BUDGET_S. Deterministic: the
 * cost model reads the graph, not the clock.
 */
export async function weighedPool(
  compiled: CompiledProgram,
  engine: ViEngine,
  phi: Float64Array,
  S: number,
  key: Int32Array,
  dataSpecs: unknown[],
  toPosterior = true,
): Promise<{ pool: Pool; weighing: Weighing }> {
  let pool = await drawPool(compiled, engine, phi, S, key, dataSpecs);
  let weighing = weighPool(pool, toPosterior);
  for (;;) {
    const k = weighing.khatProposal;
    const next = 4 * pool.guideRows;
    const total = (engine.widenable ? 2 : 1) * next;
    if (!toPosterior || k === null || k < 0.5 || k >= 1 || next > POOL_MAX || pool.costPerDraw * total > POOL_BUDGET_S)
      break;
    pool = await drawPool(compiled, engine, phi, next, key, dataSpecs);
    weighing = weighPool(pool, toPosterior);
  }
  return { pool, weighing };
}
