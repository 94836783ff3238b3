// Linear algebra ops: numpy-style matmul (vectors promoted and squeezed, batch dims broadcast),
// cholesky, triangular solves, eigh and SVD.

import { emit1, emit, broadcastTo, type Tracer } from './core.js';
import { reshape, expandDims, squeeze } from './shape.js';
import { broadcastShapes } from '../ir/types.js';
import { TraceError } from '../ir/tracer.js';

export function matmul(a: Tracer, b: Tracer, transA = false, transB = false): Tracer {
  if (a.rank === 0 || b.rank === 0) throw new TraceError('matmul needs operands of rank >= 1');
  const va = a.rank === 1;
  const vb = b.rank === 1;
  let A = va ? expandDims(a, 0) : a;
  let B = vb ? expandDims(b, -1) : b;
  if (A.dtype !== B.dtype) throw new TraceError(`matmul: dtypes ${A.dtype} and ${B.dtype} differ`);
  const batch = broadcastShapes(A.shape.slice(0, -2), B.shape.slice(0, -2));
  if (!batch)
    throw new TraceError(`matmul: batch dims [${A.shape.slice(0, -2)}] and [${B.shape.slice(0, -2)}] do not broadcast`);
  A = broadcastTo(A, [...batch, ...A.shape.slice(-2)]);
  B = broadcastTo(B, [...batch, ...B.shape.slice(-2)]);
  let out = emit1('matmul', [A, B], { transA, transB });
  if (va) out = squeeze(out, -2);
  if (vb) out = squeeze(out, -1);
  return out;
}

export const dot = (a: Tracer, b: Tracer): Tracer => matmul(a, b);
export const outer = (a: Tracer, b: Tracer): Tracer => matmul(reshape(a, [-1, 1]), reshape(b, [1, -1]));
export const cholesky = (a: Tracer): Tracer => emit1('cholesky', [a], {} as Record<string, never>);
export const triangularSolve = (a: Tracer, b: Tracer, lower = true, transA = false): Tracer => {
  const vb = b.rank === a.rank - 1;
  const out = emit1('triangular_solve', [a, vb ? expandDims(b, -1) : b], { lower, transA });
  return vb ? squeeze(out, -1) : out;
};
export const eigh = (a: Tracer): { w: Tracer; v: Tracer } => {
  const [w, v] = emit('eigh', [a], {} as Record<string, never>);
  return { w: w!, v: v! };
};
export const svd = (a: Tracer): { u: Tracer; s: Tracer; v: Tracer } => {
  const [u, s, v] = emit('svd', [a], {} as Record<string, never>);
  return { u: u!, s: s!, v: v! };
};
