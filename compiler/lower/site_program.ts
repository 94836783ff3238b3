// A compiled `infer vi` program as a program of the stdlib site API (stdlib/vi/sites.ts), so
// that discrete latents and continuous sites with a `via` other than reparam run the one
// estimator implementation (stdlib/vi/estimate.ts). The automatic guide's sites:
//   - the continuous params, in the guide's whitened coordinates w (z = shift + A w, the start's
//     map, baked in as constants): mean-field draws one `Normal(m, exp(s))` site per param,
//     named after it, so `via` reaches it; full-rank one `MultivariateNormalCholesky` site and
//     low-rank one `MultivariateNormal` site over every coordinate (CONTINUOUS_SITE), reparam;
//   - each discrete latent (`param z: int[...]` drawn in the model): a `BernoulliLogits` or
//     `CategoricalLogits` site with one logit (or K logits) per element, started at 0.
// The model reads every site's value (`ctx.value`) and adds the program's whole log density
// (Jacobians and log|det A| included) as one factor. That factor does not expose the program's
// plates, so the estimator runs its local forms (EstimateOptions.local): enumeration and MVD
// element by element. Minibatched plates run in full here (no key reaches the model).
// The plan of every site comes from compiler/analysis/site_plan.ts, the plan `check` prints:
// the caller passes it as `via` for every site, so the plan run is the plan printed.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { fullRankTril, gaussianFamily, unwhiten, type GuideName, type Whitening } from '../../stdlib/index.js';
import type { Program, VIProgram } from '../../stdlib/index.js';
import { LowerError, type Env, type Lowerer } from './lower.js';
import type { ProgramKit } from './program_graphs.js';
import type { Layout } from './param_layout.js';
import type { Span } from '../../grammar/index.js';

/** The site of the continuous params under a full-rank or low-rank guide. */
export const CONTINUOUS_SITE = '(params)';

export interface LatentSite {
  name: string;
  shape: number[];
  size: number;
  /** Support size (2 for Bernoulli). */
  K: number;
  categorical: boolean;
}

export interface SiteProgram {
  /** Variational parameters: the Gaussian family's, then the latents' logits. */
  m: number;
  phi0: Float64Array;
  latents: LatentSite[];
  /** The continuous sites' names (mean-field: the params; otherwise CONTINUOUS_SITE). */
  continuous: string[];
  /** The program over the site API, for data inputs `data` (built inside a trace). */
  program(data: Tracer[]): VIProgram;
  /** The scope of a posterior draw from the guide's site values: params and latents bound. */
  scope(values: ReadonlyMap<string, Tracer>, data: Tracer[], key: Tracer): { env: Env; low: Lowerer };
}

export function siteProgram(
  kit: ProgramKit,
  layout: Layout,
  guide: GuideName,
  W: Whitening,
  latents: LatentSite[],
  span: Span,
): SiteProgram {
  if (guide === 'delta')
    throw new LowerError(
      span,
      'this program needs a guide with a density (mean_field, full_rank or low_rank), not delta',
    );
  const n = layout.n;
  const family = gaussianFamily(guide);
  const size = family.size(n);
  const meanField = guide === 'mean_field';
  const continuous = n === 0 ? [] : meanField ? layout.entries.map((e) => e.name) : [CONTINUOUS_SITE];
  let offset = size;
  const logitsAt = latents.map((l) => {
    const at = offset;
    offset += l.categorical ? l.size * l.K : l.size;
    return at;
  });
  const m = offset;
  const phi0 = new Float64Array(m);
  if (n > 0) phi0.set(family.init(n, W));

  const aff = () => ({
    kind: W.kind,
    shift: P.constant(W.shift, 'float64', [n]),
    a: P.constant(W.a, 'float64', W.kind === 'full' ? [n, n] : [n]),
  });

  const guideProgram: Program = (ctx, [phi]) => {
    if (n > 0) {
      if (meanField) {
        for (const e of layout.entries) {
          const loc = P.slice(phi!, [e.offset], [e.offset + e.size]);
          const logSd = P.slice(phi!, [n + e.offset], [n + e.offset + e.size]);
          ctx.sample(e.name, 'Normal', [loc, P.exp(logSd)]);
        }
      } else if (guide === 'full_rank') {
        ctx.sample(CONTINUOUS_SITE, 'MultivariateNormalCholesky', [P.slice(phi!, [0], [n]), fullRankTril(phi!, n)]);
      } else {
        const fam = gaussianFamily('low_rank');
        const r = (size - 2 * n) / n;
        const B = P.reshape(P.slice(phi!, [n], [n + n * r]), [n, r]);
        const d2 = P.exp(P.mul(2, P.slice(phi!, [n + n * r], [2 * n + n * r])));
        const cov = P.add(P.matmul(B, B, false, true), P.mul(P.constant(eye(n), 'float64', [n, n]), d2));
        ctx.sample(CONTINUOUS_SITE, 'MultivariateNormal', [fam.mean(phi!, n), cov]);
      }
    }
    latents.forEach((l, i) => {
      const at = logitsAt[i]!;
      const logits = l.categorical
        ? P.reshape(P.slice(phi!, [at], [at + l.size * l.K]), [...l.shape, l.K])
        : P.reshape(P.slice(phi!, [at], [at + l.size]), l.shape);
      ctx.sample(l.name, l.categorical ? 'CategoricalLogits' : 'BernoulliLogits', [logits]);
    });
  };

  const bind = (values: ReadonlyMap<string, Tracer>, data: Tracer[], key: Tracer | null) => {
    const w =
      n === 0
        ? P.zeros([0])
        : meanField
          ? P.concat(layout.entries.map((e) => P.reshape(values.get(e.name)!, [e.size])))
          : values.get(CONTINUOUS_SITE)!;
    const z = unwhiten(aff(), w);
    const bound = new Map(latents.map((l) => [l.name, P.cast(values.get(l.name)!, 'float64')]));
    const { env, low } = kit.setup(data, key);
    const logJac = kit.unpack(z, env, low, bound);
    return { env, low, logJac };
  };

  return {
    m,
    phi0,
    latents,
    continuous,
    program: (data) => ({
      guide: guideProgram,
      model: (ctx) => {
        const values = new Map<string, Tracer>();
        for (const s of [...continuous, ...latents.map((l) => l.name)]) values.set(s, ctx.value(s));
        const { env, low, logJac } = bind(values, data, null);
        ctx.factor('model', P.add(P.add(kit.modelLogp(env, low), logJac), W.logDet));
      },
    }),
    scope: (values, data, key) => {
      const { env, low } = bind(values, data, key);
      return { env, low };
    },
  };
}

function eye(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  return a;
}
