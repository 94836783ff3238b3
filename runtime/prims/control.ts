// Table entries of structured control flow: scan, fixed_point, while_loop and custom_vjp.
// Backends run the loops host-side over compiled sub-graphs; the derivative rules build new
// loops from transformed bodies, so a graph's size never depends on the trip count:
// - scan: JVP is a scan of the JVP body; VJP is a reverse scan of the body's VJP, fed with the
//   carries the forward scan stacked (the body is recomputed per step, memory O(T * carry)).
// - fixed_point: implicit function theorem; both derivatives are themselves fixed points of the
//   linearized map, never an unrolled iteration.
// - while_loop: forward mode only (reverse needs a bound: use scan or fixed_point).
// - custom_vjp: forward runs `fun`; reverse inlines the user's `bwd` for the arguments (values `fun`
//   closes over get fun's ordinary VJP); forward mode differentiates `fun`.

import type * as TF from '@tensorflow/tfjs';
import { Graph } from '../ir/graph.js';
import { aval, avalString, isFloat, sameAVal, sizeOf, type AVal } from '../ir/types.js';
import { inline, traceSub, TraceError, type Tracer } from '../ir/tracer.js';
import * as P from '../ops/index.js';
import { jvpTrace } from '../transforms/jvp.js';
import { vjpTrace } from '../transforms/vjp.js';
import type { Ct, JsBuffer, JsProgram, PartialTable, PrimRule, RefArray } from './rule.js';
import { ShapeError } from './rule.js';
import type { PrimParams } from './params.js';

type ScanP = PrimParams['scan'];

function splitScan<T>(xs: readonly T[], p: ScanP): { consts: T[]; init: T[]; xs: T[] } {
  return {
    consts: xs.slice(0, p.numConsts),
    init: xs.slice(p.numConsts, p.numConsts + p.numCarry),
    xs: xs.slice(p.numConsts + p.numCarry),
  };
}

function refRow(x: RefArray, t: number): RefArray {
  const shape = x.shape.slice(1);
  const n = sizeOf(shape);
  return { data: x.data.subarray(t * n, (t + 1) * n) as RefArray['data'], shape };
}

const stepIndex = (p: ScanP, k: number) => (p.reverse ? p.length - 1 - k : k);

/** Emits a scan whose body is given as a traced function over (consts, carry, x). */
function emitScan(
  consts: Tracer[],
  init: Tracer[],
  xs: Tracer[],
  length: number,
  reverse: boolean,
  body: (consts: Tracer[], carry: Tracer[], x: Tracer[]) => [Tracer[], Tracer[]],
): { carry: Tracer[]; ys: Tracer[] } {
  const avals = [...consts, ...init].map((t) => t.aval).concat(xs.map((x) => aval(x.shape.slice(1), x.dtype)));
  const nc = consts.length,
    nk = init.length;
  const sub = traceSub((...a: Tracer[]) => {
    const [c, y] = body(a.slice(0, nc), a.slice(nc, nc + nk), a.slice(nc + nk));
    return [...c, ...y];
  }, avals);
  const caps = sub.graph.inputs.slice(avals.length);
  const g = new Graph([...caps, ...sub.graph.inputs.slice(0, avals.length)], sub.graph.eqns, sub.graph.outputs);
  const outs = P.emit('scan', [...sub.captures, ...consts, ...init, ...xs], {
    body: g,
    length,
    numConsts: sub.captures.length + nc,
    numCarry: nk,
    reverse,
  });
  return { carry: outs.slice(0, nk), ys: outs.slice(nk) };
}

