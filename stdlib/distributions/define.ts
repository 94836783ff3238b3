// define(): builds a registry entry from its raw parts, promoting numbers and int/bool parameters
// and values to float tensors before the raw functions see them.

import { ops as P, isFloat, type Tracer } from '../../runtime/index.js';
import type { DistSpec, ParamSpec, SampleOptions, Support, SupportKind } from './types.js';
import type { Shape } from '../../runtime/index.js';

type Raw = Omit<
  DistSpec,
  | 'params'
  | 'reparameterizable'
  | 'support'
  | 'smooth'
  | 'logProb'
  | 'sample'
  | 'mean'
  | 'variance'
  | 'enumerate'
  | 'cdf'
> & {
  params: readonly (readonly [string, SupportKind, number?])[];
  support: SupportKind | Support;
  smooth?: boolean;
  logProb(params: readonly Tracer[], x: Tracer): Tracer;
  sample(params: readonly Tracer[], key: Tracer, sampleShape?: Shape, opts?: SampleOptions): Tracer;
  mean?(params: readonly Tracer[]): Tracer;
  variance?(params: readonly Tracer[]): Tracer;
  enumerate?(params: readonly Tracer[]): Tracer;
  cdf?: {
    lcdf(params: readonly Tracer[], x: Tracer): Tracer;
    lccdf(params: readonly Tracer[], x: Tracer): Tracer;
  };
};

/** Accepted spellings of named arguments besides the canonical names. */
export const PARAM_ALIASES: Readonly<Record<string, readonly string[]>> = {
  probs: ['p'],
  logits: ['logit'],
  lower: ['lo', 'alpha'],
  upper: ['hi', 'beta'],
  rate: ['lambda'],
  log_rate: ['alpha'],
};

const DISCRETE: SupportKind[] = ['boolean', 'nonnegative_integer', 'bounded_integer', 'category'];

export function toFloat(x: Tracer | number, like?: readonly Tracer[]): Tracer {
  if (typeof x === 'number') {
    const d = like?.find((t) => isFloat(t.dtype))?.dtype ?? 'float64';
    return P.full([], x, d);
  }
  return isFloat(x.dtype) ? x : P.cast(x, 'float64');
}

export function define(raw: Raw): DistSpec {
  const params: ParamSpec[] = raw.params.map(([name, constraint, eventRank]) => ({
    name,
    constraint,
    eventRank: eventRank ?? 0,
    aliases: PARAM_ALIASES[name] ?? [],
  }));
  const support: Support =
    typeof raw.support === 'string'
      ? { kind: raw.support, eventRank: 0, discrete: DISCRETE.includes(raw.support) }
      : raw.support;
  const fix = (ps: readonly (Tracer | number)[]): Tracer[] => {
    if (ps.length !== params.length) {
      throw new Error(
        `${raw.name} takes ${params.length} parameters (${params.map((p) => p.name).join(', ')}), got ${ps.length}`,
      );
    }
    const ts = ps.filter((p): p is Tracer => typeof p !== 'number');
    return ps.map((p) => toFloat(p, ts));
  };
  const reparamParams = raw.reparamParams;
  return {
    ...raw,
    params,
    support,
    reparamParams,
    smooth: raw.smooth ?? true,
    reparameterizable: !support.discrete && params.every((p) => reparamParams.includes(p.name)),
    logProb: (ps, x) => {
      const fp = fix(ps);
      return raw.logProb(fp, toFloat(x, fp));
    },
    sample: (ps, key, sampleShape: Shape = [], opts?: SampleOptions) => raw.sample(fix(ps), key, sampleShape, opts),
    mean: raw.mean && ((ps) => raw.mean!(fix(ps))),
    variance: raw.variance && ((ps) => raw.variance!(fix(ps))),
    enumerate: raw.enumerate && ((ps) => raw.enumerate!(fix(ps))),
    cdf: raw.cdf && {
      lcdf: (ps, x) => {
        const fp = fix(ps);
        return raw.cdf!.lcdf(fp, toFloat(x, fp));
      },
      lccdf: (ps, x) => {
        const fp = fix(ps);
        return raw.cdf!.lccdf(fp, toFloat(x, fp));
      },
    },
  };
}
