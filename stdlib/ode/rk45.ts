// Ordinary differential equations y' = f(t, y, args...), solved at output times ts by the
// Dormand-Prince 5(4) pair with adaptive steps (Stan's ode_rk45), and differentiated by forward
// sensitivities, as Stan does.
//
// The solution: one `while_loop` of steps (error per step sqrt(mean((e_i / (atol + rtol
// max(|y_i|, |y5_i|)))^2)) <= 1, step factor 0.9 err^(-1/5) clipped to [0.2, 5], first step
// by Hairer's heuristic); the outputs inside each accepted step come from DOPRI5's 4th-order
// dense output, so output times do not shorten the steps (as Stan's odeint stepper). Outputs not
// reached within max_num_steps steps stay NaN, so a failed solve is never a silent number.
//
// Derivatives. The solve is a custom_vjp: its reverse rule integrates the sensitivity system
// (y and S = dy/dp for p = (y0, args) together: S' = J_y S + J_p, S(t0) = [I 0]) with the same
// stepper and error control on every component, as Stan's coupled system does, and contracts the
// output cotangent with S. That sensitivity solve is itself such a custom_vjp, DEPTH levels deep,
// so reverse over reverse (a Hessian) works; forward mode differentiates the solver's own steps
// (the step sizes held fixed). Only y0 and args are differentiated; t0 and ts are data, and f
// must use nothing differentiable besides its arguments (values it closes over count as data).

import { inline, jvp, ops as P, traceSub, type Tracer } from '../../runtime/index.js';

export interface OdeOptions {
  relTol: number;
  absTol: number;
  maxSteps: number;
}

export const ODE_DEFAULTS: OdeOptions = { relTol: 1e-6, absTol: 1e-6, maxSteps: 1e6 };

/** How many nested sensitivity levels the reverse rule has (2: Hessians by reverse over reverse). */
export const DEPTH = 2;

/** The right-hand side with its captured values made explicit: (t, y, args, consts) -> y'. */
type Dyn = (t: Tracer, y: Tracer, args: readonly Tracer[], consts: readonly Tracer[]) => Tracer;

// Dormand-Prince 5(4) tableau.
const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
/** 5th-order weights minus the embedded 4th-order ones: the local error estimate. */
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];

const sg = P.stopGradient;

function combo(y: Tracer, h: Tracer, ks: readonly Tracer[], w: readonly number[]): Tracer {
  let acc: Tracer | null = null;
  ks.forEach((k, i) => {
    if (w[i] === 0 || w[i] === undefined) return;
    const t = P.mul(k, w[i]!);
    acc = acc ? P.add(acc, t) : t;
  });
  return acc ? P.add(y, P.mul(h, acc)) : y;
}

/** Hairer's starting step (Solving ODEs I, II.4), from two evaluations. */
function firstStep(
  dyn: Dyn,
  t0: Tracer,
  y0: Tracer,
  f0: Tracer,
  args: readonly Tracer[],
  consts: readonly Tracer[],
  o: OdeOptions,
): Tracer {
  const sc = P.add(o.absTol, P.mul(o.relTol, P.abs(y0)));
  const rms = (v: Tracer) => P.sqrt(P.mean(P.square(P.div(v, sc))));
  const d0 = rms(y0);
  const d1 = rms(f0);
  const h0 = P.where(P.or(P.lt(d0, 1e-5), P.lt(d1, 1e-5)), 1e-6, P.mul(0.01, P.div(d0, P.maximum(d1, 1e-300))));
  const f1 = dyn(P.add(t0, h0), P.add(y0, P.mul(h0, f0)), args, consts);
  const d2 = P.div(rms(P.sub(f1, f0)), h0);
  const m = P.maximum(d1, d2);
  const h1 = P.where(P.le(m, 1e-15), P.maximum(1e-6, P.mul(h0, 1e-3)), P.pow(P.div(0.01, m), 0.2));
  return sg(P.minimum(P.mul(100, h0), h1));
}

/** Hairer's dense output of DOPRI5 (4th order): y(t + theta h) from the step's stages. */
const D = [
  -12715105075 / 11282082432,
  0,
  87487479700 / 32700410799,
  -10690763975 / 1880347072,
  701980252875 / 199316789632,
  -1453857185 / 822651844,
  69997945 / 29380423,
];

