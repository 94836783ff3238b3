// The integrator and the NUTS tree on a 1-d standard normal, where leapfrog has a closed form:
// one step of size e is the linear map [q, p] -> [(1 - e^2/2) q + e p, -e (1 - e^2/4) q + (1 - e^2/2) p],
// which conserves the shadow energy p^2/2 + (1 - e^2/4) q^2/2 exactly. The tree is checked
// against a second, deliberately naive implementation of multinomial NUTS that keeps the whole
// trajectory as an array and sums momenta over index ranges, fed the same random numbers.
import { describe, expect, it } from 'vitest';
import {
  chainKey,
  hamiltonian,
  hmcTransition,
  hmcWorkspace,
  leapfrog,
  newPoint,
  nutsTransition,
  nutsWorkspace,
  Stream,
  unitMetric,
  metricFrom,
  evaluate,
  type LogDensity,
} from '../../stdlib/mcmc/index.js';

const normal1: LogDensity = {
  n: 1,
  logpGrad(q, g) {
    g[0] = -q[0]!;
    return -0.5 * q[0]! * q[0]!;
  },
};

function closedForm(q: number, p: number, e: number, steps: number): [number, number] {
  for (let i = 0; i < steps; i++) {
    const q1 = (1 - (e * e) / 2) * q + e * p;
    const p1 = -e * (1 - (e * e) / 4) * q + (1 - (e * e) / 2) * p;
    q = q1;
    p = p1;
  }
  return [q, p];
}

describe('leapfrog on a 1-d standard normal', () => {
  const m = unitMetric(1);
  it('follows the closed-form trajectory to 1e-12', () => {
    const z = newPoint(1);
    z.q[0] = 0.7;
    z.p[0] = -1.3;
    evaluate(normal1, z);
    const v = new Float64Array(1);
    for (let k = 1; k <= 200; k++) {
      leapfrog(normal1, m, z, 0.3, v);
      const [q, p] = closedForm(0.7, -1.3, 0.3, k);
      expect(Math.abs(z.q[0]! - q)).toBeLessThan(1e-12);
      expect(Math.abs(z.p[0]! - p)).toBeLessThan(1e-12);
    }
  });

  it('conserves the shadow energy and is reversible to 1e-12', () => {
    const e = 0.45;
    const z = newPoint(1);
    z.q[0] = -1.1;
    z.p[0] = 0.4;
    evaluate(normal1, z);
    const shadow = () => 0.5 * z.p[0]! ** 2 + 0.5 * (1 - (e * e) / 4) * z.q[0]! ** 2;
    const h0 = shadow();
    const v = new Float64Array(1);
    for (let k = 0; k < 500; k++) {
      leapfrog(normal1, m, z, e, v);
      expect(Math.abs(shadow() - h0)).toBeLessThan(1e-12);
    }
    z.p[0] = -z.p[0]!;
    for (let k = 0; k < 500; k++) leapfrog(normal1, m, z, e, v);
    expect(Math.abs(z.q[0]! + 1.1)).toBeLessThan(1e-12);
    expect(Math.abs(z.p[0]! + 0.4)).toBeLessThan(1e-12);
  });

  it('a dense metric equal to a diagonal one gives the same trajectory', () => {
    const ld: LogDensity = {
      n: 2,
      logpGrad(q, g) {
        g[0] = -q[0]! / 4;
        g[1] = -q[1]! * 3;
        return -(q[0]! ** 2) / 8 - 1.5 * q[1]! ** 2;
      },
    };
    const diag = metricFrom('diag', 2, [4, 1 / 3]);
    const dense = metricFrom('dense', 2, [4, 0, 0, 1 / 3]);
    const a = newPoint(2);
    const b = newPoint(2);
    for (const z of [a, b]) {
      z.q.set([1, -0.5]);
      z.p.set([0.2, 0.9]);
      evaluate(ld, z);
    }
    const v = new Float64Array(2);
    for (let k = 0; k < 50; k++) {
      leapfrog(ld, diag, a, 0.2, v);
      leapfrog(ld, dense, b, 0.2, v);
    }
    expect(Math.abs(a.q[0]! - b.q[0]!) + Math.abs(a.q[1]! - b.q[1]!)).toBeLessThan(1e-13);
    expect(Math.abs(hamiltonian(diag, a) - hamiltonian(dense, b))).toBeLessThan(1e-13);
  });
});

/** A stream that hands out recorded numbers: momenta from `normals`, uniforms from a real stream (recorded). */
class Scripted extends Stream {
  used: number[] = [];
  constructor(
    private readonly momenta: number[],
    private readonly src: Stream,
  ) {
    super(new Int32Array(2));
  }
  override uniform(): number {
    const u = this.src.uniform();
    this.used.push(u);
    return u;
  }
  override normal(): number {
    return this.momenta.shift()!;
  }
}

