// The dense linear algebra built-ins beyond their table rows (tests/compiler/builtin_matrix_rows.ts):
// expm and its derivative against a Taylor-series reference on random 5 x 5 matrices; solve,
// inverse and logdet on random systems against float64 Gaussian elimination; and, from `.opt`,
// the shape errors, the zero-gradient warning and the inv-of-a-matrix warning.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { boxMuller, jvp, mulberry32, ops as P, runRef, trace, vjp, type Tracer } from '../../runtime/index.js';
import { builtinTable } from '../../compiler/front/builtins.js';
import { check, run } from '../../index.js';

const N = 5;
type M = Float64Array;

const matmul = (a: M, b: M, n: number): M => {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const x = a[i * n + k]!;
      for (let j = 0; j < n; j++) c[i * n + j] += x * b[k * n + j]!;
    }
  return c;
};

/** e^A by its Taylor series on A / 2^s (norm <= 1/2, summed to below 1e-18), squared s times. */
function expmSeries(a: M, n: number): M {
  const norm = Math.max(
    ...Array.from({ length: n }, (_, j) => a.reduce((s, _x, k) => (k % n === j ? s + Math.abs(a[k]!) : s), 0)),
  );
  const s = Math.max(0, Math.ceil(Math.log2(norm / 0.5)));
  const x = a.map((v) => v / 2 ** s);
  let term: M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) term[i * n + i] = 1;
  const sum = Float64Array.from(term);
  for (let k = 1; k < 40; k++) {
    term = matmul(term, x, n).map((v) => v / k);
    sum.forEach((_, i) => (sum[i] += term[i]!));
  }
  let r: M = sum;
  for (let i = 0; i < s; i++) r = matmul(r, r, n);
  return r;
}

/** The Frechet derivative L(A, E): the upper-right block of e^[[A, E], [0, A]]. */
function expmFrechet(a: M, e: M, n: number): M {
  const big = new Float64Array(4 * n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      big[i * 2 * n + j] = a[i * n + j]!;
      big[(i + n) * 2 * n + j + n] = a[i * n + j]!;
      big[i * 2 * n + j + n] = e[i * n + j]!;
    }
  const r = expmSeries(big, 2 * n);
  return Float64Array.from({ length: n * n }, (_, k) => r[Math.floor(k / n) * 2 * n + (k % n) + n]!);
}

const rand = mulberry32(20261208);
const gauss = () => boxMuller(1 - rand(), rand());
const randMat = (n: number, scale = 1): M => Float64Array.from({ length: n * n }, () => scale * gauss());
const lower =
  (name: string) =>
  (...xs: Tracer[]) =>
    builtinTable.get(name)!.lower({ args: xs, axis: undefined, ints: [] }) as Tracer;

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number) => {
  const scale = Math.max(1, ...Array.from(want, Math.abs));
  const err = Math.max(...Array.from(want, (w, i) => Math.abs(got[i]! - w)));
  expect(err / scale, `max error ${err} (scale ${scale})`).toBeLessThan(tol);
};

describe('expm', () => {
  const expm = lower('expm');
  // One graph for the value, the forward derivative along E and the reverse one along G.
  const g = trace(
    (a: Tracer, e: Tracer, c: Tracer) => {
      const [[y], [dy]] = jvp((x: Tracer) => expm(x), [a], [e]);
      const r = vjp((x: Tracer) => expm(x), [a]);
      return [y!, dy!, r.pullback([c])[0]!];
    },
    [
      [N, N],
      [N, N],
      [N, N],
    ],
  );
  const arr = (d: M) => ({ data: d, shape: [N, N] });

  it('matches the series, value and derivatives, on 10 random 5 x 5 matrices to 1e-10', () => {
    for (let t = 0; t < 10; t++) {
      // norms from about 0.5 to 12: no scaling up to several squarings
      const a = randMat(N, 0.1 + 0.3 * t);
      const e = randMat(N);
      const c = randMat(N);
      const [y, dy, ga] = runRef(g, [arr(a), arr(e), arr(c)]);
      close(y!.data, expmSeries(a, N), 1e-10);
      const L = expmFrechet(a, e, N);
      close(dy!.data, L, 1e-10);
      // <C, L(A, E)> = <grad, E>: the reverse derivative is the adjoint of the forward one
      const want = c.reduce((s, ci, i) => s + ci * L[i]!, 0);
      const got = e.reduce((s, ei, i) => s + ei * ga!.data[i]!, 0);
      expect(Math.abs(got - want) / Math.max(1, Math.abs(want))).toBeLessThan(1e-10);
    }
  });
});

