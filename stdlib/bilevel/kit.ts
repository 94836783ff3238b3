// What every hypergradient method works with: a bilevel program's two objectives (F outer, g
// inner, both minimized) as host functions over the outer vector x and the inner vector w, and
// the inner solve: any runnable entry of the method table, run by the one driver from a warm
// start. Graphs are traced on first use and run where the facet says (the program's backend).
// Hessian-vector products are forward-over-reverse products of the graph (runtime `hvp`): one
// product of g's full Hessian with a vector supported on w gives both H_ww v and H_xw v, and no
// Hessian is ever formed.
// Invariant: no host state beyond the compiled graphs; everything a run carries across outer
// steps (warm starts) lives in the caller's plain-JSON state.

import { hvp, ops as P, valueAndGrad, vjp, type Tracer } from '../../runtime/index.js';
import { drain, runSteps, type MethodStatus } from '../methods/driver.js';
import { withDefaults, type CallValue } from '../methods/options.js';
import type { AnyRunnable, BilevelFacet, Problem, RunContext } from '../methods/rule.js';
import { hostFn, type HostFn } from '../optim/graph_fn.js';

/** A bilevel run that cannot go on (an inner problem that diverged, a step size it cannot choose): the run's error. */
export class BilevelError extends Error {}

export interface InnerSolve {
  w: Float64Array;
  steps: number;
  status: MethodStatus;
  /** ||grad_w (sigma F + g)||_inf at w. */
  residual: number;
  message: string;
}

/** The inner solver: its entry and effective options (the program's `inner = ...`). */
export interface InnerMethod {
  m: AnyRunnable;
  options: Record<string, unknown> & { steps: number };
}

export class BilevelKit {
  readonly nx: number;
  readonly nw: number;
  readonly n: number;
  private cache = new Map<string, HostFn>();
  /** How the last inner solve that missed its test ended (its driver message), or null. */
  lastMiss: string | null = null;

  constructor(
    readonly facet: BilevelFacet,
    readonly inner: InnerMethod,
    readonly ctx: RunContext,
  ) {
    this.nx = facet.nx;
    this.nw = facet.nw;
    this.n = facet.nx + facet.nw;
  }

  /** z from x and w, as the program's flat layout orders them (host). */
  merge(x: ArrayLike<number>, w: ArrayLike<number>): Float64Array {
    const z = new Float64Array(this.n);
    let o = 0;
    for (const b of this.facet.blocks) {
      const src = b.from === 'x' ? x : w;
      for (let k = 0; k < b.size; k++) z[o + k] = src[b.offset + k]!;
      o += b.size;
    }
    return z;
  }

  /** Splits a vector over z into its x and w parts (host). */
  split(z: ArrayLike<number>): { x: Float64Array; w: Float64Array } {
    const x = new Float64Array(this.nx),
      w = new Float64Array(this.nw);
    let o = 0;
    for (const b of this.facet.blocks) {
      const dst = b.from === 'x' ? x : w;
      for (let k = 0; k < b.size; k++) dst[b.offset + k] = z[o + k]!;
      o += b.size;
    }
    return { x, w };
  }

  /** z from x and w, as tracers (the unrolled graph differentiates through it). */
  mergeT(x: Tracer, w: Tracer): Tracer {
    const parts = this.facet.blocks.map((b) => P.slice(b.from === 'x' ? x : w, [b.offset], [b.offset + b.size]));
    return parts.length === 1 ? parts[0]! : P.concat(parts);
  }

  private fn(key: string, make: () => HostFn): HostFn {
    let f = this.cache.get(key);
    if (!f) this.cache.set(key, (f = make()));
    return f;
  }

  /** Value and gradient over z of F or g. */
  valueGrad(which: 'F' | 'g', z: Float64Array): { f: number; gx: Float64Array; gw: Float64Array } {
    const obj = this.facet[which];
    const vg = this.fn(`vg${which}`, () =>
      hostFn(
        (zz) => {
          const [v, [g]] = valueAndGrad((t: Tracer) => obj(t))(zz);
          return [v, g!];
        },
        [[this.n]],
        this.facet.runner,
      ),
    );
    const [v, g] = vg(z);
    const { x, w } = this.split(g!);
    return { f: v![0]!, gx: x, gw: w };
  }

  /** The Hessian of F or g at z times v (v supported on w): its x rows (H_xw v) and its w rows (H_ww v). */
  hvpW(which: 'F' | 'g', z: Float64Array, v: Float64Array): { x: Float64Array; w: Float64Array } {
    const obj = this.facet[which];
    const hv = this.fn(`hv${which}`, () =>
      hostFn((zz, vv) => hvp((t: Tracer) => obj(t), [zz], [vv])[0]!, [[this.n], [this.n]], this.facet.runner),
    );
    return this.split(hv(z, this.merge(new Float64Array(this.nx), v))[0]!);
  }

