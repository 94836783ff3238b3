// What `infer vi` optimizes, as graph builders over a flat vector phi of variational parameters:
// the ELBO term of one estimate and one posterior draw. Two kinds: the automatic guides
// (stdlib/vi Gaussian families, in coordinates whitened by the Laplace start, whose affine map
// travels as two extra graph inputs) and a user-written `guide { }` block (guide_program.ts).
// compiler/running/infer.ts compiles these into executables and runs the optimizer.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { gaussianDraw, gaussianElbo, unwhiten, type GaussianFamily } from '../../stdlib/index.js';
import type { HostArray } from '../../runtime/index.js';
import type { Env, Lowerer } from './lower.js';
import type { ProgramKit } from './program_graphs.js';
import type { Layout } from './param_layout.js';

/** One posterior draw: the scope with every param bound (constrained), for values and generate. */
export interface DrawScope {
  env: Env;
  low: Lowerer;
  /**
   * Log densities at the draw, all of the same point: the model's (exact, every Jacobian in),
   * the guide's, and the guide's widened by `spread` (its spread scaled, the defensive
   * component of the importance proposal); null for a guide with no density (delta), and
   * `lqWide` null for a guide that cannot be widened (a guide block).
   */
  lp: Tracer | null;
  lq: Tracer | null;
  lqWide: Tracer | null;
  /** Further outputs of a draw (the discrete latents' values), after the params. */
  extra?: { name: string; shape: number[]; value: Tracer }[];
}

export interface ViEngine {
  /** Number of variational parameters. */
  m: number;
  /** Graph inputs after phi and the key, before the data (fixed for the run). */
  extraSpecs: { shape: number[]; dtype: 'float64' }[];
  extras: HostArray[];
  /** A host constant added to the graph's ELBO (log|det A| of the whitening). */
  constant: number;
  /** Whether `draw` can widen the guide (a Gaussian spread to scale): the defensive proposal. */
  widenable: boolean;
  /** The ELBO estimate (less `constant`) from K draws. */
  elbo(phi: Tracer, key: Tracer, extras: Tracer[], data: Tracer[], K: number): Tracer;
  /**
   * The ELBO's per-draw terms (less `constant`) at M draws, a [M] tensor, no gradient needed:
   * the same keys at different phi give paired estimates (the stopping rule, the start's
   * choice, the final ELBO). A minibatched plate runs in full.
   */
  terms(phi: Tracer, key: Tracer, extras: Tracer[], data: Tracer[], M: number): Tracer;
  /**
   * One draw from the guide, its spread scaled by `scale` (a scalar tensor: 1 for the guide
   * itself, WIDE for the widened guide), bound into a scope whose key serves the `generate` block.
   */
  draw(phi: Tracer, key: Tracer, extras: Tracer[], data: Tracer[], scale: Tracer): DrawScope;
  /**
   * K guide draws' log p and log q, two [K] tensors, both densities of the same (unconstrained)
   * point, so lp - lq is the importance log weight with nothing left out: the general objectives
   * (objective_program.ts) and the k-hat diagnostic need the weights themselves, not the ELBO
   * less a constant. With `pathwise` false the draws carry no gradient (wake-sleep); null when
   * the guide has no density (delta). With `fixedScore` log q is scored with phi held fixed, its
   * gradient only through the draw (STL, and DReG's path term).
   */
  particles:
    | ((
        phi: Tracer,
        key: Tracer,
        extras: Tracer[],
        data: Tracer[],
        K: number,
        pathwise: boolean,
        fixedScore?: boolean,
      ) => { lp: Tracer; lq: Tracer })
    | null;
  /** The guide's mean on the unconstrained scale (automatic guides), for the correlation check. */
  mean: ((phi: Tracer, extras: Tracer[]) => Tracer) | null;
}

/** The spread factor of the widened guide in the importance proposal (compiler/running/infer.ts). */
export const WIDE = 2;

/** K draws of term(key_k) -> [lp, lq] stacked as two [K] tensors (one scan, never unrolled). */
export function particleScan(
  term: (key: Tracer) => [Tracer, Tracer],
  key: Tracer,
  K: number,
): { lp: Tracer; lq: Tracer } {
  const { ys } = P.scan((_c, [k]) => [[], term(k!)], [], [P.splitKeys(key, K)]);
  return { lp: ys[0]!, lq: ys[1]! };
}

