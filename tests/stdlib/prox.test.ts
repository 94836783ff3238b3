// The prox table: each operator against an independent float64 reference (closed form in plain
// JavaScript, or a numerical solution of its prox subproblem), one row each; then the laws with
// fast-check: Moreau decomposition for norms, firm nonexpansiveness, projections idempotent and
// landing in their set, and optimality of each prox for its subproblem.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hostProx, type HostProx } from '../../stdlib/prox/host.js';
import { proxRegistry, checkOptions, lookupProx } from '../../stdlib/prox/registry.js';
import {
  bisect,
  dot,
  envelopeFactorsNumeric,
  envelopeValue,
  maxAbsDiff,
  norm2,
  rng,
  simplexProj,
  soft,
  solveDense,
} from './prox_refs.js';

const R = rng(7);
const groups = [[0, 1, 2], [3, 4], [5], [6, 7, 8, 9]];
const w10 = Array.from({ length: 10 }, (_, i) => 0.5 + 0.1 * i);
const A3 = [
  [1, 2, 0, -1, 0.5, 0, 0, 1, 0, 0],
  [0, 1, 1, 0, 0, -2, 0, 0, 1, 0],
  [1, 0, 0, 0, 1, 0, 1, 0, 0, 1],
];
const b3 = [1, -2, 0.5];
const aH = [1, -1, 2, 0, 0.5, 0, 0, 0, 1, -1];

const groupNormsJs = (x: ArrayLike<number>, gs: number[][]) =>
  gs.map((g) => Math.sqrt(g.reduce((s, i) => s + x[i]! ** 2, 0)));
const scaleJs = (x: ArrayLike<number>, gs: number[][], f: number[]) => {
  const out = Float64Array.from(x);
  gs.forEach((g, j) => g.forEach((i) => (out[i] = x[i]! * f[j]!)));
  return out;
};

interface Row {
  name: string;
  opts: Record<string, unknown>;
  shape: number[];
  /** Independent reference of prox_{t f}(x); null where only the laws apply. */
  ref: ((x: Float64Array, t: number) => Float64Array) | null;
}

