// Constraint transforms, table-driven: for each, random unconstrained points round-trip through
// forward and inverse, land in the support, and the log|det J| each transform reports equals
// the log-determinant of the Jacobian computed by autodiff (on the ref backend) of u -> the
// value's free coordinates.

import { describe, expect, it } from 'vitest';
import { ops as P, jacobian, trace, runRef, type Tracer } from '../../runtime/index.js';
import { arrayOf, transforms, type ConstraintTransform } from '../../stdlib/constraints/index.js';

interface Case {
  name: string;
  t: ConstraintTransform;
  shape: number[];
  bounds: number[][];
  /** Indices (into the flattened value) of the coordinates that determine it. */
  free: (shape: number[]) => number[];
  support: (x: Float64Array, shape: number[]) => void;
}

const all = (shape: number[]) => Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i);
const lowerTri = (strict: boolean) => (shape: number[]) => {
  const k = shape[0]!;
  const out: number[] = [];
  for (let i = 0; i < k; i++) for (let j = 0; j < (strict ? i : i + 1); j++) out.push(i * k + j);
  return out;
};

const cases: Case[] = [
  {
    name: 'lower',
    t: transforms.lower!,
    shape: [3],
    bounds: [[1.5]],
    free: all,
    support: (x) => x.forEach((v) => expect(v).toBeGreaterThan(1.5)),
  },
  {
    name: 'upper',
    t: transforms.upper!,
    shape: [2, 2],
    bounds: [[-1, 2]],
    free: all,
    support: (x) => x.forEach((v, i) => expect(v).toBeLessThan(i % 2 ? 2 : -1)),
  },
  {
    name: 'interval',
    t: transforms.interval!,
    shape: [3],
    bounds: [[0], [1, 2, 3]],
    free: all,
    support: (x) =>
      x.forEach((v, i) => {
        expect(v).toBeGreaterThan(0);
        expect(v).toBeLessThan(i + 1);
      }),
  },
  {
    name: 'positive',
    t: transforms.positive!,
    shape: [],
    bounds: [],
    free: all,
    support: (x) => expect(x[0]).toBeGreaterThan(0),
  },
  { name: 'identity', t: transforms.identity!, shape: [2], bounds: [], free: all, support: () => {} },
  {
    name: 'simplex',
    t: transforms.simplex!,
    shape: [4],
    bounds: [],
    free: (s) => all([s[0]! - 1]),
    support: (x) => {
      x.forEach((v) => expect(v).toBeGreaterThan(0));
      expect(x.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    },
  },
  {
    name: 'ordered',
    t: transforms.ordered!,
    shape: [4],
    bounds: [],
    free: all,
    support: (x) => {
      for (let i = 1; i < x.length; i++) expect(x[i]).toBeGreaterThan(x[i - 1]!);
    },
  },
  {
    name: 'positive_ordered',
    t: transforms.positive_ordered!,
    shape: [3],
    bounds: [],
    free: all,
    support: (x) => {
      expect(x[0]).toBeGreaterThan(0);
      for (let i = 1; i < x.length; i++) expect(x[i]).toBeGreaterThan(x[i - 1]!);
    },
  },
  {
    name: 'ordered_lower',
    t: transforms.ordered_lower!,
    shape: [3],
    bounds: [[-2]],
    free: all,
    support: (x) => {
      expect(x[0]).toBeGreaterThan(-2);
      for (let i = 1; i < x.length; i++) expect(x[i]).toBeGreaterThan(x[i - 1]!);
    },
  },
  {
    name: 'ordered_upper',
    t: transforms.ordered_upper!,
    shape: [3],
    bounds: [[4]],
    free: all,
    support: (x) => {
      expect(x[2]).toBeLessThan(4);
      for (let i = 1; i < x.length; i++) expect(x[i]).toBeGreaterThan(x[i - 1]!);
    },
  },
  {
    name: 'ordered_interval',
    t: transforms.ordered_interval!,
    shape: [4],
    bounds: [[-1], [3]],
    free: all,
    support: (x) => {
      expect(x[0]).toBeGreaterThan(-1);
      expect(x[3]).toBeLessThan(3);
      for (let i = 1; i < x.length; i++) expect(x[i]).toBeGreaterThan(x[i - 1]!);
    },
  },
  {
    name: 'simplex[4][2] (batched)',
    t: arrayOf(transforms.simplex!, 1),
    shape: [2, 4],
    bounds: [],
    free: () => [0, 1, 2, 4, 5, 6],
    support: (x) => {
      for (const r of [0, 1]) expect(x[4 * r]! + x[4 * r + 1]! + x[4 * r + 2]! + x[4 * r + 3]!).toBeCloseTo(1, 12);
    },
  },
  {
    name: 'ordered_interval[3][2] (batched)',
    t: arrayOf(transforms.ordered_interval!, 1),
    shape: [2, 3],
    bounds: [[0], [1]],
    free: all,
    support: (x) => {
      for (const r of [0, 1]) {
        expect(x[3 * r]).toBeGreaterThan(0);
        expect(x[3 * r + 2]).toBeLessThan(1);
        for (let i = 1; i < 3; i++) expect(x[3 * r + i]).toBeGreaterThan(x[3 * r + i - 1]!);
      }
    },
  },
  {
    name: 'cov[2][2] (element by element)',
    t: arrayOf(transforms.cov!, 1),
    shape: [2, 2, 2],
    bounds: [],
    free: () => [0, 2, 3, 4, 6, 7],
    support: (x) => {
      for (const r of [0, 1]) {
        expect(x[4 * r + 1]).toBeCloseTo(x[4 * r + 2]!, 12);
        expect(x[4 * r]! * x[4 * r + 3]! - x[4 * r + 1]! ** 2).toBeGreaterThan(0);
      }
    },
  },
  {
    name: 'cholesky_corr',
    t: transforms.cholesky_corr!,
    shape: [4, 4],
    bounds: [],
    free: lowerTri(true),
    support: (x, s) => {
      const k = s[0]!;
      for (let i = 0; i < k; i++) {
        let r = 0;
        for (let j = 0; j < k; j++) {
          r += x[i * k + j]! ** 2;
          if (j > i) expect(x[i * k + j]).toBe(0);
        }
        expect(r).toBeCloseTo(1, 12);
        expect(x[i * k + i]).toBeGreaterThan(0);
      }
    },
  },
  {
    name: 'cov',
    t: transforms.cov!,
    shape: [3, 3],
    bounds: [],
    free: lowerTri(false),
    support: (x, s) => {
      const k = s[0]!;
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) expect(x[i * k + j]).toBeCloseTo(x[j * k + i]!, 12);
      // Positive definite: the leading minors of a 3 x 3 are positive.
      expect(x[0]).toBeGreaterThan(0);
      expect(x[0]! * x[4]! - x[1]! * x[3]!).toBeGreaterThan(0);
    },
  },
];