/** The solution at ts, [N, K], by one while_loop of adaptive steps (outputs by dense output). */
function integrate(
  dyn: Dyn,
  y0: Tracer,
  args: readonly Tracer[],
  consts: readonly Tracer[],
  t0: Tracer,
  ts: Tracer,
  o: OdeOptions,
): Tracer {
  const N = ts.shape[0]!;
  const K = y0.shape[0]!;
  const tEnd = P.index(ts, N - 1);
  const tcol = P.reshape(ts, [N, 1]);
  const f0 = dyn(t0, y0, args, consts);
  const h0 = firstStep(dyn, t0, y0, f0, args, consts, o);
  // Outputs at t0 itself are y0; the others are filled as steps pass them (NaN until then).
  const Y0 = P.where(P.eq(tcol, t0), P.reshape(y0, [1, K]), NaN);
  const init = [t0, y0, f0, h0, Y0, P.full([], 0, 'int32')];
  const out = P.whileLoop(
    (s) => P.and(P.lt(s[0]!, tEnd), P.lt(s[5]!, o.maxSteps)),
    (s) => {
      const [t, y, k1, h, Y, n] = s as [Tracer, Tracer, Tracer, Tracer, Tracer, Tracer];
      const left = sg(P.sub(tEnd, t));
      const last = P.ge(h, left);
      const hTry = P.where(last, left, h);
      const ks = [k1];
      for (let st = 1; st < 7; st++)
        ks.push(dyn(P.add(t, P.mul(hTry, C[st]!)), combo(y, hTry, ks, A[st]!), args, consts));
      const y5 = combo(y, hTry, ks.slice(0, 6), A[6]!);
      const err = P.mul(hTry, combo(P.zerosLike(y), P.onesLike(hTry), ks, E));
      const sc = P.add(o.absTol, P.mul(o.relTol, P.maximum(P.abs(y), P.abs(y5))));
      const errN = sg(P.sqrt(P.mean(P.square(P.div(err, sc)))));
      const accept = P.le(errN, 1);
      const factor = P.minimum(5, P.maximum(0.2, P.mul(0.9, P.pow(P.maximum(errN, 1e-10), -0.2))));
      const hNew = sg(
        P.where(
          accept,
          P.where(last, P.maximum(P.mul(hTry, factor), h), P.mul(hTry, factor)),
          P.mul(hTry, P.minimum(factor, 1)),
        ),
      );
      const tNew = P.where(accept, P.where(last, tEnd, P.add(t, hTry)), t);
      // dense output for every output time inside (t, tNew]
      const dy = P.sub(y5, y);
      const bspl = P.sub(P.mul(hTry, k1), dy);
      const r4 = P.sub(P.sub(dy, P.mul(hTry, ks[6]!)), bspl);
      const r5 = P.mul(hTry, combo(P.zerosLike(y), P.onesLike(hTry), ks, D));
      const th = sg(P.div(P.sub(tcol, t), P.maximum(hTry, 1e-300))); // [N, 1]
      const th1 = P.sub(1, th);
      const yInt = P.add(y, P.mul(th, P.add(dy, P.mul(th1, P.add(bspl, P.mul(th, P.add(r4, P.mul(th1, r5))))))));
      const inStep = P.and(accept, P.and(P.gt(tcol, t), P.le(tcol, tNew)));
      const YNew = P.where(inStep, yInt, Y);
      return [tNew, P.where(accept, y5, y), P.where(accept, ks[6]!, k1), hNew, YNew, P.add(n, 1)];
    },
    init,
    o.maxSteps + 1,
  );
  return out[4]!;
}

/**
 * The sensitivity system of `dyn` for p = (y0, args): state [y, vec(S)], S [K, P],
 * S' = J_y S + [0 | J_args]. The Jacobians come from one forward-mode product per coordinate
 * of y and of the args with a constant one-hot tangent, which constant folding reduces to the
 * symbolic partial derivatives; S enters only through one matrix product.
 */
function sensitivities(dyn: Dyn, K: number, argSizes: number[]): Dyn {
  const nA = argSizes.reduce((a, b) => a + b, 0);
  const Pn = K + nA;
  const oneHot = (n: number, j: number, shape: readonly number[]) => {
    const e = new Float64Array(n);
    if (j >= 0 && j < n) e[j] = 1;
    return P.constant(e, 'float64', shape);
  };
  return (t, z, args, consts) => {
    const y = P.slice(z, [0], [K]);
    const S = P.reshape(P.slice(z, [K], [K + K * Pn]), [K, Pn]);
    const fy = dyn(t, y, args, consts);
    const f = (yy: Tracer, ...aa: Tracer[]) => dyn(t, yy, aa, consts);
    const column = (j: number): Tracer => {
      // d f / d (y, args) along coordinate j of (y, flattened args)
      let off = K;
      const ty = oneHot(K, j, [K]);
      const targs = args.map((a, m) => {
        const e = oneHot(argSizes[m]!, j - off, a.shape);
        off += argSizes[m]!;
        return e;
      });
      return jvp(f, [y, ...args], [ty, ...targs])[1][0]!;
    };
    // The Jacobian's columns, laid end to end (one concatenation) and read as rows of J^T.
    const Jt = P.reshape(P.concat(Array.from({ length: Pn }, (_, j) => column(j))), [Pn, K]);
    // S' = J_y S + [0 | J_args] = J [S; 0 I]: one product with S stacked on the constant block.
    const M =
      nA > 0 ? P.concat([S, P.concat([P.zeros([nA, K]), P.constant(identity(nA), 'float64', [nA, nA])], 1)]) : S;
    const dS = P.matmul(P.transpose(Jt), M);
    return P.concat([fy, P.reshape(dS, [K * Pn])]);
  };
}