const rows: Row[] = [
  {
    name: 'norm1',
    opts: { lambda: 0.3, weights: w10 },
    shape: [10],
    ref: (x, t) => x.map((v, i) => soft(v, t * 0.3 * w10[i]!)),
  },
  {
    name: 'elastic_net',
    opts: { l1: 0.4, l2: 0.7 },
    shape: [10],
    ref: (x, t) => x.map((v) => soft(v, 0.4 * t) / (1 + 0.7 * t)),
  },
  { name: 'ridge', opts: { lambda: 2 }, shape: [10], ref: (x, t) => x.map((v) => v / (1 + 2 * t)) },
  {
    name: 'norm2',
    opts: { lambda: 1.5 },
    shape: [10],
    ref: (x, t) => {
      const n = norm2(x);
      return x.map((v) => v * Math.max(0, 1 - (1.5 * t) / n));
    },
  },
  {
    name: 'norminf',
    opts: { lambda: 1.2 },
    shape: [10],
    ref: (x, t) => {
      const l = 1.2 * t;
      if (x.reduce((s, v) => s + Math.abs(v), 0) <= l) return new Float64Array(x.length);
      const tau = bisect((c) => l - x.reduce((s, v) => s + Math.max(Math.abs(v) - c, 0), 0), 0, 100);
      return x.map((v) => Math.sign(v) * Math.min(Math.abs(v), tau));
    },
  },
  {
    name: 'group_lasso',
    opts: { groups, lambda: 0.8, weights: [1, 2, 0.5, 1] },
    shape: [10],
    ref: (x, t) =>
      scaleJs(
        x,
        groups,
        groupNormsJs(x, groups).map((n, j) => Math.max(0, 1 - (0.8 * t * [1, 2, 0.5, 1][j]!) / n)),
      ),
  },
  { name: 'nuclear', opts: { lambda: 0.7 }, shape: [4, 3], ref: null },
  {
    name: 'l0',
    opts: { lambda: 0.5 },
    shape: [10],
    ref: (x, t) => x.map((v) => (Math.abs(v) > Math.sqrt(2 * 0.5 * t) ? v : 0)),
  },
  {
    name: 'sparse_envelope',
    opts: { k: 3, lambda: 0.9 },
    shape: [10],
    ref: (x, t) => {
      const n = Array.from(x, Math.abs);
      const f = envelopeFactorsNumeric(
        n,
        n.map(() => 1),
        3,
        0.9 * t,
      );
      return x.map((v, i) => v * f[i]!);
    },
  },
  {
    name: 'wgsef',
    opts: { groups, k: 2, lambda: 0.6, weights: [1, 1.5, 0.7, 1.2] },
    shape: [10],
    ref: (x, t) => scaleJs(x, groups, envelopeFactorsNumeric(groupNormsJs(x, groups), [1, 1.5, 0.7, 1.2], 2, 0.6 * t)),
  },
  {
    name: 'wgsef_gap',
    opts: { groups, k: 2, lambda: 0.4 },
    shape: [10],
    ref: (x, t) => {
      const tl = Math.min(t, 2) * 0.4,
        a = 1 - tl;
      const xs = x.map((v) => v / a);
      return scaleJs(xs, groups, envelopeFactorsNumeric(groupNormsJs(xs, groups), [1, 1, 1, 1], 2, tl / a));
    },
  },
  { name: 'nonneg', opts: {}, shape: [10], ref: (x) => x.map((v) => Math.max(v, 0)) },
  {
    name: 'box',
    opts: { lower: -0.5, upper: w10 },
    shape: [10],
    ref: (x) => x.map((v, i) => Math.min(Math.max(v, -0.5), w10[i]!)),
  },
  { name: 'simplex', opts: { radius: 2 }, shape: [10], ref: (x) => simplexProj(x, 2) },
  {
    name: 'l1_ball',
    opts: { radius: 1.5 },
    shape: [10],
    ref: (x) => {
      if (x.reduce((s, v) => s + Math.abs(v), 0) <= 1.5) return Float64Array.from(x);
      const p = simplexProj(Array.from(x, Math.abs), 1.5);
      return x.map((v, i) => Math.sign(v) * p[i]!);
    },
  },
  {
    name: 'l2_ball',
    opts: { radius: 1.5 },
    shape: [10],
    ref: (x) => {
      const n = norm2(x);
      return x.map((v) => (n <= 1.5 ? v : (v * 1.5) / n));
    },
  },
  { name: 'linf_ball', opts: { radius: 0.4 }, shape: [10], ref: (x) => x.map((v) => Math.min(Math.max(v, -0.4), 0.4)) },
  {
    name: 'hyperplane',
    opts: { a: aH, b: 0.3 },
    shape: [10],
    ref: (x) => {
      const r = (dot(aH, x) - 0.3) / dot(aH, aH);
      return x.map((v, i) => v - r * aH[i]!);
    },
  },
  {
    name: 'halfspace',
    opts: { a: aH, b: 0.3 },
    shape: [10],
    ref: (x) => {
      const r = Math.max(0, dot(aH, x) - 0.3) / dot(aH, aH);
      return x.map((v, i) => v - r * aH[i]!);
    },
  },
  {
    name: 'affine',
    opts: { A: A3, b: b3 },
    shape: [10],
    ref: (x) => {
      const AAt = A3.map((ri) => A3.map((rj) => dot(ri, rj)));
      const y = solveDense(
        AAt,
        A3.map((r, i) => dot(r, x) - b3[i]!),
      );
      return x.map((v, j) => v - A3.reduce((s, r, i) => s + r[j]! * y[i]!, 0));
    },
  },
  {
    name: 'sparse',
    opts: { k: 4 },
    shape: [10],
    ref: (x) => {
      const idx = Array.from(x.keys())
        .sort((a, b) => Math.abs(x[b]!) - Math.abs(x[a]!))
        .slice(0, 4);
      return x.map((v, i) => (idx.includes(i) ? v : 0));
    },
  },
  {
    name: 'group_ball',
    opts: { groups, radius: 0.9 },
    shape: [10],
    ref: (x) =>
      scaleJs(
        x,
        groups,
        groupNormsJs(x, groups).map((n) => Math.min(1, 0.9 / n)),
      ),
  },
  { name: 'spectral_ball', opts: { radius: 0.8 }, shape: [4, 3], ref: null },
];

