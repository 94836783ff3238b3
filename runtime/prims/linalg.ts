// Table entries of the linear-algebra primitives: batched matmul, cholesky, triangular_solve,
// eigh and thin SVD. tfjs has kernels for matmul only; the others are declared host kernels
// (runtime/kernels). Derivative rules follow Murray (2016) for Cholesky and Townsend (2016) for
// the SVD; eigenvalue and singular-value gaps below 1e-12 relative get a zero coupling instead
// of an infinite one (degenerate spectra have no unique derivative).

import type { AVal } from '../ir/types.js';
import { aval, avalString, sizeOf } from '../ir/types.js';
import * as P from '../ops/index.js';
import type { Tracer } from '../ir/tracer.js';
import type { PartialTable, PrimRule } from './rule.js';
import { ShapeError } from './rule.js';
import { alloc } from './ref_loops.js';
import * as K from '../kernels/index.js';

type None = Record<string, never>;
const NONE = {} as None;

const mm = (a: Tracer, b: Tracer, ta = false, tb = false): Tracer =>
  P.emit1('matmul', [a, b], { transA: ta, transB: tb });
const T = (x: Tracer): Tracer => P.mT(x);
const trisolve = (a: Tracer, b: Tracer, lower: boolean, transA: boolean): Tracer =>
  P.emit1('triangular_solve', [a, b], { lower, transA });

/** A constant [n, n] matrix broadcast over the batch dims of `like`. */
function matConst(like: Tracer, n: number, f: (i: number, j: number) => number): Tracer {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = f(i, j);
  return P.broadcastTo(P.constant(data, like.dtype, [n, n]), [...like.shape.slice(0, -2), n, n]);
}
const eye = (like: Tracer, n: number) => matConst(like, n, (i, j) => (i === j ? 1 : 0));
const diagEmbed = (w: Tracer): Tracer => {
  const n = w.shape[w.rank - 1]!;
  return P.mul(P.expandDims(w, -1), eye(P.expandDims(w, -1), n));
};
const diagPart = (m: Tracer): Tracer => P.sum(P.mul(m, eye(m, m.shape[m.rank - 1]!)), -1);
const sym = (m: Tracer): Tracer => P.mul(0.5, P.add(m, T(m)));

/** F_ij = 1 / (d_j - d_i) off the diagonal, 0 on it and where the gap is (numerically) zero. */
function gapInverse(d: Tracer): Tracer {
  const dj = P.expandDims(d, -2);
  const di = P.expandDims(d, -1);
  const gap = P.sub(dj, di);
  const scale = P.add(P.max(P.abs(d), -1, true), 1e-300);
  const ok = P.gt(P.abs(gap), P.mul(P.expandDims(scale, -1), 1e-12));
  return P.where(ok, P.div(1, P.where(ok, gap, 1)), 0);
}

function squareBatch(name: string, a: AVal): number {
  const r = a.shape.length;
  if (r < 2 || a.shape[r - 1] !== a.shape[r - 2] || a.dtype === 'int32' || a.dtype === 'bool') {
    throw new ShapeError(`${name} needs float square matrices [..., n, n], got ${avalString(a)}`);
  }
  return a.shape[r - 1]!;
}

const batchOf = (shape: readonly number[], k: number) => sizeOf(shape.slice(0, shape.length - k));