/** Float64 Gaussian elimination with partial pivoting: the solution and log |det|. */
function hostSolve(a: M, b: M, n: number, m: number): { x: M; logdet: number } {
  const A = Float64Array.from(a);
  const B = Float64Array.from(b);
  let logdet = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]!) > Math.abs(A[p * n + c]!)) p = r;
    for (let j = 0; j < n; j++) [A[c * n + j], A[p * n + j]] = [A[p * n + j]!, A[c * n + j]!];
    for (let j = 0; j < m; j++) [B[c * m + j], B[p * m + j]] = [B[p * m + j]!, B[c * m + j]!];
    logdet += Math.log(Math.abs(A[c * n + c]!));
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c]! / A[c * n + c]!;
      for (let j = c; j < n; j++) A[r * n + j] -= f * A[c * n + j]!;
      for (let j = 0; j < m; j++) B[r * m + j] -= f * B[c * m + j]!;
    }
  }
  for (let r = n - 1; r >= 0; r--)
    for (let j = 0; j < m; j++) {
      let s = B[r * m + j]!;
      for (let k = r + 1; k < n; k++) s -= A[r * n + k]! * B[k * m + j]!;
      B[r * m + j] = s / A[r * n + r]!;
    }
  return { x: B, logdet };
}

describe('solve, inverse, logdet', () => {
  it('match float64 elimination on random 6 x 6 systems', () => {
    const n = 6;
    const g = trace(
      (a: Tracer, b: Tracer) => [lower('solve')(a, b), lower('inverse')(a), lower('logdet')(a)],
      [
        [n, n],
        [n, 2],
      ],
    );
    for (let t = 0; t < 5; t++) {
      const a = randMat(n);
      const b = Float64Array.from({ length: 2 * n }, gauss);
      const [x, inv, ld] = runRef(g, [
        { data: a, shape: [n, n] },
        { data: b, shape: [n, 2] },
      ]);
      const ref = hostSolve(a, b, n, 2);
      close(x!.data, ref.x, 1e-10);
      const eye = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
      close(inv!.data, hostSolve(a, eye, n, n).x, 1e-10);
      expect(Math.abs(ld!.data[0]! - ref.logdet)).toBeLessThan(1e-10);
    }
  });

  it('a matrix whose leading entry is zero needs the row swap', () => {
    const g = trace((a: Tracer, b: Tracer) => lower('solve')(a, b), [[2, 2], [2]]);
    const [x] = runRef(g, [
      { data: Float64Array.from([0, 1, 1, 0]), shape: [2, 2] },
      { data: Float64Array.from([3, 4]), shape: [2] },
    ]);
    expect(Array.from(x!.data)).toEqual([4, 3]);
  });
});

