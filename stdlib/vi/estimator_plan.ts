// Per-site gradient estimators and the automatic choice between them, with its reason.
//
// The choice is a pure function of what the compiler knows about a site from its type: the
// distribution (support, reparameterizability) and the number of independent copies in its plate
// (its batch size). `via ...` overrides it. The compiler prints the resulting plan in
// `proxima check`'s `estimators` field; the estimator construction (estimate.ts) asks the same
// function while it traces, so the plan printed is the plan run.
//
// The rule (documented in docs/inference.md, "Programmable variational inference"):
//   1. continuous and reparameterizable -> reparam (pathwise; lowest variance in general);
//   2. finite support of size S <= ENUM_MAX_SUPPORT -> enum, in a plate too (a plate's copies are
//      independent, so enumeration costs S per copy, not S^N), as long as the objective is linear
//      in logp/logq (the ELBO); under a nonlinear objective (IWAE, Renyi, user-defined) the
//      enumeration is joint over particles, so it is chosen only when the site is alone
//      (batch 1) and S^K <= ENUM_MAX_JOINT;
//   3. otherwise reinforce: with a leave-one-out baseline when the objective draws K > 1
//      particles (VIMCO's for IWAE), else with a running-mean baseline.
// Continuous non-reparameterizable sites (Beta, Dirichlet, Gamma's shape) take rule 3.

import type { DistSpec } from '../distributions/index.js';

export type Estimator =
  | { kind: 'reparam' }
  | { kind: 'reinforce'; baseline: 'none' | 'mean' | 'loo' }
  | { kind: 'enum' }
  | { kind: 'mvd' }
  /** Sampled with no gradient through the choice (wake-sleep objectives). */
  | { kind: 'detach' };

export interface PlanEntry {
  site: string;
  estimator: Estimator;
  reason: string;
}

/** Largest finite support enumerated automatically, per independent copy. */
export const ENUM_MAX_SUPPORT = 16;
/** Largest joint enumeration (S^K over particles) under a nonlinear objective. */
export const ENUM_MAX_JOINT = 256;

export interface SiteInfo {
  site: string;
  dist: DistSpec;
  /** Support size when finite and fixed (from `enumerate`), else null. */
  supportSize: number | null;
  /** Independent copies (product of the batch shape). */
  batchSize: number;
  via?: Estimator;
}

export interface ObjectiveInfo {
  /** Linear (affine) in logp and logq, like the ELBO. */
  linear: boolean;
  /** Particles drawn per estimate. */
  samples: number;
  /** False for wake-sleep objectives: no gradient through any choice. */
  pathwise: boolean;
}

export function estimatorName(e: Estimator): string {
  return e.kind === 'reinforce' ? `reinforce(baseline = ${e.baseline})` : e.kind;
}

export function chooseEstimator(s: SiteInfo, obj: ObjectiveInfo): PlanEntry {
  const site = s.site;
  if (!obj.pathwise)
    return { site, estimator: { kind: 'detach' }, reason: 'wake-sleep objective: choices are not differentiated' };
  if (s.via) return { site, estimator: s.via, reason: `via ${estimatorName(s.via)}` };
  if (!s.dist.support.discrete && s.dist.reparameterizable)
    return { site, estimator: { kind: 'reparam' }, reason: `${s.dist.name} is continuous and reparameterizable` };
  const S = s.supportSize;
  if (S !== null && S <= ENUM_MAX_SUPPORT) {
    if (obj.linear)
      return {
        site,
        estimator: { kind: 'enum' },
        reason: `finite support of ${S} <= ${ENUM_MAX_SUPPORT} values, enumerated per plate copy`,
      };
    const joint = S ** obj.samples;
    if (s.batchSize === 1 && joint <= ENUM_MAX_JOINT)
      return {
        site,
        estimator: { kind: 'enum' },
        reason: `finite support of ${S}; joint enumeration over ${obj.samples} particles is ${joint} <= ${ENUM_MAX_JOINT}`,
      };
  }
  const why = s.dist.support.discrete
    ? S === null
      ? 'unbounded discrete support'
      : `support too large to enumerate (${S}${obj.linear ? '' : `, ${s.batchSize} copies under a nonlinear objective`})`
    : `${s.dist.name} is not reparameterizable`;
  if (obj.samples > 1)
    return {
      site,
      estimator: { kind: 'reinforce', baseline: 'loo' },
      reason: `${why}: score function with a leave-one-out baseline over ${obj.samples} particles`,
    };
  return {
    site,
    estimator: { kind: 'reinforce', baseline: 'mean' },
    reason: `${why}: score function with a running-mean baseline`,
  };
}
