// Adam (Kingma & Ba) on a flat float64 vector, with bias correction. The state is plain JSON.

import type { Objective, SolveOptions } from './driver.js';

export interface AdamState {
  method: 'adam';
  step: number;
  x: number[];
  f: number;
  g: number[];
  m: number[];
  v: number[];
}

export function adamInit(obj: Objective, x0: Float64Array): AdamState {
  const { f, g } = obj.evaluate(x0, 0);
  return { method: 'adam', step: 0, x: Array.from(x0), f, g: Array.from(g), m: new Array(x0.length).fill(0), v: new Array(x0.length).fill(0) };
}

/** One Adam update; returns a stop note or null. */
export function adamStep(obj: Objective, s: AdamState, o: SolveOptions): string | null {
  const lr = o.lr ?? 0.01, b1 = o.beta1 ?? 0.9, b2 = o.beta2 ?? 0.999, eps = o.eps ?? 1e-8;
  const t = s.step + 1;
  const c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
  for (let i = 0; i < s.x.length; i++) {
    const gi = s.g[i]!;
    s.m[i] = b1 * s.m[i]! + (1 - b1) * gi;
    s.v[i] = b2 * s.v[i]! + (1 - b2) * gi * gi;
    s.x[i] = s.x[i]! - (lr * (s.m[i]! / c1)) / (Math.sqrt(s.v[i]! / c2) + eps);
  }
  s.step = t;
  const { f, g } = obj.evaluate(Float64Array.from(s.x), t);
  s.f = f;
  s.g = Array.from(g);
  return null;
}