  /**
   * The inner problem at x as a Problem over w: minimize sigma F(x, w) + g(x, w) (sigma = 0: the
   * inner objective itself; the penalty method also solves sigma > 0), with value, gradient and
   * Hessian-vector products.
   */
  innerProblem(x: Float64Array, sigma = 0): Problem {
    const ev = (w: Float64Array) => {
      const z = this.merge(x, w);
      const a = this.valueGrad('g', z);
      if (!sigma) return { f: a.f, g: a.gw };
      const b = this.valueGrad('F', z);
      return { f: a.f + sigma * b.f, g: a.gw.map((v, i) => v + sigma * b.gw[i]!) };
    };
    return {
      n: this.nw,
      evaluate: (w) => ev(w),
      value: (w) => ev(w).f,
      hvp: (w, v) => {
        const z = this.merge(x, w);
        const a = this.hvpW('g', z, v).w;
        if (!sigma) return a;
        const b = this.hvpW('F', z, v).w;
        return a.map((u, i) => u + sigma * b[i]!);
      },
    };
  }

  /** Solves the inner problem at x from the warm start w0 with the program's inner method (the one driver). */
  solveInner(x: Float64Array, w0: ArrayLike<number>, sigma = 0): InnerSolve {
    const p = this.innerProblem(x, sigma);
    const { m, options } = this.inner;
    const r = drain(runSteps(m, p, Float64Array.from(w0), options as never, {}, this.ctx));
    if (r.status === 'diverged')
      throw new BilevelError(
        `the inner problem${sigma ? ` (perturbed by sigma = ${sigma} F)` : ''} diverged under ${m.name}: ${r.message}`,
      );
    if (r.status !== 'converged') this.lastMiss = r.message;
    const g = p.evaluate(r.x, 0).g;
    let res = 0;
    for (const v of g) res = Math.max(res, Math.abs(v));
    return { w: r.x, steps: r.steps, status: r.status, residual: res, message: r.message };
  }

  /**
   * The unrolled graph: K steps of gradient descent with step `lr` on g(x, .) from w0 (held
   * constant), then F at (x, w_K); returns F, its gradient in x through the K steps (reverse mode
   * through the scan), and w_K. One graph per K, traced on first use.
   */
  unrolled(
    x: Float64Array,
    w0: Float64Array,
    lr: number,
    steps: number,
  ): { f: number; gx: Float64Array; w: Float64Array } {
    const g = this.facet.g,
      F = this.facet.F;
    const run = this.fn(`unrolled${steps}`, () =>
      hostFn(
        (xx, ww0, eta) => {
          const wK = (xv: Tracer): Tracer =>
            P.scan(
              ([w]) => {
                const [, [gw]] = valueAndGrad((wt: Tracer) => g(this.mergeT(xv, wt)))(w!);
                return [[P.sub(w!, P.mul(eta, gw!))], []];
              },
              [ww0],
              [],
              { length: steps },
            ).carry[0]!;
          const r = vjp(
            (xv: Tracer) => {
              const w = wK(xv);
              return [F(this.mergeT(xv, w)), w];
            },
            [xx],
          );
          const [gx] = r.pullback([P.onesLike(r.outs[0]!), null]);
          return [r.outs[0]!, gx!, r.outs[1]!];
        },
        [[this.nx], [this.nw], []],
        this.facet.runner,
      ),
    );
    const [v, gx, w] = run(x, w0, lr);
    return { f: v![0]!, gx: gx!, w: w! };
  }
}

/** The inner method's entry and effective options from the bilevel entry's `inner` option. */
export function innerMethodOf(inner: string | CallValue, ctx: RunContext): InnerMethod {
  const call = typeof inner === 'string' ? { method: inner } : inner;
  const m = ctx.method?.(call.method);
  if (!m || m.kind !== 'solve')
    throw new BilevelError(`bilevel: the inner method \`${call.method}\` is not a solver that runs`);
  const options = withDefaults(m.options, call) as InnerMethod['options'];
  // On float32 backends the evaluations resolve ~1e-6 relative: an inner test tighter than that
  // cannot hold, so the inner solve is asked for no less (as the augmented Lagrangian does).
  if (ctx.resolution && typeof options.tol === 'number' && options.tol < ctx.resolution) options.tol = ctx.resolution;
  return { m, options };
}