const scanRule: PrimRule<'scan'> = {
  shape: (ins, p) => {
    const { consts, init, xs } = splitScan(ins, p);
    const b = p.body;
    const expect = [...consts, ...init, ...xs.map((x) => aval(x.shape.slice(1), x.dtype))];
    if (b.inputs.length !== expect.length || !b.inAvals.every((a, i) => sameAVal(a, expect[i]!))) {
      throw new ShapeError('scan: body inputs do not match (consts, carry, x slices)');
    }
    for (const x of xs)
      if (x.shape[0] !== p.length)
        throw new ShapeError(`scan: xs ${avalString(x)} must have leading dimension ${p.length}`);
    const outs = b.outAvals;
    init.forEach((c, i) => {
      if (!sameAVal(c, outs[i]!))
        throw new ShapeError(`scan: carry ${i} is ${avalString(c)} but the body returns ${avalString(outs[i]!)}`);
    });
    return [...init, ...outs.slice(p.numCarry).map((y) => aval([p.length, ...y.shape], y.dtype))];
  },

  jvp: (primals, tangents, p) => {
    const { consts, init, xs } = splitScan(primals, p);
    const tc = splitScan(tangents, p);
    // Every float carry gets a tangent (zero when its init has none): activity can enter later.
    const actC = tc.consts.map((t) => t !== null);
    const actX = tc.xs.map((t) => t !== null);
    const floatK = init.map((c) => isFloat(c.dtype));
    const tInit = init.flatMap((c, i) => (floatK[i] ? [tc.init[i] ?? P.zerosLike(c)] : []));
    const tConsts = tc.consts.filter((t): t is Tracer => t !== null);
    const tXs = tc.xs.filter((t): t is Tracer => t !== null);
    const nC = consts.length;
    const numYs = p.body.outputs.length - p.numCarry;
    const r = emitScan(
      [...consts, ...tConsts],
      [...init, ...tInit],
      [...xs, ...tXs],
      p.length,
      p.reverse,
      (cs, ks, xv) => {
        const c = cs.slice(0, nC),
          k = ks.slice(0, init.length),
          x = xv.slice(0, xs.length);
        let ic = nC,
          ik = init.length,
          ix = xs.length;
        const tcs = actC.map((a) => (a ? cs[ic++]! : null));
        const tks = floatK.map((f) => (f ? ks[ik++]! : null));
        const txs = actX.map((a) => (a ? xv[ix++]! : null));
        const [outs, touts] = jvpTrace(p.body, [...c, ...k, ...x], [...tcs, ...tks, ...txs]);
        const newK = outs.slice(0, p.numCarry);
        const newTK = newK.flatMap((o, i) => (floatK[i] ? [touts[i] ?? P.zerosLike(o)] : []));
        const ys = outs.slice(p.numCarry);
        const tys = ys.map((y, i) => touts[p.numCarry + i] ?? P.zerosLike(y)).filter((y) => isFloat(y.dtype));
        return [
          [...newK, ...newTK],
          [...ys, ...tys],
        ];
      },
    );
    const carryT: Ct[] = [];
    let k = init.length;
    floatK.forEach((f) => carryT.push(f ? r.carry[k++]! : null));
    const ysT: Ct[] = [];
    let j = numYs;
    p.body.outAvals.slice(p.numCarry).forEach((y) => ysT.push(isFloat(y.dtype) ? r.ys[j++]! : null));
    return [...carryT, ...ysT];
  },

  forward: (primals, p) => {
    const { consts, init, xs } = splitScan(primals, p);
    const r = emitScan(consts, init, xs, p.length, p.reverse, (c, k, x) => {
      const outs = inline(p.body, [...c, ...k, ...x]);
      // Stack each step's incoming carry: the backward scan needs it.
      return [outs.slice(0, p.numCarry), [...outs.slice(p.numCarry), ...k]];
    });
    const numYs = p.body.outputs.length - p.numCarry;
    return { outs: [...r.carry, ...r.ys.slice(0, numYs)], residuals: r.ys.slice(numYs) };
  },

  vjp: (cts, primals, outs, p, residuals) => {
    const { consts, init, xs } = splitScan(primals, p);
    const numYs = p.body.outputs.length - p.numCarry;
    const fC = consts.map((c) => isFloat(c.dtype));
    const fK = init.map((c) => isFloat(c.dtype));
    const fX = xs.map((x) => isFloat(x.dtype));
    const ctCarry = init.flatMap((c, i) => (fK[i] ? [cts[i] ?? P.zerosLike(c)] : []));
    const accs = consts.filter((_, i) => fC[i]).map((c) => P.zerosLike(c));
    const ys = outs.slice(p.numCarry);
    const ctYs = ys.flatMap((y, i) => (isFloat(y.dtype) ? [cts[p.numCarry + i] ?? P.zerosLike(y)] : []));
    const nK = ctCarry.length;
    const r = emitScan(
      consts,
      [...ctCarry, ...accs],
      [...xs, ...residuals, ...ctYs],
      p.length,
      !p.reverse,
      (c, kk, xv) => {
        const x = xv.slice(0, xs.length);
        const carry = xv.slice(xs.length, xs.length + init.length);
        let iy = xs.length + init.length;
        const ctY = p.body.outAvals.slice(p.numCarry).map((y) => (isFloat(y.dtype) ? xv[iy++]! : null));
        let ik = 0;
        const ctK = fK.map((f) => (f ? kk[ik++]! : null));
        const v = vjpTrace(p.body, [...c, ...carry, ...x], [...fC, ...fK, ...fX]);
        const g = v.backward([...ctK, ...ctY]);
        const gC = g.slice(0, consts.length),
          gK = g.slice(consts.length, consts.length + init.length),
          gX = g.slice(consts.length + init.length);
        const newK = init.flatMap((ci, i) => (fK[i] ? [gK[i] ?? P.zerosLike(carry[i]!)] : []));
        let ia = nK;
        const newAcc = consts.flatMap((ci, i) => (fC[i] ? [gC[i] ? P.add(kk[ia++]!, gC[i]!) : kk[ia++]!] : []));
        const ctX = xs.flatMap((xi, i) => (fX[i] ? [gX[i] ?? P.zerosLike(x[i]!)] : []));
        return [[...newK, ...newAcc], ctX];
      },
    );
    let a = 0,
      b = nK,
      d = 0;
    return [
      ...fC.map((f) => (f ? r.carry[b++]! : null)),
      ...fK.map((f) => (f ? r.carry[a++]! : null)),
      ...fX.map((f) => (f ? r.ys[d++]! : null)),
    ];
  },

  ref: (ins, p, outAvals, ctx) => {
    const { consts, init, xs } = splitScan(ins, p);
    let carry = init;
    const ys: RefArray[][] = [];
    for (let k = 0; k < p.length; k++) {
      const t = stepIndex(p, k);
      const outs = ctx.run(p.body, [...consts, ...carry, ...xs.map((x) => refRow(x, t))]);
      carry = outs.slice(0, p.numCarry);
      ys[t] = outs.slice(p.numCarry);
    }
    const stacked = outAvals.slice(p.numCarry).map((a, j) => {
      const data =
        a.dtype === 'int32'
          ? new Int32Array(sizeOf(a.shape))
          : a.dtype === 'bool'
            ? new Uint8Array(sizeOf(a.shape))
            : new Float64Array(sizeOf(a.shape));
      const n = sizeOf(a.shape.slice(1));
      for (let t = 0; t < p.length; t++) data.set(ys[t]![j]!.data as never, t * n);
      return { data, shape: a.shape };
    });
    return [...carry, ...stacked];
  },

  tfjs: (ins, p, outAvals, ctx) => {
    const tf = ctx.tf;
    const { consts, init, xs } = splitScan(ins, p);
    const rows = xs.map((x) => tf.unstack(x));
    let carry = init;
    const ys: TF.Tensor[][] = [];
    for (let k = 0; k < p.length; k++) {
      const t = stepIndex(p, k);
      const outs = ctx.run(p.body, [...consts, ...carry, ...rows.map((r) => r[t]!)]);
      if (k > 0) carry.forEach((c) => c.dispose());
      carry = outs.slice(0, p.numCarry);
      ys[t] = outs.slice(p.numCarry);
    }
    rows.forEach((r) => r.forEach((x) => x.dispose()));
    const stacked = outAvals.slice(p.numCarry).map((a, j) => {
      if (p.length === 0) return tf.zeros([...a.shape], a.dtype === 'float64' ? 'float32' : (a.dtype as TF.DataType));
      const s = tf.stack(ys.map((y) => y[j]!));
      ys.forEach((y) => y[j]!.dispose());
      return s;
    });
    // With zero steps the carry is the caller's init: hand back copies it can own.
    return [...(p.length === 0 ? carry.map((c) => tf.clone(c)) : carry), ...stacked];
  },
  js: {
    emit: (ins, outs, p, _ia, outAvals, ctx) => {
      const nc = p.numConsts,
        nk = p.numCarry;
      const body = ctx.sub(
        p.body,
        ins.map((nm, i) => (i < nc ? nm : null)),
      );
      const xRows = p.body.inAvals.slice(nc + nk).map((a) => sizeOf(a.shape));
      const yRows = outAvals.slice(nk).map((a) => sizeOf(a.shape.slice(1)));
      const args = [ctx.buffers(ins.slice(nc, nc + nk)), ctx.buffers(ins.slice(nc + nk)), ctx.buffers(outs)];
      return `${ctx.ref(scanJs)}(${body}, ${args.join(', ')}, ${ctx.ref({ ...p, xRows, yRows })});`;
    },
  },
};

