// Host-side handles on registered prox terms for the float64 solver loops: the prox and value
// graphs are traced once (the step t is a scalar input) and run on `ref`.

import { hostFn } from '../optim/graph_fn.js';
import { isSeparable, proxAndValueOf, proxOf, valueOf } from './registry.js';
import type { ProxFn, ValueFn } from './types.js';

export interface HostProx {
  /** prox_{t f}(x). */
  prox(x: Float64Array, t: number): Float64Array;
  /** f(x). */
  value(x: Float64Array): number;
  /** prox_{t f}(x) and f there, in one computation (when cheaper than two). */
  proxValue?(x: Float64Array, t: number): { z: Float64Array; value: number };
  /** Separable terms: per-coordinate steps, argmin f(z) + sum (z_i - x_i)^2 / (2 t_i). */
  proxDiag?(x: Float64Array, t: Float64Array): Float64Array;
}

/** Host prox/value from graph builders, for an argument of the given shape. */
export function hostProxFrom(prox: ProxFn, value: ValueFn, shape: readonly number[]): HostProx {
  const p = hostFn((x, t) => prox(x, t), [shape, []]);
  const v = hostFn((x) => value(x), [shape]);
  return { prox: (x, t) => p(x, t)[0]!, value: (x) => v(x)[0]![0]! };
}

/** Host prox/value of a registered term (see registry.ts), e.g. hostProx('norm1', { lambda: 0.1 }, [500]). */
export function hostProx(name: string, options: Record<string, unknown>, shape: readonly number[]): HostProx {
  const prox = proxOf(name, options);
  const h = hostProxFrom(prox, valueOf(name, options), shape);
  const pv = proxAndValueOf(name, options);
  if (pv) {
    const f = hostFn((x, t) => pv(x, t), [shape, []]);
    h.proxValue = (x, t) => {
      const [z, v] = f(x, t);
      return { z: z!, value: v![0]! };
    };
  }
  if (isSeparable(name)) {
    const f = hostFn((x, t) => prox(x, t), [shape, shape]);
    h.proxDiag = (x, t) => f(x, t)[0]!;
  }
  return h;
}

/** The sum of no terms (plain smooth problems run through prox methods). */
export const zeroProx: HostProx = { prox: (x) => Float64Array.from(x), value: () => 0 };

/** One prox term acting on a slice [offset, offset + size) of the flat decision vector. */
export interface ProxBlock {
  offset: number;
  size: number;
  term: HostProx;
}

/**
 * The prox of a sum of terms on disjoint slices of the flat vector (e.g. one penalty per
 * parameter): block-separable, so each block's prox is applied to its slice; entries in no block
 * are left alone (their term is 0).
 */
export function blockProx(blocks: readonly ProxBlock[]): HostProx {
  const sorted = [...blocks].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.offset < sorted[i - 1]!.offset + sorted[i - 1]!.size) throw new Error('blockProx: blocks overlap');
  }
  const sep = sorted.every((b) => b.term.proxDiag);
  const h: HostProx = {
    prox: (x, t) => {
      const z = Float64Array.from(x);
      for (const b of sorted) z.set(b.term.prox(x.subarray(b.offset, b.offset + b.size), t), b.offset);
      return z;
    },
    value: (x) => sorted.reduce((s, b) => s + b.term.value(x.subarray(b.offset, b.offset + b.size)), 0),
  };
  if (sep) {
    h.proxDiag = (x, t) => {
      const z = Float64Array.from(x);
      for (const b of sorted)
        z.set(
          b.term.proxDiag!(x.subarray(b.offset, b.offset + b.size), t.subarray(b.offset, b.offset + b.size)),
          b.offset,
        );
      return z;
    };
  }
  return h;
}
