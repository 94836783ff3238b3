// The site API: model and guide written as traced TypeScript functions over a context that
// records every random choice.
//
//   guide(ctx, phi): z = ctx.sample('z', 'Bernoulli', [p], { via })  -> draws z, records log q
//   model(ctx, theta): ctx.sample('z', 'Bernoulli', [0.5])           -> replays the guide's z,
//                      ctx.observe('x', 'Normal', [mu, 1], x)           records log p
//
// Running the guide applies each site's estimator locally (estimator_plan.ts picks it):
//   reparam   the draw is a differentiable function of the parameters;
//   reinforce the draw is stop-gradiented and the site is listed as a score site;
//   detach    stop-gradiented, nothing else (wake-sleep);
//   enum      the value is the whole support along a fresh axis (enum_dims.ts), and the site's
//             log q becomes part of the enumeration weights;
//   mvd       the value is [sampled, s_0, ..., s_{S-1}] along a fresh axis: the sampled branch
//             carries the estimate, the others the weak derivative (estimate.ts).
// Every log-density is kept elementwise (a factor) so the estimator can take expectations per
// plate copy; nothing here sums over plates.
//
// Local sites. A model whose density is one opaque factor (a compiled program: its plates are not
// exposed) cannot enumerate along axes, so with `local` every enum and MVD site is drawn like a
// score site and recorded as a LocalSite; estimate.ts then re-evaluates the particle element by
// element (the other choices as drawn): the local expectation of Titsias & Lazaro-Gredilla
// (2015) for finite supports, and the weak derivative of a Normal (always local: its branches are
// continuous values per element, not a shared support).

import { ops as P, type Tracer } from '../../runtime/index.js';
import { lookupDistribution, type DistSpec, type TLike } from '../distributions/index.js';
import { chooseEstimator, type Estimator, type ObjectiveInfo, type PlanEntry } from './estimator_plan.js';
import type { DimLayout, EnumDim } from './enum_dims.js';

export interface SiteOptions {
  /** Per-site estimator override (the language's `via`). */
  via?: Estimator;
  /** An observed value: the site is a likelihood term (model only). */
  obs?: TLike;
}

export interface SiteCtx {
  sample(name: string, dist: string | DistSpec, params: readonly TLike[], opts?: SiteOptions): Tracer;
  observe(name: string, dist: string | DistSpec, params: readonly TLike[], value: TLike): void;
  /** Adds an arbitrary log-density term (the language's `target += e`); model only. */
  factor(name: string, logDensity: Tracer): void;
  /**
   * The guide's value of site `name`, a latent whose density the model states itself (through
   * `factor`), e.g. a compiled program's whole log density; model only.
   */
  value(name: string): Tracer;
}

export type Program = (ctx: SiteCtx, params: readonly Tracer[]) => void;

export interface Factor {
  site: string;
  lp: Tracer;
}

export interface ScoreSite {
  site: string;
  /** Sum of the site's log q over its copies (no enumeration axes). */
  logq: Tracer;
  baseline: 'none' | 'mean' | 'loo';
}

export interface MvdSite {
  site: string;
  dim: EnumDim;
  /** The site's probabilities over its support, [...batch, S], differentiable. */
  probs: Tracer;
  batchShape: readonly number[];
}

/** A site estimated by re-evaluating the particle element by element (see the header). */
export interface LocalSite {
  site: string;
  kind: 'enum' | 'mvd';
  spec: DistSpec;
  /** The distribution's parameters (live), broadcast to the site's batch shape. */
  params: Tracer[];
  /** The drawn value (no gradient). */
  value: Tracer;
  /** Finite supports: the support [S] and the probabilities [...batch, S] (live). */
  support: Tracer | null;
  probs: Tracer | null;
  /** A key of its own, for the branch draws of a Normal's weak derivative. */
  key: Tracer;
}

export interface GuideTrace {
  values: Map<string, Tracer>;
  /** log q factors, elementwise. */
  factors: Factor[];
  /** log q of enumerated sites: their sum is the log of the enumeration weights. */
  enumLogq: Tracer[];
  scores: ScoreSite[];
  mvds: MvdSite[];
  locals: LocalSite[];
  plan: PlanEntry[];
}