export const linalgRules = {
  matmul: {
    shape: ([a, b], p) => {
      const ra = a!.shape.length,
        rb = b!.shape.length;
      if (ra < 2 || ra !== rb || a!.dtype !== b!.dtype || a!.shape.slice(0, -2).some((d, i) => d !== b!.shape[i])) {
        throw new ShapeError(`matmul: operands ${avalString(a!)} and ${avalString(b!)} need equal batch dims`);
      }
      const [m, ka] = p.transA ? [a!.shape[ra - 1]!, a!.shape[ra - 2]!] : [a!.shape[ra - 2]!, a!.shape[ra - 1]!];
      const [kb, n] = p.transB ? [b!.shape[rb - 1]!, b!.shape[rb - 2]!] : [b!.shape[rb - 2]!, b!.shape[rb - 1]!];
      if (ka !== kb)
        throw new ShapeError(`matmul: inner dimensions ${ka} and ${kb} differ (${avalString(a!)} @ ${avalString(b!)})`);
      return [aval([...a!.shape.slice(0, -2), m, n], a!.dtype)];
    },
    jvp: ([a, b], [ta, tb], p) => {
      const l = ta ? mm(ta, b!, p.transA, p.transB) : null;
      const r = tb ? mm(a!, tb, p.transA, p.transB) : null;
      return [l && r ? P.add(l, r) : (l ?? r)];
    },
    vjp: ([ct], [a, b], _o, p) => {
      if (!ct) return [null, null];
      const ca = p.transA ? mm(b!, ct, p.transB, true) : mm(ct, b!, false, !p.transB);
      const cb = p.transB ? mm(ct, a!, true, p.transA) : mm(a!, ct, !p.transA, false);
      return [ca, cb];
    },
    ref: ([a, b], p, [o]) => {
      const r = alloc(o!);
      const ra = a!.shape.length;
      const [m, n] = [o!.shape[ra - 2]!, o!.shape[ra - 1]!];
      const k = p.transA ? a!.shape[ra - 2]! : a!.shape[ra - 1]!;
      const batch = batchOf(o!.shape, 2);
      const ad = a!.data,
        bd = b!.data,
        od = r.data as Float64Array;
      // Strides for op(A)[i, l] and op(B)[l, j].
      const [ai, al] = p.transA ? [1, m] : [k, 1];
      const [bl, bj] = p.transB ? [1, k] : [n, 1];
      for (let q = 0; q < batch; q++) {
        const ao = q * m * k,
          bo = q * k * n,
          oo = q * m * n;
        for (let i = 0; i < m; i++) {
          for (let l = 0; l < k; l++) {
            const av = ad[ao + i * ai + l * al]!;
            if (av === 0) continue;
            const brow = bo + l * bl;
            const orow = oo + i * n;
            for (let j = 0; j < n; j++) od[orow + j] += av * bd[brow + j * bj]!;
          }
        }
      }
      // 0 * inf and 0 * NaN must still give NaN; the skip above is only a fast path.
      if (
        !ad.every(Number.isFinite as (v: number) => boolean) ||
        !bd.every(Number.isFinite as (v: number) => boolean)
      ) {
        return [refMatmulSlow(a!.data, b!.data, o!, p.transA, p.transB, m, n, k, batch)];
      }
      return [r];
    },
    tfjs: ([a, b], p, _o, ctx) => [ctx.tf.matMul(a!, b!, p.transA, p.transB)],
    js: {
      emit: ([a, b], [o], p, [aa], [oa], ctx) => {
        if (oa!.dtype === 'int32') return null; // exact integer sums: the ref rule
        const r = oa!.shape.length;
        const [m, n] = [oa!.shape[r - 2]!, oa!.shape[r - 1]!];
        const k = p.transA ? aa!.shape[r - 2]! : aa!.shape[r - 1]!;
        return `${ctx.ref(K.matmul)}(${a}, ${b}, ${o}, ${batchOf(oa!.shape, 2)}, ${m}, ${n}, ${k}, ${p.transA}, ${p.transB});`;
      },
    },
  } satisfies PrimRule<'matmul'>,

  cholesky: {
    shape: ([a]) => {
      squareBatch('cholesky', a!);
      return [a!];
    },
    jvp: ([a], [t], _p, [L]) => {
      if (!t) return [null];
      const n = a!.shape[a!.rank - 1]!;
      const phi = matConst(L!, n, (i, j) => (i > j ? 1 : i === j ? 0.5 : 0));
      const x = T(trisolve(L!, T(trisolve(L!, sym(t), true, false)), true, false)); // L^-1 dA L^-T
      return [mm(L!, P.mul(phi, x))];
    },
    vjp: ([ct], [a], [L]) => {
      if (!ct) return [null];
      const n = a!.shape[a!.rank - 1]!;
      const phi = matConst(L!, n, (i, j) => (i > j ? 1 : i === j ? 0.5 : 0));
      const pm = P.mul(phi, mm(L!, ct, true, false)); // Phi(L^T Lbar)
      const y = trisolve(L!, pm, true, true); // L^-T P
      const s = T(trisolve(L!, T(y), true, true)); // L^-T P L^-1
      return [sym(s)];
    },
    ref: ([a], _p, [o]) => {
      const n = o!.shape[o!.shape.length - 1]!;
      return [{ data: K.cholesky(a!.data as Float64Array, batchOf(o!.shape, 2), n), shape: o!.shape }];
    },
    tfjs: 'host',
    js: {
      emit: ([a], [o], _p, _i, [oa], ctx) =>
        `${ctx.ref(K.choleskyInto)}(${a}, ${o}, ${batchOf(oa!.shape, 2)}, ${oa!.shape[oa!.shape.length - 1]});`,
    },
  } satisfies PrimRule<'cholesky'>,

  triangular_solve: {
    shape: ([a, b]) => {
      const n = squareBatch('triangular_solve', a!);
      const rb = b!.shape.length;
      if (
        rb !== a!.shape.length ||
        b!.shape[rb - 2] !== n ||
        b!.dtype !== a!.dtype ||
        a!.shape.slice(0, -2).some((d, i) => d !== b!.shape[i])
      ) {
        throw new ShapeError(`triangular_solve: right-hand side ${avalString(b!)} does not fit ${avalString(a!)}`);
      }
      return [b!];
    },
    jvp: ([a, b], [ta, tb], p, [x]) => {
      if (!ta && !tb) return [null];
      const n = a!.shape[a!.rank - 1]!;
      let rhs = tb ?? P.zerosLike(b!);
      if (ta) {
        const tri = P.mul(
          ta,
          matConst(a!, n, (i, j) => ((p.lower ? i >= j : i <= j) ? 1 : 0)),
        );
        rhs = P.sub(rhs, mm(tri, x!, p.transA, false));
      }
      return [trisolve(a!, rhs, p.lower, p.transA)];
    },
    vjp: ([ct], [a], [x], p) => {
      if (!ct) return [null, null];
      const n = a!.shape[a!.rank - 1]!;
      const cb = trisolve(a!, ct, p.lower, !p.transA);
      const cop = p.transA ? mm(x!, cb, false, true) : mm(cb, x!, false, true);
      const ca = P.neg(
        P.mul(
          cop,
          matConst(a!, n, (i, j) => ((p.lower ? i >= j : i <= j) ? 1 : 0)),
        ),
      );
      return [ca, cb];
    },
    ref: ([a, b], p, [o]) => {
      const r = a!.shape.length;
      const n = a!.shape[r - 1]!;
      const m = b!.shape[r - 1]!;
      const data = K.triangularSolve(a!.data as Float64Array, b!.data as Float64Array, batchOf(a!.shape, 2), n, m, {
        lower: p.lower,
        transposeA: p.transA,
      });
      return [{ data, shape: o!.shape }];
    },
    tfjs: 'host',
    js: {
      emit: ([a, b], [o], p, [aa, ba], _o, ctx) => {
        const r = aa!.shape.length;
        const opts = ctx.ref({ lower: p.lower, transposeA: p.transA });
        const dims = `${batchOf(aa!.shape, 2)}, ${aa!.shape[r - 1]}, ${ba!.shape[r - 1]}`;
        return `${ctx.ref(K.triangularSolveInto)}(${a}, ${b}, ${o}, ${dims}, ${opts});`;
      },
    },
  } satisfies PrimRule<'triangular_solve'>,

  eigh: {
    shape: ([a]) => {
      const n = squareBatch('eigh', a!);
      return [aval([...a!.shape.slice(0, -2), n], a!.dtype), a!];
    },
    jvp: ([_a], [t], _p, [w, v]) => {
      if (!t) return [null, null];
      const m = mm(mm(v!, sym(t), true, false), v!); // V^T dA V
      return [diagPart(m), mm(v!, P.mul(gapInverse(w!), m))];
    },
    vjp: ([cw, cv], _a, [w, v]) => {
      if (!cw && !cv) return [null];
      let inner = cw ? diagEmbed(cw) : null;
      if (cv) {
        const c = P.mul(gapInverse(w!), mm(v!, cv, true, false));
        inner = inner ? P.add(inner, c) : c;
      }
      return [sym(mm(mm(v!, inner!), v!, false, true))];
    },
    ref: ([a], _p, [ow, ov]) => {
      const n = ov!.shape[ov!.shape.length - 1]!;
      const r = K.eigh(a!.data as Float64Array, batchOf(ov!.shape, 2), n);
      return [
        { data: r.w, shape: ow!.shape },
        { data: r.v, shape: ov!.shape },
      ];
    },
    tfjs: 'host',
  } satisfies PrimRule<'eigh'>,

  svd: {
    shape: ([a]) => {
      const r = a!.shape.length;
      if (r < 2 || a!.dtype === 'int32' || a!.dtype === 'bool')
        throw new ShapeError(`svd needs float matrices [..., m, n], got ${avalString(a!)}`);
      const m = a!.shape[r - 2]!,
        n = a!.shape[r - 1]!,
        k = Math.min(m, n);
      const b = a!.shape.slice(0, -2);
      return [aval([...b, m, k], a!.dtype), aval([...b, k], a!.dtype), aval([...b, n, k], a!.dtype)];
    },
    jvp: ([a], [t], _p, [u, s, v]) => {
      if (!t) return [null, null, null];
      const m = a!.shape[a!.rank - 2]!,
        n = a!.shape[a!.rank - 1]!;
      const S = diagEmbed(s!);
      const sInv = P.div(1, s!);
      const F = gapInverse(P.square(s!));
      const dP = mm(mm(u!, t, true, false), v!); // U^T dA V
      const ds = diagPart(dP);
      const du0 = mm(u!, P.mul(F, P.add(mm(dP, S), mm(S, dP, false, true))));
      const dv0 = mm(v!, P.mul(F, P.add(mm(S, dP), mm(dP, S, true, false))));
      // Components outside the thin bases: (I - U U^T) dA V S^-1 and (I - V V^T) dA^T U S^-1.
      const du = P.add(du0, P.mul(P.sub(mm(t, v!), mm(u!, dP)), P.expandDims(sInv, -2)));
      const dv = P.add(dv0, P.mul(P.sub(mm(t, u!, true, false), mm(v!, dP, false, true)), P.expandDims(sInv, -2)));
      void m;
      void n;
      return [du, ds, dv];
    },
    vjp: ([cu, cs, cv], [a], [u, s, v]) => {
      if (!cu && !cs && !cv) return [null];
      const S = diagEmbed(s!);
      const sInv = P.div(1, s!);
      const F = gapInverse(P.square(s!));
      let inner = cs ? diagEmbed(cs) : P.zerosLike(S);
      let out: Tracer | null = null;
      if (cu) {
        const utc = mm(u!, cu, true, false);
        inner = P.add(inner, mm(P.mul(F, P.sub(utc, T(utc))), S));
        // (I - U U^T) Ubar S^-1 V^T
        const proj = P.sub(cu, mm(u!, utc));
        out = mm(P.mul(proj, P.expandDims(sInv, -2)), v!, false, true);
      }
      if (cv) {
        const vtc = mm(v!, cv, true, false);
        inner = P.add(inner, mm(S, P.mul(F, P.sub(vtc, T(vtc)))));
        // U S^-1 Vbar^T (I - V V^T)
        const proj = P.sub(cv, mm(v!, vtc));
        const o2 = mm(P.mul(u!, P.expandDims(sInv, -2)), proj, false, true);
        out = out ? P.add(out, o2) : o2;
      }
      const core = mm(mm(u!, inner), v!, false, true);
      void a;
      return [out ? P.add(core, out) : core];
    },
    ref: ([a], _p, [ou, os, ov]) => {
      const r = a!.shape.length;
      const m = a!.shape[r - 2]!,
        n = a!.shape[r - 1]!;
      const res = K.svd(a!.data as Float64Array, batchOf(a!.shape, 2), m, n);
      return [
        { data: res.u, shape: ou!.shape },
        { data: res.s, shape: os!.shape },
        { data: res.v, shape: ov!.shape },
      ];
    },
    tfjs: 'host',
  } satisfies PrimRule<'svd'>,
} satisfies PartialTable<'matmul' | 'cholesky' | 'triangular_solve' | 'eigh' | 'svd'>;

function refMatmulSlow(
  ad: ArrayLike<number>,
  bd: ArrayLike<number>,
  o: AVal,
  ta: boolean,
  tb: boolean,
  m: number,
  n: number,
  k: number,
  batch: number,
) {
  const r = alloc(o);
  const [ai, al] = ta ? [1, m] : [k, 1];
  const [bl, bj] = tb ? [1, k] : [n, 1];
  for (let q = 0; q < batch; q++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let l = 0; l < k; l++) acc += ad[q * m * k + i * ai + l * al]! * bd[q * k * n + l * bl + j * bj]!;
        r.data[q * m * n + i * n + j] = acc;
      }
    }
  }
  return r;
}

export { NONE };
