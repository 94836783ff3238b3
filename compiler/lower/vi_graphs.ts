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
}

export interface ViEngine {
  /** Number of variational parameters. */
  m: number;
  /** Graph inputs after phi and the key, before the data (fixed for the run). */
  extraSpecs: { shape: number[]; dtype: 'float64' }[];
  extras: HostArray[];
  /** A host constant added to the graph's ELBO (log|det A| of the whitening). */
  constant: number;
  /** The ELBO estimate (less `constant`) from K draws. */
  elbo(phi: Tracer, key: Tracer, extras: Tracer[], data: Tracer[], K: number): Tracer;
  /** One draw from the guide, bound into a scope whose key serves the `generate` block. */
  draw(phi: Tracer, key: Tracer, extras: Tracer[], data: Tracer[]): DrawScope;
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
export function logDensityAt(kit: ProgramKit, z: Tracer, key: Tracer, data: Tracer[]): Tracer {
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
    elbo: (phi, key, ex, data, K) =>
      gaussianElbo((z, k) => logDensityAt(kit, z, k, data), family, affine(ex), phi, key, K),
    draw: (phi, key, ex, data) => {
      const [kq, kg] = P.splitKey(key, 2);
      const z = gaussianDraw(family, affine(ex), phi, kq!);
      const { env, low } = kit.setup(data, kg!);
      kit.unpack(z, env, low);
      return { env, low };
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
