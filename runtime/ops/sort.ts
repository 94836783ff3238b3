// Sorting along the last axis, and top-k.

import { emit, type Tracer } from './core.js';

export function sort(x: Tracer, descending = false): { values: Tracer; indices: Tracer } {
  const [values, indices] = emit('sort', [x], { descending });
  return { values: values!, indices: indices! };
}

export const argsort = (x: Tracer, descending = false): Tracer => sort(x, descending).indices;

export function topK(x: Tracer, k: number): { values: Tracer; indices: Tracer } {
  const [values, indices] = emit('top_k', [x], { k });
  return { values: values!, indices: indices! };
}
