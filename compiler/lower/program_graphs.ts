// The graphs a program compiles to, all over the same inputs (the flat unconstrained vector
// theta, then the data arrays in declaration order; int data scalars and dimensions are
// compile-time numbers, not inputs):
//   objective:  theta -> f, the function to MINIMIZE (a `maximize` negated; for a model solved
//               with `solve`, -log p without Jacobians, so its minimizer is the constrained mode)
//   logDensity: theta -> log p(theta | data) + log|J|, on the unconstrained space (models only)
//   values:     theta -> each var's and param's constrained value
//   init:       (theta0, data) -> theta, where `start` values replace theta0's slices (inverted
//               through their transforms) and the rest keep the random theta0; a var without a
//               start maps its draw strictly inside its declared domain (docs/language.md):
//               lo + e^u, hi - e^u, lo + (hi - lo) logistic(u), softmax(u) for a simplex
// Parameters unpack in declaration order, so a bound may use any earlier parameter's value.

import { dependencyOrder, type Expr } from '../../grammar/index.js';
import { ops as P, runRef, trace, type Graph, type Tracer } from '../../runtime/index.js';
import type { CheckedProgram } from '../front/check_program.js';
import type { DataArray } from '../front/data_binding.js';
import type { Layout } from './param_layout.js';
import { transforms } from '../../stdlib/index.js';
import { Env, KEY, Lowerer, TARGET, type LV } from './lower.js';

export interface ProgramGraphs {
  /** Names of the data inputs after theta, in order. */
  dataInputs: string[];
  objective: Graph | null;
  logDensity: Graph | null;
  values: Graph;
  init: Graph;
}

/**
 * The lowering pieces every graph of a program is made of, for use inside an open trace (the
 * inference engine, compiler/running/infer.ts, builds its ELBO and draw graphs from the same pieces).
 */
export interface ProgramKit {
  /** Names of the data inputs after theta, in order. */
  dataInputs: string[];
  /** Input specs: theta, then the data arrays. */
  specs: ({ shape: number[]; dtype: 'float64' | 'int32' | 'bool' } | number[])[];
  /** A scope with data, functions and lazy lets bound; `key` enables draws and minibatches. */
  setup(data: Tracer[], key?: Tracer | null): { env: Env; low: Lowerer };
  /**
   * Binds every var and param from theta, and the discrete latents from `latents` (0 when not
   * given: the log density conditional on z = 0, for graphs that need one); returns the summed
   * log|J| of the params.
   */
  unpack(theta: Tracer, env: Env, low: Lowerer, latents?: ReadonlyMap<string, Tracer>): Tracer;
  /** The shapes of the discrete latents (CheckedProgram.latents), evaluated with the data. */
  latentShapes(env: Env, low: Lowerer): { name: string; shape: number[] }[];
  /** Evaluates the top-level lets now, after the params are bound (see `unpack`). */
  bindLets(env: Env, low: Lowerer): void;
  /** The model's log density at the bound params (constrained scale, no Jacobian). */
  modelLogp(env: Env, low: Lowerer): Tracer;
  /** Runs the `generate` block; returns its outputs in order (names and values). */
  generate(env: Env, low: Lowerer): { name: string; value: Tracer }[];
}