export function resolveSpec(d: string | DistSpec): DistSpec {
  if (typeof d !== 'string') return d;
  const s = lookupDistribution(d);
  if (!s) throw new Error(`unknown distribution ${d}`);
  return s;
}

const asT = (x: TLike): Tracer => P.asTracer(x);

/** Probabilities over the support [...batch, S] for the families MVD supports. */
export function supportProbs(spec: DistSpec, params: readonly TLike[]): Tracer {
  const x = asT(params[0]!);
  switch (spec.name) {
    case 'Bernoulli':
      return P.stack([P.sub(1, x), x], -1);
    case 'BernoulliLogits':
      return P.stack([P.sigmoid(P.neg(x)), P.sigmoid(x)], -1);
    case 'Categorical':
      return x;
    case 'CategoricalLogits':
      return P.softmax(x, -1);
    default:
      throw new Error(
        `measure-valued derivatives are implemented for Bernoulli, Categorical and Normal, not ${spec.name}`,
      );
  }
}

/** Draws the guide at `phi`, applying each site's estimator. */
/** What a guide's context says to model-only statements. */
const GUIDE_ONLY: Pick<SiteCtx, 'observe' | 'factor' | 'value'> = {
  observe(name) {
    throw new Error(`site ${name}: a guide has no observations`);
  },
  factor(name) {
    throw new Error(`factor ${name}: factors belong in the model`);
  },
  value(name) {
    throw new Error(`value ${name}: a guide draws its sites with sample`);
  },
};

export function runGuide(
  guide: Program,
  phi: readonly Tracer[],
  key: Tracer,
  layout: DimLayout,
  obj: ObjectiveInfo,
  via: Readonly<Record<string, Estimator>> = {},
  local = false,
): GuideTrace {
  const tr: GuideTrace = {
    values: new Map(),
    factors: [],
    enumLogq: [],
    scores: [],
    mvds: [],
    locals: [],
    plan: [],
  };
  let k = key;
  const nextKey = (): Tracer => {
    const [a, b] = P.splitKey(k, 2);
    k = a!;
    return b!;
  };
  const noDims = (site: string, t: Tracer, what: string) => {
    if (t.rank > layout.plateRank)
      throw new Error(
        `site ${site}: a ${what} site cannot depend on an enumerated or MVD site (its log q has shape [${t.shape}])`,
      );
  };
  const ctx: SiteCtx = {
    sample(name, dist, params, opts = {}) {
      if (tr.values.has(name)) throw new Error(`site ${name} is sampled twice`);
      if (opts.obs !== undefined) throw new Error(`site ${name}: a guide has no observations`);
      const spec = resolveSpec(dist);
      const ps = params.map(asT);
      const support = spec.enumerate?.(ps);
      // The batch size matters only for finite supports (joint enumeration); there the log-mass
      // of one support value has the batch shape.
      const batchSize = support ? spec.logProb(ps, P.index(support, 0)).shape.reduce((a, b) => a * b, 1) : 1;
      const entry = chooseEstimator(
        {
          site: name,
          dist: spec,
          supportSize: support ? support.shape[0]! : null,
          batchSize,
          via: opts.via ?? via[name],
        },
        obj,
      );
      tr.plan.push(entry);
      const est = entry.estimator;
      let z: Tracer;
      let lq: Tracer;
      if ((est.kind === 'enum' || est.kind === 'mvd') && (local || !support)) {
        // A local site: drawn, then re-evaluated element by element (estimate.ts).
        if (est.kind === 'enum' && !support)
          throw new Error(`site ${name}: ${spec.name} has no finite support to enumerate`);
        if (!support && spec.name !== 'Normal')
          throw new Error(
            `site ${name}: measure-valued derivatives are implemented for Bernoulli, Categorical and Normal, not ${spec.name}`,
          );
        z = P.stopGradient(spec.sample(ps, nextKey()));
        lq = spec.logProb(ps, z);
        if (!local) noDims(name, lq, 'MVD');
        const batch = z.shape.slice(0, z.rank - (spec.support.eventRank ?? 0));
        tr.locals.push({
          site: name,
          kind: est.kind,
          spec,
          params: support ? ps : ps.map((p) => P.broadcastTo(p, batch)),
          value: z,
          support: support ?? null,
          probs: support ? supportProbs(spec, ps) : null,
          key: nextKey(),
        });
        tr.values.set(name, z);
        tr.factors.push({ site: name, lp: lq });
        return z;
      }
      switch (est.kind) {
        case 'reparam':
          if (!spec.reparameterizable) throw new Error(`site ${name}: ${spec.name} is not reparameterizable`);
          z = spec.sample(ps, nextKey());
          lq = spec.logProb(ps, z);
          break;
        case 'reinforce':
        case 'detach':
          z = P.stopGradient(spec.sample(ps, nextKey()));
          lq = spec.logProb(ps, z);
          if (est.kind === 'reinforce') {
            noDims(name, lq, 'reinforce');
            tr.scores.push({ site: name, logq: P.sum(lq), baseline: est.baseline });
          }
          break;
        case 'enum': {
          if (!support) throw new Error(`site ${name}: ${spec.name} has no finite support to enumerate`);
          const d = layout.alloc(name, 'enum', support.shape[0]!);
          const col = layout.column(support, d.j);
          lq = layout.full(spec.logProb(ps, col));
          z = P.broadcastTo(layout.full(col), lq.shape);
          tr.enumLogq.push(lq);
          break;
        }
        case 'mvd': {
          if (!support) throw new Error(`site ${name}: ${spec.name} has no finite support`);
          const probs = supportProbs(spec, ps);
          const drawn = P.stopGradient(spec.sample(ps, nextKey()));
          noDims(name, drawn, 'MVD');
          const S = support.shape[0]!;
          const d = layout.alloc(name, 'mvd', 1 + S);
          // Axis 0 is the new dim (the newest dim is the leftmost of a full-rank tensor).
          const rest = [...new Array(d.j).fill(1), ...pad(drawn.shape, layout.plateRank)];
          const sampled = P.reshape(P.cast(drawn, support.dtype), [1, ...rest]);
          z = P.concat([sampled, P.broadcastTo(layout.column(support, d.j), [S, ...rest])], 0);
          lq = layout.full(spec.logProb(ps, z));
          tr.mvds.push({ site: name, dim: d, probs, batchShape: drawn.shape });
          break;
        }
      }
      tr.values.set(name, z);
      tr.factors.push({ site: name, lp: lq });
      return z;
    },
    ...GUIDE_ONLY,
  };
  guide(ctx, phi);
  return tr;
}