describe('from .opt', () => {
  const messages = (body: string) =>
    check({
      source: `data { A: real[3, 3]; R: real[2, 3]; b: real[3]; c: real[2] }\nvar x: real[3]\n${body}`,
      file: 'm.opt',
    }).messages.map((m) => `${m.severity}: ${m.message}`);

  it('the built-ins check together', () => {
    expect(
      messages(
        'let picks = sum(top_k(x, 2)) + sum(sort(x)) + to_real(argmax(x)) + to_real(argmin(R, axis = 0))\n' +
          'minimize sumsq(solve(A, b + x)) + logdet(A + eye(3)) + sum(expm(0.1 * A) @ x)\n' +
          '  + sumsq(cholesky_solve(cholesky(A), x)) + trace(inverse(A)) + x[top_k_indices(b, 1)[0]]^2',
      ),
    ).toEqual([]);
  });

  const errors: [string, RegExp][] = [
    ['solve(R, b)', /`solve\(R, b\)`: R is \[2, 3\], not square; solve takes a square matrix A/],
    ['solve(A, c)', /the size of A and the rows of b must be equal \(3 and 2\)/],
    ['inverse(b)', /b is \[3\]; inverse takes a square matrix/],
    ['expm(R)', /R is \[2, 3\], not square/],
    ['logdet(R)', /R is \[2, 3\], not square/],
    ['top_k(x, 4)', /k = 4 is outside 1\.\.3/],
    ['argmax(x, axis = 1)', /axis 1 is out of range/],
  ];
  for (const [e, re] of errors)
    it(`refuses ${e}`, () => {
      expect(messages(`minimize sum(${e})`).join('\n')).toMatch(re);
    });

  it('warns at a zero-gradient call of a var, naming it, unless its value only is used', () => {
    const w = messages('let r = round(x)\nminimize sumsq(x - b)');
    expect(w).toEqual([
      'warning: `round(x)` has a zero gradient wherever it is differentiable, so no derivative flows through it to x',
    ]);
    expect(messages('minimize sumsq(straight_through(round(x), x) - b)')).toEqual([]);
    expect(messages('minimize sumsq(x - stop(floor(x)) - b)')).toEqual([]);
    expect(messages('minimize sumsq(x - floor(b))')).toEqual([]);
    // generate is never differentiated
    expect(
      check({
        source: 'param mu: real\nmodel { mu ~ Normal(0, 1) }\ngenerate { k = round(mu) }\ninfer nuts',
        file: 'g.opt',
      }).messages,
    ).toEqual([]);
  });

  it('warns when inv is given a matrix', () => {
    expect(messages('minimize sumsq(inv(A) @ x)')).toEqual([
      "warning: `inv(A)` is the elementwise reciprocal 1 / x (Stan's inv); for the matrix inverse write `inverse(A)`",
    ]);
  });
});

describe('docs/language.md: the linear algebra example runs', () => {
  it('minimizes |R z - x|^2 + y.z: z = R^T x - y / 2', async () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/language.md', import.meta.url)), 'utf8');
    const src = [...doc.matchAll(/```opt\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((x) => x.startsWith('// ordering and dense linear algebra'))!;
    const A = [
      [2, 1, 0.5],
      [0.3, -1, 2],
      [1, 4, 0.2],
    ];
    const S = [
      [2, 0.3, 0.1],
      [0.3, 1.5, -0.2],
      [0.1, -0.2, 1.2],
    ];
    const b = [1, 2, 3];
    const r = await run({ source: src, file: 'doc.opt' }, { data: { A, b, S } });
    expect(r.messages.map((m) => m.message)).toEqual([]);
    expect(r.status).toBe('converged');
    // The minimizer is z = R^T x - y / 2 (R orthogonal); without R itself, check the identity
    // |z|^2 = |x|^2 - y.R^T x + |y|^2 / 4 with y.R^T x = y.z + |y|^2 / 2 (x, y: numpy's solves).
    const x = [-0.21706586826347302, 0.7342814371257484, 1.3997005988023952];
    const y = [0.1093057607090103, 1.6809453471196456, 2.771048744460857];
    const z = r.values.z as number[];
    const dotYZ = y.reduce((s, v, i) => s + v * z[i]!, 0);
    const sumsqY = y.reduce((s, v) => s + v * v, 0);
    const zz = z.reduce((s, v) => s + v * v, 0);
    const xx = x.reduce((s, v) => s + v * v, 0);
    expect(zz).toBeCloseTo(xx - (dotYZ + sumsqY / 2) + sumsqY / 4, 6);
  });
});