/** scan on the js backend: the body's carry and x-row inputs are its own buffers; consts are read in place. */
function scanJs(
  body: JsProgram,
  init: readonly JsBuffer[],
  xs: readonly JsBuffer[],
  outs: readonly JsBuffer[],
  p: ScanP & { xRows: number[]; yRows: number[] },
): void {
  const nc = p.numConsts,
    nk = p.numCarry;
  for (let j = 0; j < nk; j++) body.ins[nc + j]!.set(init[j]!);
  for (let k = 0; k < p.length; k++) {
    const t = stepIndex(p, k);
    for (let j = 0; j < xs.length; j++) {
      const n = p.xRows[j]!,
        src = xs[j]!,
        dst = body.ins[nc + nk + j]!;
      for (let i = 0; i < n; i++) dst[i] = src[t * n + i]!;
    }
    body.run();
    for (let j = 0; j < nk; j++) body.ins[nc + j]!.set(body.outs[j]!);
    for (let j = nk; j < outs.length; j++) outs[j]!.set(body.outs[j]!, t * p.yRows[j - nk]!);
  }
  for (let j = 0; j < nk; j++) outs[j]!.set(body.ins[nc + j]!);
}

/** max|a - b| <= tol * (1 + max|b|): the fixed-point stopping rule (documented in docs). */
function converged(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): boolean {
  let diff = 0,
    mag = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= diff)) diff = d; // NaN propagates as "not converged"
    mag = Math.max(mag, Math.abs(b[i]!));
  }
  return diff <= tol * (1 + mag);
}