/** Re-scores a guide at fixed values (for sticking-the-landing and DReG: phi stop-gradiented). */
export function scoreGuide(guide: Program, phi: readonly Tracer[], values: ReadonlyMap<string, Tracer>): Factor[] {
  const factors: Factor[] = [];
  const ctx: SiteCtx = {
    sample(name, dist, params) {
      const z = values.get(name);
      if (!z) throw new Error(`site ${name} was not drawn`);
      factors.push({ site: name, lp: resolveSpec(dist).logProb(params.map(asT), z) });
      return z;
    },
    ...GUIDE_ONLY,
  };
  guide(ctx, phi);
  return factors;
}

/** Scores the model at the guide's values: its log p factors (priors, likelihood, `factor`). */
export function scoreModel(model: Program, theta: readonly Tracer[], values: ReadonlyMap<string, Tracer>): Factor[] {
  const factors: Factor[] = [];
  const ctx: SiteCtx = {
    sample(name, dist, params, opts = {}) {
      const spec = resolveSpec(dist);
      const ps = params.map(asT);
      if (opts.obs !== undefined) {
        factors.push({ site: name, lp: spec.logProb(ps, opts.obs) });
        return asT(opts.obs);
      }
      const z = values.get(name);
      if (!z) throw new Error(`model site ${name} has no guide site (every latent needs one)`);
      factors.push({ site: name, lp: spec.logProb(ps, z) });
      return z;
    },
    observe(name, dist, params, value) {
      factors.push({ site: name, lp: resolveSpec(dist).logProb(params.map(asT), value) });
    },
    factor(name, lp) {
      factors.push({ site: name, lp });
    },
    value(name) {
      const z = values.get(name);
      if (!z) throw new Error(`model value ${name} has no guide site (every latent needs one)`);
      return z;
    },
  };
  model(ctx, theta);
  return factors;
}

function pad(shape: readonly number[], rank: number): number[] {
  if (shape.length > rank) throw new Error(`a site with batch shape [${shape}] needs plateRank >= ${shape.length}`);
  return [...new Array(rank - shape.length).fill(1), ...shape];
}