interface RefResult {
  q: number[];
  depth: number;
  nLeapfrog: number;
  divergent: boolean;
  accept: number;
}

type Vec = number[];
const dotv = (a: Vec, b: Vec) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/**
 * Naive multinomial NUTS on N(0, diag(1 / prec)) with a diagonal inverse metric `minv`: the
 * trajectory is a map from time index to (q, p); rho over a range is summed from scratch;
 * subtrees are index ranges; its own leapfrog. Uses the uniforms in the order of the sampler
 * under test (direction, merges in post-order, the top-level choice).
 */
function referenceNuts(
  q0: Vec,
  p0: Vec,
  e: number,
  maxDepth: number,
  prec: Vec,
  minv: Vec,
  u: () => number,
): RefResult {
  const n = q0.length;
  const H = (q: Vec, p: Vec) =>
    q.reduce((s, x, i) => s + 0.5 * prec[i]! * x * x, 0) + p.reduce((s, x, i) => s + 0.5 * minv[i]! * x * x, 0);
  const sharp = (p: Vec) => p.map((x, i) => minv[i]! * x);
  const step = (q: Vec, p: Vec, h: number): [Vec, Vec] => {
    const ph = p.map((x, i) => x - 0.5 * h * prec[i]! * q[i]!);
    const q1 = q.map((x, i) => x + h * minv[i]! * ph[i]!);
    return [q1, ph.map((x, i) => x - 0.5 * h * prec[i]! * q1[i]!)];
  };
  const H0 = H(q0, p0);
  const states = new Map<number, [Vec, Vec]>([[0, [q0, p0]]]);
  let lo = 0;
  let hi = 0;
  let nLeapfrog = 0;
  let metro = 0;
  let divergent = false;
  const rhoRange = (a: number, b: number) => {
    const s = new Array<number>(n).fill(0);
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) states.get(i)![1].forEach((x, k) => (s[k] += x));
    return s;
  };
  // The criterion on the time range [a, b] (either order), with rho = sum of momenta over `rho`'s range.
  const free = (a: number, b: number, rho: Vec) =>
    dotv(sharp(states.get(Math.min(a, b))![1]), rho) > 0 && dotv(sharp(states.get(Math.max(a, b))![1]), rho) > 0;
  const lse = (a: number, b: number) =>
    a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
  // 2^d new states after time `from` in direction dir: [valid, log weight, proposal time].
  const build = (from: number, d: number, dir: number): [boolean, number, number] => {
    if (d === 0) {
      const [q, p] = states.get(from)!;
      const [q1, p1] = step(q, p, dir * e);
      const t = from + dir;
      states.set(t, [q1, p1]);
      nLeapfrog++;
      const h = H(q1, p1);
      if (h - H0 > 1000) divergent = true;
      metro += Math.min(1, Math.exp(H0 - h));
      return [!divergent, H0 - h, t];
    }
    const [v1, w1, prop1] = build(from, d - 1, dir);
    if (!v1) return [false, 0, 0];
    const mid = from + dir * 2 ** (d - 1); // last state of the first half
    const [v2, w2, prop2] = build(mid, d - 1, dir);
    if (!v2) return [false, 0, 0];
    const w = lse(w1, w2);
    const prop = u() < Math.exp(w2 - w) ? prop2 : prop1;
    const a = from + dir;
    const b = from + dir * 2 ** d;
    return [
      free(a, b, rhoRange(a, b)) && free(a, mid + dir, rhoRange(a, mid + dir)) && free(mid, b, rhoRange(mid, b)),
      w,
      prop,
    ];
  };
  let lsw = 0;
  let sample = 0;
  let depth = 0;
  while (depth < maxDepth) {
    const dir = u() > 0.5 ? 1 : -1;
    const [valid, w, prop] = build(dir > 0 ? hi : lo, depth, dir);
    if (!valid) break;
    const oldLo = lo;
    const oldHi = hi;
    if (dir > 0) hi += 2 ** depth;
    else lo -= 2 ** depth;
    depth++;
    if (w > lsw || u() < Math.exp(w - lsw)) sample = prop;
    lsw = lse(lsw, w);
    // The whole trajectory, and across the seam: each part with the other's first state next to it.
    const ok =
      free(lo, hi, rhoRange(lo, hi)) &&
      (dir > 0
        ? free(oldLo, oldHi + 1, rhoRange(oldLo, oldHi + 1)) && free(oldHi, hi, rhoRange(oldHi, hi))
        : free(lo, oldLo, rhoRange(lo, oldLo)) && free(oldLo - 1, oldHi, rhoRange(oldLo - 1, oldHi)));
    if (!ok) break;
  }
  return { q: states.get(sample)![0], depth, nLeapfrog, divergent, accept: metro / nLeapfrog };
}