export function programKit(
  p: CheckedProgram,
  layout: Layout,
  statics: ReadonlyMap<string, number>,
  arrays: ReadonlyMap<string, DataArray>,
): ProgramKit {
  const dataInputs = p.decls
    .filter((d) => d.kind === 'data' && !statics.has(d.decl.name.name))
    .map((d) => d.decl.name.name);
  const specs = [
    [layout.n],
    ...dataInputs.map((n) => ({ shape: [...arrays.get(n)!.shape], dtype: dtypeOf(arrays.get(n)!) })),
  ];

  const setup = (data: Tracer[], key?: Tracer | null) => {
    const r = globalEnv(p, statics, new Map(dataInputs.map((n, i) => [n, data[i]!])));
    if (key) r.env.set(KEY, { kind: 'state', v: key });
    return r;
  };

  const boundsOf = (low: Lowerer, env: Env, exprs: readonly Expr[]): Tracer[] =>
    exprs.map((b) => low.real(low.expr(b, env), b.span));

  // Top-level lets are evaluated after binding, in the outermost trace: evaluated lazily inside a
  // loop body first, their value would belong to that body's trace and could not be used outside.
  // Each after the lets it uses, so a long chain of lets is lowered in a loop (grammar/spine.ts).
  const letsInOrder = dependencyOrder(
    p.modules.flatMap((m) =>
      m.program.body.flatMap((st) => (st.kind === 'Let' ? [{ name: st.name.name, value: st.value, st }] : [])),
    ),
  );
  const bindLets = (env: Env, low: Lowerer): void => {
    for (const { st } of letsInOrder) low.expr({ kind: 'Ident', name: st.name.name, span: st.name.span }, env);
  };

  const latentShapes = (env: Env, low: Lowerer) =>
    p.latents.map((l) => ({ name: l.decl.name.name, shape: l.decl.type.dims.map((e) => low.staticInt(e, env)) }));
  const unpack = (theta: Tracer, env: Env, low: Lowerer, latents?: ReadonlyMap<string, Tracer>): Tracer => {
    let logJac: Tracer = P.zeros([]);
    for (const e of layout.entries) {
      const u = P.slice(theta, [e.offset], [e.offset + e.size]);
      const r = e.transform.forward(u, e.shape, boundsOf(low, env, e.bounds));
      env.set(e.name, { kind: 'value', v: r.value });
      if (e.kind === 'param') logJac = P.add(logJac, r.logJac);
    }
    for (const l of latentShapes(env, low))
      env.set(l.name, { kind: 'value', v: latents?.get(l.name) ?? P.zeros(l.shape) });
    bindLets(env, low);
    return logJac;
  };

  const modelLogp = (env: Env, low: Lowerer): Tracer => {
    const menv = env.child();
    menv.set(TARGET, { kind: 'state', v: 0 });
    low.stmts(p.model!.body, menv);
    const t = (menv.get(TARGET) as { v: LV }).v;
    return low.real(t, p.model!.span);
  };

  const generate = (env: Env, low: Lowerer): { name: string; value: Tracer }[] => {
    if (!p.generate) return [];
    const genv = env.child();
    low.stmts(p.generate.body, genv);
    const out: { name: string; value: Tracer }[] = [];
    for (const st of p.generate.body) {
      const t =
        st.kind === 'Assign' && st.target.kind === 'Ident'
          ? st.target
          : st.kind === 'Sample' && st.target.kind === 'Ident'
            ? st.target
            : null;
      if (!t || env.get(t.name) || out.some((o) => o.name === t.name)) continue;
      out.push({ name: t.name, value: low.real((genv.get(t.name) as { v: LV }).v, st.span) });
    }
    return out;
  };

  return { dataInputs, specs, setup, unpack, latentShapes, bindLets, modelLogp, generate };
}