const fixedPointRule: PrimRule<'fixed_point'> = {
  shape: ([x0, ...theta], p) => {
    const b = p.body;
    if (b.inputs.length !== 1 + theta.length || !sameAVal(b.inAvals[0]!, x0!) || !sameAVal(b.outAvals[0]!, x0!)) {
      throw new ShapeError(`fixed_point: the body must map ${avalString(x0!)} to itself`);
    }
    if (!isFloat(x0!.dtype)) throw new ShapeError('fixed_point iterates on float values');
    return [x0!];
  },
  jvp: ([, ...theta], [, ...tTheta], p, [xs]) => {
    if (tTheta.every((t) => t === null)) return [null];
    const [, [b]] = jvpTrace(p.body, [xs!, ...theta], [null, ...tTheta]);
    if (!b) return [null];
    const t = P.fixedPoint(
      (tx) => P.add(jvpTrace(p.body, [xs!, ...theta], [tx, ...theta.map(() => null)])[1][0] ?? P.zerosLike(tx), b),
      b,
      [],
      {
        tol: p.tol,
        maxIter: p.maxIter,
      },
    );
    return [t];
  },
  vjp: ([ct], [, ...theta], [xs], p) => {
    if (!ct) return [null, ...theta.map(() => null)];
    const w = P.fixedPoint(
      (wv) => {
        const g = vjpTrace(p.body, [xs!, ...theta], [true, ...theta.map(() => false)]).backward([wv])[0];
        return g ? P.add(ct, g) : ct;
      },
      ct,
      [],
      { tol: p.tol, maxIter: p.maxIter },
    );
    const g = vjpTrace(p.body, [xs!, ...theta], [false, ...theta.map((t) => isFloat(t.dtype))]).backward([w]);
    return [null, ...g.slice(1)];
  },
  ref: ([x0, ...theta], p, _o, ctx) => {
    let x = x0!;
    for (let i = 0; i < p.maxIter; i++) {
      const [y] = ctx.run(p.body, [x, ...theta]);
      const done = converged(y!.data, x.data, p.tol);
      x = y!;
      if (done) break;
    }
    return [x];
  },
  tfjs: ([x0, ...theta], p, _o, ctx) => {
    let x = ctx.tf.clone(x0!);
    for (let i = 0; i < p.maxIter; i++) {
      const [y] = ctx.run(p.body, [x, ...theta]);
      const done = converged(y!.dataSync(), x.dataSync(), Math.max(p.tol, 1e-6));
      x.dispose();
      x = y!;
      if (done) break;
    }
    return [x];
  },
  js: {
    emit: ([x0, ...theta], [o], p, _ia, _oa, ctx) => {
      const body = ctx.sub(p.body, [null, ...theta]);
      return `${ctx.ref(fixedPointJs)}(${body}, ${x0}, ${o}, ${p.tol}, ${p.maxIter});`;
    },
  },
};

