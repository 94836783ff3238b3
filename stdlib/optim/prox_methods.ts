// Proximal gradient and FISTA (Beck & Teboulle 2009) for minimize f(x) + h(x), f smooth (from the
// objective's evaluate/value), h given by its prox (objective.prox). Backtracking on the
// Lipschitz estimate L (sufficient decrease of the quadratic upper model), and for FISTA the
// adaptive restart of O'Donoghue & Candes (2015), gradient scheme: momentum is reset when
// (y - x_new)'(x_new - x_old) > 0. The state is plain JSON.
// `g` in the state is the gradient mapping L (y - x_new) at the last extrapolated point, which is
// zero exactly at a minimizer: the driver's tol measures ||G||_inf <= tol * max(1, |F|).

import type { Objective, SolveOptions } from './driver.js';

export interface ProxState {
  method: 'prox_grad' | 'fista';
  step: number;
  x: number[];
  /** F(x) = f(x) + h(x). */
  f: number;
  /** Gradient mapping at the last step. */
  g: number[];
  /** Extrapolated point and the momentum parameter (FISTA). */
  y: number[];
  tk: number;
  /** Current Lipschitz estimate (step 1 / L). */
  L: number;
  restarts: number;
  evals: number;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

const smoothValue = (obj: Objective, x: Float64Array, step: number) =>
  obj.value ? obj.value(x, step) : obj.evaluate(x, step).f;

export function proxInit(obj: Objective, x0: Float64Array, o: SolveOptions): ProxState {
  if (!obj.prox) throw new Error(`${o.method} needs an objective with a prox term`);
  const x = obj.prox.prox(x0, 0 + 1e-300); // lands in the domain of h (a projection for indicators)
  const { f, g } = obj.evaluate(x, 0);
  let L = o.lipschitz ?? 0;
  let evals = 1;
  if (!(L > 0)) {
    // A local estimate from a small gradient step (backtracking corrects it upwards).
    const gn = Math.sqrt(dot(g, g));
    const h = (1e-4 * Math.max(1, Math.sqrt(dot(x, x)))) / Math.max(gn, 1e-300);
    const x1 = x.map((v, i) => v - h * g[i]!);
    const g1 = obj.evaluate(x1, 0).g;
    evals++;
    const dg = Math.sqrt(g1.reduce((s, v, i) => s + (v - g[i]!) ** 2, 0));
    L = gn > 0 ? Math.max(dg / (h * gn), 1e-12) : 1;
  }
  return {
    method: o.method as 'prox_grad' | 'fista',
    step: 0,
    x: Array.from(x),
    f: f + obj.prox.value(x),
    g: Array.from(g),
    y: Array.from(x),
    tk: 1,
    L,
    restarts: 0,
    evals,
  };
}

export function proxStep(obj: Objective, st: ProxState, o: SolveOptions): string | null {
  const h = obj.prox!;
  const y = Float64Array.from(st.y);
  const { f: fy, g: gy } = obj.evaluate(y, st.step + 1);
  st.evals++;
  let L = st.L;
  let z: Float64Array,
    fz: number,
    hz = NaN;
  for (let tries = 0; ; tries++) {
    const t = 1 / L;
    const u = y.map((v, i) => v - t * gy[i]!);
    if (h.proxValue) ({ z, value: hz } = h.proxValue(u, t));
    else z = h.prox(u, t);
    fz = smoothValue(obj, z, st.step + 1);
    st.evals++;
    let lin = 0,
      sq = 0;
    for (let i = 0; i < z.length; i++) {
      const d = z[i]! - y[i]!;
      lin += gy[i]! * d;
      sq += d * d;
    }
    // Sufficient decrease, with a little slack for rounding once f has converged.
    if (fz <= fy + lin + 0.5 * L * sq + 1e-15 * Math.abs(fy) || tries >= 60) break;
    L *= o.backtrack ?? 2;
  }
  st.L = L;
  const x = st.x;
  const Fz = fz + (h.proxValue ? hz : h.value(z));
  st.g = Array.from(z, (v, i) => L * (y[i]! - v));
  if (st.method === 'fista') {
    let restart = false;
    if (o.restart !== false) {
      let s = 0;
      for (let i = 0; i < z.length; i++) s += (y[i]! - z[i]!) * (z[i]! - x[i]!);
      restart = s > 0;
    }
    if (restart) {
      st.tk = 1;
      st.y = Array.from(z);
      st.restarts++;
    } else {
      const t1 = (1 + Math.sqrt(1 + 4 * st.tk * st.tk)) / 2;
      const beta = (st.tk - 1) / t1;
      st.y = Array.from(z, (v, i) => v + beta * (v - x[i]!));
      st.tk = t1;
    }
  } else {
    st.y = Array.from(z);
  }
  st.x = Array.from(z);
  st.f = Fz;
  st.step++;
  return null;
}