/** The unconstrained log density (Jacobians included) at z, with a key for minibatched plates. */
export function logDensityAt(kit: ProgramKit, z: Tracer, key: Tracer | null, data: Tracer[]): Tracer {
  const { env, low } = kit.setup(data, key);
  const logJac = kit.unpack(z, env, low);
  return P.add(kit.modelLogp(env, low), logJac);
}

/** An automatic guide: `family` in whitened coordinates z = shift + A w. */
export function autoEngine(
  kit: ProgramKit,
  layout: Layout,
  family: GaussianFamily,
  W: { kind: 'diag' | 'full'; shift: Float64Array; a: Float64Array; logDet: number },
): ViEngine {
  const n = layout.n;
  const aShape = W.kind === 'full' ? [n, n] : [n];
  const affine = (ex: Tracer[]) => ({ kind: W.kind, shift: ex[0]!, a: ex[1]! });
  return {
    m: family.size(n),
    extraSpecs: [
      { shape: [n], dtype: 'float64' },
      { shape: aShape, dtype: 'float64' },
    ],
    extras: [
      { data: W.shift, shape: [n] },
      { data: W.a, shape: aShape },
    ],
    constant: W.logDet,
    widenable: family.logq !== undefined && family.noise(n) > 0,
    elbo: (phi, key, ex, data, K) =>
      gaussianElbo((z, k) => logDensityAt(kit, z, k, data), family, affine(ex), phi, key, K),
    terms: (phi, key, ex, data, M) => {
      const m = family.noise(n);
      const { ys } = P.scan(
        (_c, [k]) => {
          const w = family.sample(phi, m ? P.normal(k!, [m]) : P.zeros([0]), n);
          const lp = logDensityAt(kit, unwhiten(affine(ex), w), null, data);
          return [[], [family.logq ? P.sub(lp, family.logq(phi, w, n)) : lp]];
        },
        [],
        [P.splitKeys(key, M)],
      );
      return family.logq ? ys[0]! : P.add(ys[0]!, family.entropy(phi, n));
    },
    draw: (phi, key, ex, data, scale) => {
      const [kq, kg] = P.splitKey(key, 2);
      const m = family.noise(n);
      const w = family.sample(phi, m ? P.mul(P.normal(kq!, [m]), scale) : P.zeros([0]), n);
      const z = unwhiten(affine(ex), w);
      const { env, low } = kit.setup(data, kg!);
      kit.unpack(z, env, low);
      if (!family.logq) return { env, low, lp: null, lq: null, lqWide: null };
      // log q_c(w) = log q(mu + (w - mu) / c) - n log c for the family widened by c; log q of
      // z = shift + A w is log q(w) - log|det A|. The log p is exact (no key: a minibatched
      // plate runs in full).
      const mu = family.mean(phi, n);
      const lq = P.sub(family.logq(phi, w, n), W.logDet);
      const back = P.add(mu, P.div(P.sub(w, mu), WIDE));
      const lqWide = P.sub(family.logq(phi, back, n), W.logDet + n * Math.log(WIDE));
      return { env, low, lp: logDensityAt(kit, z, null, data), lq, lqWide };
    },
    particles: family.logq
      ? (phi, key, ex, data, K, pathwise, fixedScore = false) => {
          const logq = family.logq!;
          const m = family.noise(n);
          const src = pathwise ? phi : P.stopGradient(phi);
          return particleScan(
            (k) => {
              const [kq, kp] = P.splitKey(k, 2);
              const w = family.sample(src, m ? P.normal(kq!, [m]) : P.zeros([0]), n);
              // log q of z = shift + A w is log q(w) - log|det A|.
              return [
                logDensityAt(kit, unwhiten(affine(ex), w), kp!, data),
                P.sub(logq(fixedScore ? P.stopGradient(phi) : phi, w, n), W.logDet),
              ];
            },
            key,
            K,
          );
        }
      : null,
    mean: (phi, ex) => unwhiten(affine(ex), family.mean(phi, n)),
  };
}