const handles = new Map<string, HostProx>();
const H = (row: Row): HostProx => {
  let h = handles.get(row.name);
  if (!h) handles.set(row.name, (h = hostProx(row.name, row.opts, row.shape)));
  return h;
};
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe('prox table', () => {
  it('every registry entry has a row, and options are checked', () => {
    expect(new Set(rows.map((r) => r.name))).toEqual(new Set(Object.keys(proxRegistry)));
    expect(checkOptions(lookupProx('l1')!, { lambda: 'x' })).toHaveLength(1);
    expect(checkOptions(lookupProx('wgsef')!, { k: 2 })).toEqual([expect.stringContaining("missing option 'groups'")]);
    expect(() => hostProx('nope', {}, [3])).toThrow(/unknown prox operator/);
  });

  it.each(rows.filter((r) => r.ref).map((r) => [r.name, r] as const))('%s matches its reference', (_n, row) => {
    const h = H(row);
    for (let trial = 0; trial < 6; trial++) {
      const x = R.vec(size(row.shape), trial % 2 ? 2 : 0.7);
      const t = 0.3 + R.u() * 1.5;
      const got = h.prox(x, t);
      const want = row.ref!(x, t);
      expect(maxAbsDiff(got, want)).toBeLessThan(1e-9);
    }
  });

  it('the sparse envelope value follows the definition, and its prox is Argyriou = the WGSEF algorithm on singletons', () => {
    const k = 4,
      n = 12;
    const se = hostProx('sparse_envelope', { k, lambda: 1 }, [n]);
    const wg = hostProx('wgsef', { groups: Array.from({ length: n }, (_, i) => [i]), k, lambda: 1 }, [n]);
    for (let trial = 0; trial < 20; trial++) {
      const x = R.vec(n, 1 + trial);
      if (trial === 3) x[2] = x[5] = x[7] = 0; // ties and zeros
      if (trial === 4) x.fill(0.5);
      expect(Math.abs(se.value(x) - envelopeValue(x, k))).toBeLessThan(1e-10 * (1 + envelopeValue(x, k)));
      const t = 0.1 + R.u() * 3;
      expect(maxAbsDiff(se.prox(x, t), wg.prox(x, t))).toBeLessThan(1e-9);
    }
  });

  it('sparse envelope and WGSEF prox solve their subproblems (numerical reference to 1e-8, and no better point nearby)', () => {
    const cases = [
      {
        name: 'sparse_envelope',
        opts: { k: 5, lambda: 0.5 },
        gs: Array.from({ length: 40 }, (_, i) => [i]),
        w: Array(40).fill(1),
        k: 5,
        lam: 0.5,
        n: 40,
      },
      {
        name: 'wgsef',
        opts: { groups, k: 2, lambda: 1.3, weights: [1, 1.5, 0.7, 1.2] },
        gs: groups,
        w: [1, 1.5, 0.7, 1.2],
        k: 2,
        lam: 1.3,
        n: 10,
      },
    ];
    for (const c of cases) {
      const h = hostProx(c.name, c.opts, [c.n]);
      for (let trial = 0; trial < 10; trial++) {
        const x = R.vec(c.n, 2);
        const t = 0.2 + R.u() * 2;
        const z = h.prox(x, t);
        const f = envelopeFactorsNumeric(groupNormsJs(x, c.gs), c.w, c.k, c.lam * t);
        expect(maxAbsDiff(z, scaleJs(x, c.gs, f))).toBeLessThan(1e-8);
        const F = (u: Float64Array) =>
          t *
            c.lam *
            envelopeValue(
              groupNormsJs(u, c.gs).map((v, j) => v * c.w[j]!),
              c.k,
            ) +
          0.5 * norm2(u.map((v, i) => v - x[i]!)) ** 2;
        const F0 = F(z);
        for (let p = 0; p < 20; p++) {
          const d = R.vec(c.n, 1e-4);
          expect(F(z.map((v, i) => v + d[i]!))).toBeGreaterThanOrEqual(F0 - 1e-12);
        }
      }
    }
  });
});

const convex = rows.filter((r) => !['l0', 'sparse', 'wgsef_gap'].includes(r.name));
const vecArb = (n: number) =>
  fc
    .array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n, maxLength: n })
    .map((a) => Float64Array.from(a));