function fixedPointJs(body: JsProgram, x0: JsBuffer, x: JsBuffer, tol: number, maxIter: number): void {
  x.set(x0);
  for (let i = 0; i < maxIter; i++) {
    body.ins[0]!.set(x);
    body.run();
    const y = body.outs[0]!;
    const done = converged(y, x, tol);
    x.set(y);
    if (done) break;
  }
}

const whileRule: PrimRule<'while_loop'> = {
  shape: (ins, p) => {
    const state = ins.slice(p.numCondConsts + p.numBodyConsts);
    if (!p.body.outAvals.every((a, i) => sameAVal(a, state[i]!)) || p.body.outputs.length !== state.length) {
      throw new ShapeError('while_loop: the body must return the state unchanged in type');
    }
    return [...state];
  },
  jvp: (primals, tangents, p) => {
    const cc = primals.slice(0, p.numCondConsts);
    const bc = primals.slice(p.numCondConsts, p.numCondConsts + p.numBodyConsts);
    const tbc = tangents.slice(p.numCondConsts, p.numCondConsts + p.numBodyConsts);
    const init = primals.slice(p.numCondConsts + p.numBodyConsts);
    const tinit = tangents.slice(p.numCondConsts + p.numBodyConsts);
    const fl = init.map((s) => isFloat(s.dtype));
    const n = init.length;
    const outs = P.whileLoop(
      (s) => inline(p.cond, [...cc, ...s.slice(0, n)])[0]!,
      (s) => {
        let k = n;
        const ts = fl.map((f) => (f ? s[k++]! : null));
        const [o, to] = jvpTrace(p.body, [...bc, ...s.slice(0, n)], [...tbc, ...ts]);
        return [...o, ...o.flatMap((x, i) => (fl[i] ? [to[i] ?? P.zerosLike(x)] : []))];
      },
      [...init, ...init.flatMap((s, i) => (fl[i] ? [tinit[i] ?? P.zerosLike(s)] : []))],
      p.maxIter,
    );
    let k = n;
    return fl.map((f) => (f ? outs[k++]! : null));
  },
  vjp: () => {
    throw new TraceError(
      'while_loop has no reverse-mode derivative; use scan (a fixed number of steps) or fixed_point (iteration to convergence)',
    );
  },
  ref: (ins, p, _o, ctx) => {
    const cc = ins.slice(0, p.numCondConsts);
    const bc = ins.slice(p.numCondConsts, p.numCondConsts + p.numBodyConsts);
    let s = ins.slice(p.numCondConsts + p.numBodyConsts);
    for (let i = 0; i < p.maxIter && ctx.run(p.cond, [...cc, ...s])[0]!.data[0]; i++)
      s = ctx.run(p.body, [...bc, ...s]);
    return s;
  },
  tfjs: (ins, p, _o, ctx) => {
    const cc = ins.slice(0, p.numCondConsts);
    const bc = ins.slice(p.numCondConsts, p.numCondConsts + p.numBodyConsts);
    let s = ins.slice(p.numCondConsts + p.numBodyConsts).map((x) => ctx.tf.clone(x));
    for (let i = 0; i < p.maxIter; i++) {
      const [c] = ctx.run(p.cond, [...cc, ...s]);
      const go = c!.dataSync()[0];
      c!.dispose();
      if (!go) break;
      const next = ctx.run(p.body, [...bc, ...s]);
      s.forEach((x) => x.dispose());
      s = next;
    }
    return s;
  },
  js: {
    emit: (ins, outs, p, _ia, _oa, ctx) => {
      const a = p.numCondConsts,
        b = a + p.numBodyConsts;
      const cond = ctx.sub(p.cond, [...ins.slice(0, a), ...outs.map(() => null)]);
      const body = ctx.sub(p.body, [...ins.slice(a, b), ...outs.map(() => null)]);
      const bufs = [ctx.buffers(ins.slice(b)), ctx.buffers(outs)];
      return `${ctx.ref(whileJs)}(${cond}, ${body}, ${bufs.join(', ')}, ${a}, ${p.numBodyConsts}, ${p.maxIter});`;
    },
  },
};

