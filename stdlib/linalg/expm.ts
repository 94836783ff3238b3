// The matrix exponential by scaling and squaring with the [13/13] Pade approximant (Higham 2005,
// "The scaling and squaring method for the matrix exponential revisited"): A is scaled by 2^-s so
// that ||A 2^-s||_1 <= theta_13, r_13 = (V - U)^-1 (V + U) is formed with one linear solve, and
// the result is squared s times. Everything is composed from primitives (the solve is
// gauss_jordan.ts), so derivatives of any order come free; s is a stopped function of A (piecewise
// constant), as Higham's choice is. The squarings are a scan of MAX_SQUARINGS steps, each a
// select between R R and R, so the graph is fixed: norms up to theta_13 2^40 (about 5.9e12)
// are scaled fully, far past where exp overflows for all but special matrices.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { eye, solve } from './gauss_jordan.js';

const B13 = [
  64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000, 10559470521600,
  670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1,
];
const THETA13 = 5.371920351148152;
export const MAX_SQUARINGS = 40;

const lin = (terms: [number, Tracer][]): Tracer => terms.map(([c, m]) => P.mul(c, m)).reduce((acc, t) => P.add(acc, t));

/** e^A of a square matrix A [n, n]. */
export function expm(a: Tracer): Tracer {
  const n = a.shape[0]!;
  const norm1 = P.max(P.sum(P.abs(P.stopGradient(a)), 0));
  const s = P.maximum(0, P.ceil(P.div(P.log(P.div(norm1, THETA13)), Math.LN2)));
  const x = P.mul(a, P.pow(2, P.neg(s)));
  const I = eye(n);
  const x2 = P.matmul(x, x);
  const x4 = P.matmul(x2, x2);
  const x6 = P.matmul(x4, x2);
  const b = B13;
  const u = P.matmul(
    x,
    P.add(
      P.matmul(
        x6,
        lin([
          [b[13]!, x6],
          [b[11]!, x4],
          [b[9]!, x2],
        ]),
      ),
      lin([
        [b[7]!, x6],
        [b[5]!, x4],
        [b[3]!, x2],
        [b[1]!, I],
      ]),
    ),
  );
  const v = P.add(
    P.matmul(
      x6,
      lin([
        [b[12]!, x6],
        [b[10]!, x4],
        [b[8]!, x2],
      ]),
    ),
    lin([
      [b[6]!, x6],
      [b[4]!, x4],
      [b[2]!, x2],
      [b[0]!, I],
    ]),
  );
  const r = solve(P.sub(v, u), P.add(v, u));
  const { carry } = P.scan(
    (c, [i]) => [[P.where(P.lt(P.cast(i!, 'float64'), s), P.matmul(c[0]!, c[0]!), c[0]!)], []],
    [r],
    [P.arange(MAX_SQUARINGS)],
  );
  return carry[0]!;
}
