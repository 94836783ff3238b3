// A user-written `guide { ... }` block as a VI engine (vi_engine.ts). Its `param` declarations
// are the variational parameters: a flat vector phi laid out like model params (layout.ts), with
// the same constraint transforms for bounded ones, started from their initializers (`= -2`) or
// at 0 on the unconstrained scale. Its `x ~ D(...)` statements draw the model's params in their
// declared (constrained) space and accumulate log q; the ELBO is then
// E_q[log p(theta, y) - log q(theta)] with both densities on the constrained space (the
// Jacobians of the two would cancel). Every model param must be drawn, by a reparameterizable
// distribution (discrete latents take the automatic guide: compiler/running/discrete_engine.ts).

import type { Decl } from '../../grammar/index.js';
import { ops as P, trace, type Tracer } from '../../runtime/index.js';
import { monteCarlo } from '../../stdlib/index.js';
import { prepare } from '../running/backend_seam.js';
import type { CheckedProgram } from '../front/check_program.js';
import type { CompiledProgram } from '../compile.js';
import { buildLayout, type Layout } from './param_layout.js';
import { LowerError, TARGET, type Env, type LV, type Lowerer } from './lower.js';
import { particleScan, type ViEngine } from './vi_graphs.js';

export async function userGuideEngine(compiled: CompiledProgram): Promise<{ engine: ViEngine; phi0: Float64Array }> {
  const { kit, layout, dataArrays } = compiled.internals;
  const guide = compiled.checked.guide!;
  const decls: Decl[] = guide.body.flatMap((st) => (st.kind === 'Param' ? st.decls : []));
  const dataSpecs = kit.specs.slice(1) as Parameters<typeof trace>[1];
  for (const d of decls)
    if (d.type.name.name !== 'real')
      throw new LowerError(
        d.type.span,
        `a guide param is real (with optional bounds); \`${d.type.name.name}\` is not supported here`,
      );

  // Dimensions are compile-time numbers (int data); evaluate them in a throwaway trace.
  let shapes: number[][] = [];
  trace((...data: Tracer[]) => {
    const { env, low } = kit.setup(data);
    shapes = decls.map((d) => d.type.dims.map((e) => low.staticInt(e, env)));
    return P.zeros([]);
  }, dataSpecs);
  const infos = decls.map((d, i) => ({
    kind: 'param',
    decl: d,
    family: 'real',
    ty: { shape: shapes[i]!.map((v) => ({ value: v, text: String(v) })) },
  }));
  const glayout: Layout = buildLayout({ decls: infos } as unknown as CheckedProgram);

  const bounds = (low: Lowerer, env: Env, e: Layout['entries'][number]) =>
    e.bounds.map((b) => low.real(low.expr(b, env), b.span));
  const bindParams = (phi: Tracer, env: Env, low: Lowerer) => {
    for (const e of glayout.entries) {
      const u = P.slice(phi, [e.offset], [e.offset + e.size]);
      env.set(e.name, { kind: 'value', v: e.transform.forward(u, e.shape, bounds(low, env, e)).value });
    }
  };

  /** The guide's draws of the model params (constrained) and log q at them. */
  const guideDraw = (phi: Tracer, key: Tracer, data: Tracer[]) => {
    const { env, low } = kit.setup(data, key);
    bindParams(phi, env, low);
    const genv = env.child();
    genv.set(TARGET, { kind: 'state', v: 0 });
    low.stmts(guide.body, genv);
    const logq = low.real((genv.get(TARGET) as { v: LV }).v, guide.span);
    const values = layout.entries.map((e) => {
      const b = genv.get(e.name);
      if (!b || b.kind !== 'value') throw new LowerError(guide.span, `the guide does not draw the param \`${e.name}\``);
      return P.broadcastTo(low.real(b.v, guide.span), e.shape);
    });
    return { values, logq };
  };
  const modelScope = (values: Tracer[], key: Tracer | null, data: Tracer[]) => {
    const { env, low } = kit.setup(data, key);
    layout.entries.forEach((e, i) => env.set(e.name, { kind: 'value', v: values[i]! }));
    kit.bindLets(env, low);
    return { env, low };
  };

  // The start: initializers inverted through their transforms, 0 (unconstrained) otherwise.
  const initGraph = trace((...data: Tracer[]) => {
    const { env, low } = kit.setup(data);
    const parts = glayout.entries.map((e) => {
      const init = e.decl.init;
      if (!init) return P.zeros([e.size]);
      const v = P.broadcastTo(low.real(low.expr(init, env), init.span), e.shape);
      return P.reshape(e.transform.inverse(v, e.shape, bounds(low, env, e)), [e.size]);
    });
    return parts.length ? P.concat(parts) : P.zeros([0]);
  }, dataSpecs);
  const initExe = await prepare(initGraph, 'ref', 0, dataArrays);
  const phi0 = Float64Array.from(initExe.run([])[0]!.data);

  const engine: ViEngine = {
    m: glayout.n,
    extraSpecs: [],
    extras: [],
    constant: 0,
    widenable: false,
    elbo: (phi, key, _ex, data, K) =>
      monteCarlo(
        (k) => {
          const [kq, kp] = P.splitKey(k, 2);
          const { values, logq } = guideDraw(phi, kq!, data);
          const { env, low } = modelScope(values, kp!, data);
          return P.sub(kit.modelLogp(env, low), logq);
        },
        key,
        K,
      ),
    terms: (phi, key, _ex, data, M) =>
      P.scan(
        (_c, [k]) => {
          const { values, logq } = guideDraw(phi, k!, data);
          const { env, low } = modelScope(values, null, data);
          return [[], [P.sub(kit.modelLogp(env, low), logq)]];
        },
        [],
        [P.splitKeys(key, M)],
      ).ys[0]!,
    // A guide block cannot be widened: its draws are the guide's own (the caller passes scale 1).
    draw: (phi, key, _ex, data) => {
      const [kq, kg] = P.splitKey(key, 2);
      const { values, logq } = guideDraw(phi, kq!, data);
      const exact = modelScope(values, null, data);
      return { ...modelScope(values, kg!, data), lp: kit.modelLogp(exact.env, exact.low), lq: logq, lqWide: null };
    },
    // Both densities on the constrained space (their Jacobians would cancel in lp - lq). The
    // guide's draws are reparameterized through its statements, so wake-sleep (no gradient
    // through the draws) is not available for a guide block.
    particles: (phi, key, _ex, data, K, pathwise, fixedScore = false) => {
      if (fixedScore)
        throw new LowerError(
          guide.span,
          '`grad = stl` and `grad = dreg` need an automatic guide (mean_field, full_rank, low_rank); a guide block scores its draws with its own parameters',
        );
      if (!pathwise)
        throw new LowerError(
          guide.span,
          'wake-sleep objectives (rws) need an automatic guide; a guide block is differentiated through its draws',
        );
      return particleScan(
        (k) => {
          const [kq, kp] = P.splitKey(k, 2);
          const { values, logq } = guideDraw(phi, kq!, data);
          const { env, low } = modelScope(values, kp!, data);
          return [kit.modelLogp(env, low), logq];
        },
        key,
        K,
      );
    },
    mean: null,
  };
  return { engine, phi0 };
}