export function buildGraphs(
  p: CheckedProgram,
  layout: Layout,
  statics: ReadonlyMap<string, number>,
  arrays: ReadonlyMap<string, DataArray>,
): ProgramGraphs {
  const { dataInputs, specs, setup, unpack, modelLogp } = programKit(p, layout, statics, arrays);
  const boundsOf = (low: Lowerer, env: Env, exprs: readonly Expr[]): Tracer[] =>
    exprs.map((b) => low.real(low.expr(b, env), b.span));

  let objective: Graph | null = null;
  if (p.optimize) {
    const opt = p.optimize;
    objective = trace((theta: Tracer, ...data: Tracer[]) => {
      const { env, low } = setup(data);
      unpack(theta, env, low);
      const f = low.real(low.expr(opt.objective, env), opt.objective.span);
      return opt.sense === 'maximize' ? P.neg(f) : f;
    }, specs);
  } else if (p.model && p.solve) {
    objective = trace((theta: Tracer, ...data: Tracer[]) => {
      const { env, low } = setup(data);
      unpack(theta, env, low);
      return P.neg(modelLogp(env, low));
    }, specs);
  }

  const logDensity = p.model
    ? trace((theta: Tracer, ...data: Tracer[]) => {
        const { env, low } = setup(data);
        const logJac = unpack(theta, env, low);
        return P.add(modelLogp(env, low), logJac);
      }, specs)
    : null;

  const values = trace((theta: Tracer, ...data: Tracer[]) => {
    const { env, low } = setup(data);
    unpack(theta, env, low);
    const outs = layout.entries.map((e) => low.real((env.get(e.name) as { v: LV }).v, e.decl.span));
    return outs.length ? outs : [P.zeros([0])];
  }, specs);

  const starts = new Map<string, Expr>();
  for (const e of layout.entries) if (e.decl.init) starts.set(e.name, e.decl.init);
  for (const [k, v] of p.starts) starts.set(k, v.value);
  const init = trace((theta0: Tracer, ...data: Tracer[]) => {
    const { env, low } = setup(data);
    const parts: Tracer[] = [];
    for (const e of layout.entries) {
      const bounds = boundsOf(low, env, e.bounds);
      const s = starts.get(e.name);
      let u: Tracer;
      if (s) {
        const v = P.broadcastTo(low.real(low.expr(s, env), s.span), e.shape);
        u = P.reshape(e.transform.inverse(v, e.shape, bounds), [e.size]);
      } else if (e.kind === 'var') u = varStart(P.slice(theta0, [e.offset], [e.offset + e.size]), e, low, env);
      else u = P.slice(theta0, [e.offset], [e.offset + e.size]);
      env.set(e.name, { kind: 'value', v: e.transform.forward(u, e.shape, bounds).value });
      parts.push(u);
    }
    return parts.length ? P.concat(parts) : P.zeros([0]);
  }, specs);

  return { dataInputs, objective, logDensity, values, init };
}

/** A var's default start: its draw u mapped strictly inside its domain (a var's slice is its value). */
function varStart(u: Tracer, e: Layout['entries'][number], low: Lowerer, env: Env): Tracer {
  if (e.family === 'simplex') return P.softmax(u);
  if (!e.domain) return u;
  const b = (x: Expr) => low.real(low.expr(x, env), x.span);
  const { lo, hi } = e.domain;
  const t = lo && hi ? transforms.interval! : lo ? transforms.lower! : transforms.upper!;
  const v = t.forward(u, e.shape, lo && hi ? [b(lo), b(hi)] : [b((lo ?? hi)!)]).value;
  return P.reshape(v, [e.size]);
}

/** The top-level environment: compile-time numbers, data values, functions and lazy lets. */
export function globalEnv(
  p: CheckedProgram,
  statics: ReadonlyMap<string, number>,
  data: ReadonlyMap<string, Tracer>,
): { env: Env; low: Lowerer } {
  const env = new Env(null);
  for (const [k, v] of statics) env.set(k, { kind: 'value', v });
  for (const [k, v] of data) env.set(k, { kind: 'value', v });
  for (const m of p.modules) {
    for (const st of m.program.body) {
      if (st.kind === 'Fn') env.set(st.name.name, { kind: 'fn', fn: st });
      else if (st.kind === 'Let') env.set(st.name.name, { kind: 'lazy', expr: st.value });
    }
  }
  return { env, low: new Lowerer(env) };
}

/** Evaluates a data-only expression (a default, a data bound) on the host. */
export function evalData(
  p: CheckedProgram,
  e: Expr,
  statics: ReadonlyMap<string, number>,
  arrays: ReadonlyMap<string, DataArray>,
): DataArray {
  const g = trace(() => {
    const consts = new Map<string, Tracer>();
    for (const [k, a] of arrays) if (!statics.has(k)) consts.set(k, P.constant(a.data, dtypeOf(a), a.shape));
    const { env, low } = globalEnv(p, statics, consts);
    return low.tensor(low.expr(e, env), e.span);
  }, []);
  const [r] = runRef(g, []);
  return { data: r!.data, shape: [...r!.shape] };
}

function dtypeOf(a: DataArray): 'float64' | 'int32' | 'bool' {
  return a.data instanceof Int32Array ? 'int32' : a.data instanceof Uint8Array ? 'bool' : 'float64';
}