describe('prox laws (fast-check)', () => {
  const norms = ['norm1', 'norm2', 'norminf', 'group_lasso', 'nuclear', 'ridge'];
  it.each(norms)(
    'Moreau decomposition prox_f(x) + prox_f*(x) = x and, scaled, prox_tf(x) + t prox_{f*/t}(x/t) = x: %s',
    (name) => {
      const row = rows.find((r) => r.name === name)!;
      const e = proxRegistry[name]!;
      const cj = e.conjugate!(row.opts as never);
      const f = H(row),
        fs = hostProx(cj.name, cj.options, row.shape);
      fc.assert(
        fc.property(vecArb(size(row.shape)), fc.double({ min: 0.1, max: 3, noNaN: true }), (x, t) => {
          expect(
            maxAbsDiff(
              Float64Array.from(f.prox(x, 1), (v, i) => v + fs.prox(x, 1)[i]!),
              x,
            ),
          ).toBeLessThan(1e-9);
          if (proxRegistry[cj.name]!.kind === 'indicator') {
            const p = f.prox(x, t),
              q = fs.prox(
                x.map((v) => v / t),
                1,
              );
            expect(
              maxAbsDiff(
                p.map((v, i) => v + t * q[i]!),
                x,
              ),
            ).toBeLessThan(1e-9);
          }
        }),
        { numRuns: 40 },
      );
    },
  );

  it.each(convex.map((r) => r.name))('firm nonexpansiveness ||p(x)-p(y)||^2 <= <p(x)-p(y), x-y>: %s', (name) => {
    const row = rows.find((r) => r.name === name)!;
    const h = H(row),
      n = size(row.shape);
    fc.assert(
      fc.property(vecArb(n), vecArb(n), fc.double({ min: 0.1, max: 3, noNaN: true }), (x, y, t) => {
        const px = h.prox(x, t),
          py = h.prox(y, t);
        const d = px.map((v, i) => v - py[i]!);
        expect(dot(d, d)).toBeLessThanOrEqual(
          dot(
            d,
            x.map((v, i) => v - y[i]!),
          ) + 1e-9,
        );
      }),
      { numRuns: 40 },
    );
  });

  const projs = rows.filter((r) => proxRegistry[r.name]!.kind === 'indicator' || r.name === 'sparse');
  it.each(projs.map((r) => r.name))(
    'projection is idempotent, lands in the set and is the nearest point of it: %s',
    (name) => {
      const row = rows.find((r) => r.name === name)!;
      const h = H(row),
        n = size(row.shape);
      fc.assert(
        fc.property(vecArb(n), vecArb(n), (x, y) => {
          const p = h.prox(x, 1);
          expect(maxAbsDiff(h.prox(p, 1), p)).toBeLessThan(1e-9);
          expect(h.value(p)).toBe(0);
          const q = h.prox(y, 1); // another point of the set
          const dxp = norm2(x.map((v, i) => v - p[i]!)),
            dxq = norm2(x.map((v, i) => v - q[i]!));
          expect(dxp).toBeLessThanOrEqual(dxq + 1e-9);
        }),
        { numRuns: 40 },
      );
    },
  );

  it.each(
    rows
      .filter((r) => proxRegistry[r.name]!.kind !== 'indicator' && !['sparse', 'wgsef_gap'].includes(r.name))
      .map((r) => r.name),
  )('the prox minimizes t f(z) + 0.5 ||z - x||^2 (no better point nearby or at 0 or x): %s', (name) => {
    const row = rows.find((r) => r.name === name)!;
    const h = H(row),
      n = size(row.shape);
    fc.assert(
      fc.property(
        vecArb(n),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        fc.integer({ min: 0, max: 1e6 }),
        (x, t, seed) => {
          const F = (z: Float64Array) => t * h.value(z) + 0.5 * norm2(z.map((v, i) => v - x[i]!)) ** 2;
          const z = h.prox(x, t),
            F0 = F(z);
          const r = rng(seed);
          const cands = [
            new Float64Array(n),
            Float64Array.from(x),
            ...[1e-2, 1e-4, 1e-6].map((s) => {
              const d = r.vec(n, s);
              return z.map((v, i) => v + d[i]!);
            }),
          ];
          // l0 is nonconvex: its prox is a global minimizer, so the same checks apply.
          for (const c of cands) expect(F(c)).toBeGreaterThanOrEqual(F0 - 1e-9 * (1 + Math.abs(F0)));
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('blockProx', () => {
  it('applies each term to its slice and sums the values', async () => {
    const { blockProx } = await import('../../stdlib/prox/host.js');
    const h = blockProx([
      { offset: 0, size: 3, term: hostProx('norm1', { lambda: 1 }, [3]) },
      { offset: 5, size: 2, term: hostProx('nonneg', {}, [2]) },
    ]);
    const x = Float64Array.of(2, -0.5, -3, 7, -7, -1, 4);
    expect(Array.from(h.prox(x, 1))).toEqual([1, -0, -2, 7, -7, 0, 4]);
    expect(h.value(h.prox(x, 1))).toBe(3);
    expect(h.value(x)).toBe(Infinity);
    expect(h.proxDiag).toBeDefined();
  });
});
