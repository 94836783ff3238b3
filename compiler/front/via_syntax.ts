// `x ~ D(...) via estimator`: the per-site override of the automatic estimator choice
// (stdlib/vi/estimator_plan.ts), parsed once here for the checker and the estimator plan:
//   via reparam | enumerate | mvd | reinforce | reinforce(baseline = none | mean | loo)
// `enum` is accepted for `enumerate`. Pure syntax: whether the estimator suits the site's
// distribution is the plan's question.

import type { Expr, Span } from '../../grammar/index.js';
import type { Estimator } from '../../stdlib/index.js';

export interface ViaError {
  error: string;
  span: Span;
}

const BASELINES = ['none', 'mean', 'loo'] as const;

/** A `via` annotation as an estimator, or the error and the span it belongs to. */
export function viaEstimator(e: Expr): Estimator | ViaError {
  const name = e.kind === 'Ident' ? e.name : e.kind === 'Call' ? e.callee.name : null;
  const args = e.kind === 'Call' ? e.args : [];
  const noArgs = (est: Estimator): Estimator | ViaError => {
    if (args.length) return { error: `\`via ${name}\` takes no options`, span: e.span };
    return est;
  };
  switch (name) {
    case 'reparam':
      return noArgs({ kind: 'reparam' });
    case 'enumerate':
    case 'enum':
      return noArgs({ kind: 'enum' });
    case 'mvd':
      return noArgs({ kind: 'mvd' });
    case 'reinforce': {
      let baseline: Estimator & { kind: 'reinforce' } = { kind: 'reinforce', baseline: 'none' };
      for (const a of args) {
        if (a.name?.name !== 'baseline')
          return { error: "reinforce's option is `baseline = none | mean | loo`", span: a.span };
        const v = a.value.kind === 'Ident' ? a.value.name : '';
        if (!(BASELINES as readonly string[]).includes(v))
          return {
            error: `unknown baseline \`${v || '?'}\`; choices: none, mean (a running mean), loo (leave-one-out over the particles)`,
            span: a.value.span,
          };
        baseline = { kind: 'reinforce', baseline: v as (typeof BASELINES)[number] };
      }
      return baseline;
    }
    default:
      return {
        error: `unknown estimator${name ? ` \`${name}\`` : ''}; choices: reparam, enumerate, mvd, reinforce(baseline = none | mean | loo)`,
        span: e.span,
      };
  }
}