function whileJs(
  cond: JsProgram,
  body: JsProgram,
  init: readonly JsBuffer[],
  s: readonly JsBuffer[],
  nc: number,
  nb: number,
  maxIter: number,
): void {
  for (let j = 0; j < s.length; j++) s[j]!.set(init[j]!);
  for (let i = 0; i < maxIter; i++) {
    for (let j = 0; j < s.length; j++) cond.ins[nc + j]!.set(s[j]!);
    cond.run();
    if (!cond.outs[0]![0]) break;
    for (let j = 0; j < s.length; j++) body.ins[nb + j]!.set(s[j]!);
    body.run();
    for (let j = 0; j < s.length; j++) s[j]!.set(body.outs[j]!);
  }
}

type CvP = PrimParams['custom_vjp'];
function cvParts<T>(ins: readonly T[], p: CvP) {
  const a = p.numArgs,
    f = a + p.numFunCaps,
    w = f + p.numFwdCaps;
  return { args: ins.slice(0, a), funCaps: ins.slice(a, f), fwdCaps: ins.slice(f, w), bwdCaps: ins.slice(w) };
}

const customVjpRule: PrimRule<'custom_vjp'> = {
  shape: (ins, p) => {
    const { args, funCaps } = cvParts(ins, p);
    const want = [...args, ...funCaps];
    if (!p.fun.inAvals.every((a, i) => sameAVal(a, want[i]!)))
      throw new ShapeError('custom_vjp: arguments do not match the function');
    return p.fun.outAvals;
  },
  jvp: (primals, tangents, p) => {
    const { args, funCaps } = cvParts(primals, p);
    const t = cvParts(tangents, p);
    return jvpTrace(p.fun, [...args, ...funCaps], [...t.args, ...t.funCaps])[1];
  },
  forward: (primals, p) => {
    const { args, fwdCaps } = cvParts(primals, p);
    const outs = inline(p.fwd, [...args, ...fwdCaps]);
    const nOut = p.fun.outputs.length;
    return { outs: outs.slice(0, nOut), residuals: outs.slice(nOut) };
  },
  vjp: (cts, primals, outs, p, residuals) => {
    const { args, funCaps, bwdCaps } = cvParts(primals, p);
    const c = cts.map((ct, i) => ct ?? P.zerosLike(outs[i]!));
    const g = inline(p.bwd, [...residuals, ...c, ...bwdCaps]);
    // The user's rule covers the arguments only. Values `fun` closes over get the ordinary
    // reverse derivative of `fun`, so both modes agree (forward mode differentiates `fun` in all
    // of its inputs); a silent zero here would be a wrong gradient. fwd's captures are the same
    // outer values, so their cotangent is given once, through funCaps.
    const capWrt = funCaps.map((t) => isFloat(t.dtype));
    const capCts = capWrt.some((w) => w)
      ? vjpTrace(p.fun, [...args, ...funCaps], [...args.map(() => false), ...capWrt])
          .backward(c)
          .slice(args.length)
      : funCaps.map(() => null);
    return [...args.map((_, i) => g[i]!), ...capCts, ...primals.slice(args.length + funCaps.length).map(() => null)];
  },
  ref: (ins, p, _o, ctx) => {
    const { args, funCaps } = cvParts(ins, p);
    return ctx.run(p.fun, [...args, ...funCaps]);
  },
  tfjs: (ins, p, _o, ctx) => {
    const { args, funCaps } = cvParts(ins, p);
    return ctx.run(p.fun, [...args, ...funCaps]);
  },
  js: {
    emit: (ins, outs, p, _ia, _oa, ctx) => {
      const { args, funCaps } = cvParts(ins, p);
      const fun = ctx.sub(p.fun, [...args, ...funCaps]);
      return [`${fun}.run();`, ...outs.map((o, k) => `${o}.set(${fun}.outs[${k}]);`)].join('\n');
    },
  },
};

export const controlRules = {
  scan: scanRule,
  fixed_point: fixedPointRule,
  while_loop: whileRule,
  custom_vjp: customVjpRule,
} satisfies PartialTable<'scan' | 'fixed_point' | 'while_loop' | 'custom_vjp'>;

export type { AVal };