describe('the NUTS tree against a naive reference', () => {
  for (const [prec, minv, e, maxDepth] of [
    [[1], [1], 0.1, 10],
    [[1], [1], 1.2, 10],
    [[1], [1], 1.9, 10],
    [[1], [1], 0.05, 4],
    [[1, 30], [1, 1], 0.15, 10],
    [[1, 30, 0.2], [1, 0.05, 3], 0.4, 10],
    [[4, 0.01], [0.3, 50], 0.9, 6],
  ] as const)
    it(`precisions ${prec}, inverse metric ${minv}, step ${e}, depth ${maxDepth}: the same 200 transitions`, () => {
      const n = prec.length;
      const ld: LogDensity = {
        n,
        logpGrad(q, g) {
          let s = 0;
          for (let i = 0; i < n; i++) {
            g[i] = -prec[i]! * q[i]!;
            s -= 0.5 * prec[i]! * q[i]! * q[i]!;
          }
          return s;
        },
      };
      const m = metricFrom('diag', n, minv);
      const ws = nutsWorkspace(n, maxDepth);
      const src = new Stream(chainKey(3, Math.round(e * 100)));
      const z = newPoint(n);
      z.q.fill(0.3);
      evaluate(ld, z);
      let saturated = 0;
      for (let it = 0; it < 200; it++) {
        // Momenta ~ N(0, M) with M = diag(1 / minv).
        const p0 = minv.map((v) => src.normal() / Math.sqrt(v));
        const q0 = Array.from(z.q);
        const rng = new Scripted(
          p0.map((p, i) => p * Math.sqrt(minv[i]!)),
          new Stream(chainKey(9, it)),
        );
        const r = nutsTransition(ld, m, z, e, maxDepth, rng, ws);
        const replay = [...rng.used];
        const ref = referenceNuts(q0, p0, e, maxDepth, [...prec], [...minv], () => replay.shift()!);
        expect(replay).toEqual([]); // both used the same number of uniforms
        expect(r.treedepth).toBe(ref.depth);
        expect(r.nLeapfrog).toBe(ref.nLeapfrog);
        expect(r.divergent).toBe(ref.divergent);
        expect(Math.abs(r.acceptStat - ref.accept)).toBeLessThan(1e-12);
        for (let i = 0; i < n; i++) expect(Math.abs(z.q[i]! - ref.q[i]!)).toBeLessThan(1e-10);
        if (r.treedepth === maxDepth) saturated++;
      }
      if (e === 0.05) expect(saturated).toBeGreaterThan(100);
    });
});

describe('stationarity on simple targets', () => {
  const moments = (draws: number[]) => {
    const m = draws.reduce((a, b) => a + b, 0) / draws.length;
    const v = draws.reduce((a, b) => a + (b - m) ** 2, 0) / draws.length;
    return { m, v };
  };
  it('NUTS with a fixed step keeps N(0, 1)', () => {
    const m = unitMetric(1);
    const ws = nutsWorkspace(1, 10);
    const rng = new Stream(chainKey(5, 0));
    const z = newPoint(1);
    evaluate(normal1, z);
    const draws: number[] = [];
    for (let i = 0; i < 20000; i++) {
      nutsTransition(normal1, m, z, 0.9, 10, rng, ws);
      draws.push(z.q[0]!);
    }
    const { m: mean, v } = moments(draws);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.04);
  });

  it('static HMC keeps a scaled normal under a diagonal metric', () => {
    const ld: LogDensity = {
      n: 1,
      logpGrad(q, g) {
        g[0] = -q[0]! / 9;
        return -(q[0]! ** 2) / 18;
      },
    };
    const m = metricFrom('diag', 1, [4]);
    const ws = hmcWorkspace(1);
    const rng = new Stream(chainKey(6, 0));
    const z = newPoint(1);
    evaluate(ld, z);
    const draws: number[] = [];
    let acc = 0;
    for (let i = 0; i < 20000; i++) {
      acc += hmcTransition(ld, m, z, 0.7, 5, rng, ws).acceptStat;
      draws.push(z.q[0]!);
    }
    const { m: mean, v } = moments(draws);
    expect(acc / 20000).toBeGreaterThan(0.8);
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(Math.abs(v / 9 - 1)).toBeLessThan(0.06);
  });
});