function logAbsDet(a: number[][]): number {
  const n = a.length;
  const m = a.map((r) => [...r]);
  let s = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    s += Math.log(Math.abs(piv));
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / piv;
      for (let k = c; k < n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return s;
}

function points(n: number, seed: number): Float64Array {
  let s = seed;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648) * 3 - 1.5;
  }
  return out;
}

const ref = (x: Float64Array | number[], shape: number[]) => ({ data: Float64Array.from(x), shape });

describe('constraint transforms', () => {
  for (const c of cases) {
    describe(c.name, () => {
      const m = c.t.size(c.shape);
      const boundShapes = c.bounds.map((b) => (b.length === 1 ? [] : [b.length]));
      const bounds = c.bounds.map((b, i) => ref(b, boundShapes[i]!));
      const fwd = trace(
        (u: Tracer, ...bs: Tracer[]) => {
          const r = c.t.forward(u, c.shape, bs);
          return [r.value, r.logJac, c.t.inverse(r.value, c.shape, bs)];
        },
        [[m], ...boundShapes],
      );
      const free = c.free(c.shape);
      const jac = trace(
        (u: Tracer, ...bs: Tracer[]) =>
          jacobian((v: Tracer) => P.take(P.flatten(c.t.forward(v, c.shape, bs).value), free))(u),
        [[m], ...boundShapes],
      );

      for (const seed of [1, 2, 3]) {
        it(`round-trips, stays in the support and reports log|det J| (seed ${seed})`, () => {
          const u = points(m, seed);
          const [x, lj, back] = runRef(fwd, [ref(u, [m]), ...bounds]);
          c.support(Float64Array.from(x!.data), c.shape);
          for (let i = 0; i < m; i++) expect(back!.data[i]).toBeCloseTo(u[i]!, 9);
          const J = runRef(jac, [ref(u, [m]), ...bounds])[0]!;
          expect(J.shape).toEqual([free.length, m]);
          const rows = Array.from({ length: m }, (_, i) => Array.from(J.data.slice(i * m, i * m + m)));
          expect(lj!.data[0]).toBeCloseTo(logAbsDet(rows), 9);
        });
      }
    });
  }

  it('takes parameter-dependent bounds: derivatives flow into the bound', () => {
    // b in [0, 1 - a]: d value / d a at fixed u is sigmoid(u) * d(1 - a)/da = -sigmoid(u).
    const g = trace(
      (u: Tracer, a: Tracer) =>
        jacobian((aa: Tracer) => transforms.interval!.forward(u, [], [P.zeros([]), P.sub(1, aa)]).value)(a),
      [[1], []],
    );
    const [d] = runRef(g, [ref([0.3], [1]), ref([0.2], [])]);
    expect(d!.data[0]).toBeCloseTo(-1 / (1 + Math.exp(-0.3)), 12);
  });
});
