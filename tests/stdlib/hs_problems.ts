// The Hock-Schittkowski validation problems (1-based in the comments, 0-based in code), written
// against the constrained-problem interface with runtime ops; derivatives come by autodiff.
import { ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { graphProblem, type GraphProblemSpec } from '../../stdlib/solvers/graph_problem.js';
import type { Problem } from '../../stdlib/index.js';

const xi = (x: Tracer, i: number) => P.index(x, i);
const vec = (...xs: Tracer[]) => P.stack(xs);
const sq = (t: Tracer) => P.mul(t, t);

export interface HsCase {
  id: number;
  spec: GraphProblemSpec;
  x0: number[];
  fStar: number;
  xStar: number[];
  equalityOnly: boolean;
}

const s3 = Math.sqrt(3),
  s7 = Math.sqrt(7);

export const hsCases: HsCase[] = [
  {
    id: 6,
    x0: [-1.2, 1],
    fStar: 0,
    xStar: [1, 1],
    equalityOnly: true,
    spec: { n: 2, f: (x) => sq(P.sub(1, xi(x, 0))), eq: (x) => vec(P.mul(10, P.sub(xi(x, 1), sq(xi(x, 0))))) },
  },
  {
    id: 7,
    x0: [2, 2],
    fStar: -s3,
    xStar: [0, s3],
    equalityOnly: true,
    spec: {
      n: 2,
      f: (x) => P.sub(P.log(P.add(1, sq(xi(x, 0)))), xi(x, 1)),
      eq: (x) => vec(P.sub(P.add(sq(P.add(1, sq(xi(x, 0)))), sq(xi(x, 1))), 4)),
    },
  },
  {
    id: 14,
    x0: [2, 2],
    fStar: 9 - 2.875 * s7,
    xStar: [(s7 - 1) / 2, (s7 + 1) / 4],
    equalityOnly: false,
    spec: {
      n: 2,
      f: (x) => P.add(sq(P.sub(xi(x, 0), 2)), sq(P.sub(xi(x, 1), 1))),
      eq: (x) => vec(P.add(P.sub(xi(x, 0), P.mul(2, xi(x, 1))), 1)),
      ineq: (x) => vec(P.sub(P.sub(1, P.div(sq(xi(x, 0)), 4)), sq(xi(x, 1)))),
    },
  },
  {
    id: 21,
    x0: [-1, -1],
    fStar: -99.96,
    xStar: [2, 0],
    equalityOnly: false,
    spec: {
      n: 2,
      f: (x) => P.sub(P.add(P.mul(0.01, sq(xi(x, 0))), sq(xi(x, 1))), 100),
      ineq: (x) => vec(P.sub(P.sub(P.mul(10, xi(x, 0)), xi(x, 1)), 10)),
      lower: [2, -50],
      upper: [50, 50],
    },
  },
  {
    id: 28,
    x0: [-4, 1, 1],
    fStar: 0,
    xStar: [0.5, -0.5, 0.5],
    equalityOnly: true,
    spec: {
      n: 3,
      f: (x) => P.add(sq(P.add(xi(x, 0), xi(x, 1))), sq(P.add(xi(x, 1), xi(x, 2)))),
      eq: (x) => vec(P.sub(P.add(P.add(xi(x, 0), P.mul(2, xi(x, 1))), P.mul(3, xi(x, 2))), 1)),
    },
  },
  {
    id: 35,
    x0: [0.5, 0.5, 0.5],
    fStar: 1 / 9,
    xStar: [4 / 3, 7 / 9, 4 / 9],
    equalityOnly: false,
    spec: {
      n: 3,
      f: (x) => {
        const [a, b, c] = [xi(x, 0), xi(x, 1), xi(x, 2)];
        const lin = P.sub(P.sub(P.sub(9, P.mul(8, a)), P.mul(6, b)), P.mul(4, c));
        const quad = P.add(
          P.add(P.add(P.mul(2, sq(a)), P.mul(2, sq(b))), sq(c)),
          P.add(P.mul(2, P.mul(a, b)), P.mul(2, P.mul(a, c))),
        );
        return P.add(lin, quad);
      },
      ineq: (x) => vec(P.sub(P.sub(P.sub(3, xi(x, 0)), xi(x, 1)), P.mul(2, xi(x, 2)))),
      lower: [0, 0, 0],
    },
  },
  {
    id: 48,
    x0: [3, 5, -3, 2, -2],
    fStar: 0,
    xStar: [1, 1, 1, 1, 1],
    equalityOnly: true,
    spec: {
      n: 5,
      f: (x) => P.add(P.add(sq(P.sub(xi(x, 0), 1)), sq(P.sub(xi(x, 1), xi(x, 2)))), sq(P.sub(xi(x, 3), xi(x, 4)))),
      eq: (x) => vec(P.sub(P.sum(x), 5), P.add(P.sub(xi(x, 2), P.mul(2, P.add(xi(x, 3), xi(x, 4)))), 3)),
    },
  },
  {
    id: 71,
    x0: [1, 5, 5, 1],
    fStar: 17.0140173,
    xStar: [1, 4.7429994, 3.8211503, 1.3794082],
    equalityOnly: false,
    spec: {
      n: 4,
      f: (x) => {
        const [a, b, c, d] = [0, 1, 2, 3].map((i) => xi(x, i)) as [Tracer, Tracer, Tracer, Tracer];
        return P.add(P.mul(P.mul(a, d), P.add(P.add(a, b), c)), c);
      },
      ineq: (x) => vec(P.sub(P.mul(P.mul(xi(x, 0), xi(x, 1)), P.mul(xi(x, 2), xi(x, 3))), 25)),
      eq: (x) => vec(P.sub(P.sumsq(x), 40)),
      lower: [1, 1, 1, 1],
      upper: [5, 5, 5, 5],
    },
  },
];

export const hsProblem = (c: HsCase): Problem => graphProblem(c.spec);