/** A level of the solve: plain steps at level 0, a custom_vjp over sensitivities above. */
function solveLevel(
  dyn: Dyn,
  y0: Tracer,
  args: readonly Tracer[],
  consts: readonly Tracer[],
  t0: Tracer,
  ts: Tracer,
  o: OdeOptions,
  level: number,
): Tracer {
  if (level === 0) return integrate(dyn, y0, args, consts, t0, ts, o);
  const K = y0.shape[0]!;
  const N = ts.shape[0]!;
  const nArgs = args.length;
  const sizes = args.map((a) => a.shape.reduce((x, y) => x * y, 1));
  const Pn = K + sizes.reduce((a, b) => a + b, 0);
  const unpack = (xs: Tracer[]) => ({
    y: xs[0]!,
    a: xs.slice(1, 1 + nArgs),
    c: xs.slice(1 + nArgs, xs.length - 2),
    t0: xs[xs.length - 2]!,
    ts: xs[xs.length - 1]!,
  });
  const fn = P.customVjp(
    (...xs: Tracer[]) => {
      const u = unpack(xs);
      return [integrate(dyn, u.y, u.a, u.c, u.t0, u.ts, o)];
    },
    (...xs: Tracer[]) => {
      const u = unpack(xs);
      const S0 = P.concat([P.constant(identity(K), 'float64', [K, K]), P.zeros([K, Pn - K])], 1);
      const z0 = P.concat([u.y, P.reshape(S0, [K * Pn])]);
      const Z = solveLevel(sensitivities(dyn, K, sizes), z0, u.a, u.c, u.t0, u.ts, o, level - 1);
      const Y = P.slice(Z, [0, 0], [N, K]);
      const S = P.reshape(P.slice(Z, [0, K], [N, K + K * Pn]), [N, K, Pn]);
      return { outs: [Y], residuals: [S] };
    },
    ([S], [ct]) => {
      const g = P.sum(P.mul(P.reshape(ct!, [N, K, 1]), S!), [0, 1]); // [Pn]
      const out: (Tracer | null)[] = [P.slice(g, [0], [K])];
      let off = K;
      args.forEach((a, m) => {
        out.push(P.reshape(P.slice(g, [off], [off + sizes[m]!]), a.shape));
        off += sizes[m]!;
      });
      return [...out, ...consts.map(() => null), null, null];
    },
  );
  return fn(y0, ...args, ...consts, t0, ts)[0]!;
}

function identity(k: number): Float64Array {
  const d = new Float64Array(k * k);
  for (let i = 0; i < k; i++) d[i * k + i] = 1;
  return d;
}

/**
 * The solution of y' = f(t, y, args) with y(t0) = y0 at the times ts (increasing, > t0): [N, K].
 * y0 [K] and args (any shapes) are differentiated; t0 and ts are not. `f` may close over data
 * (constants); it must not close over anything that should be differentiated.
 */
export function odeRk45(
  f: (t: Tracer, y: Tracer, args: readonly Tracer[]) => Tracer,
  y0In: Tracer,
  t0In: Tracer | number,
  tsIn: Tracer,
  argsIn: readonly Tracer[],
  opts: Partial<OdeOptions> = {},
): Tracer {
  const o = { ...ODE_DEFAULTS, ...opts };
  const y0 = P.cast(y0In, 'float64');
  const args = argsIn.map((a) => P.cast(a, 'float64'));
  const t0 = sg(P.cast(P.asTracer(t0In), 'float64'));
  const ts = sg(P.cast(tsIn, 'float64'));
  // Trace f once to make the values it closes over explicit (they become inputs of every level).
  const sub = traceSub(
    (t: Tracer, y: Tracer, ...a: Tracer[]) => {
      const r = f(t, y, a);
      if (r.rank !== 1 || r.shape[0] !== y0.shape[0])
        throw new Error(`the ODE's right-hand side returns shape [${r.shape}] for a state of shape [${y0.shape}]`);
      return P.cast(r, 'float64');
    },
    [t0.aval, y0.aval, ...args.map((a) => a.aval)],
  );
  const consts = sub.captures.map(sg);
  const dyn: Dyn = (t, y, a, c) => inline(sub.graph, [t, y, ...a, ...c])[0]!;
  return solveLevel(dyn, y0, args, consts, t0, ts, o, DEPTH);
}
