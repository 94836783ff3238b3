// The `vi` entry of the method table: stochastic optimization of a variational objective (the
// negative ELBO by default, estimated per step by the problem's `evaluate`) by a nested
// first-order optimizer (`optimizer = adam(...)`), with the learning rate decaying by a cosine
// to a tenth of itself over the budget. The test: the ELBO's plateau (plateau.ts: windows of
// PLATEAU_WINDOW steps, `tol` relative, or its noise), or, for deterministic objectives (a delta
// guide), a gradient norm below 1e-10 x scale. The state carries the optimizer's state and the
// plateau's, so checkpoints resume bit-identically. The compiler builds the objective
// (compiler/running/infer.ts); this entry is what the one driver runs.

import { scaledTest } from '../methods/driver.js';
import { int, method, name, oneOf, real, stepsOption, withDefaults, type CallValue } from '../methods/options.js';
import { defineMethod, type AnyRunnable, type RunContext, type StateBase } from '../methods/rule.js';
import { plateauInit, plateauPush, type PlateauState } from './plateau.js';

/** Steps per window of the stopping rule. */
export const PLATEAU_WINDOW = 100;
/** The optimizer's own gradient test (it only ends exact cases: a delta guide, a Gaussian posterior). */
const INNER_TOL = 1e-10;

export interface ViState extends StateBase {
  method: 'vi';
  /** The nested optimizer's state. */
  inner: StateBase;
  plateau: PlateauState;
}

/** The nested optimizer's entry and its effective options (the vi budget, the cosine decay). */
function inner(o: { optimizer: string | CallValue; steps: number }, ctx: RunContext) {
  const call = typeof o.optimizer === 'string' ? { method: o.optimizer } : o.optimizer;
  const m: AnyRunnable | undefined = ctx.method?.(call.method);
  if (!m || m.family !== 'first_order')
    throw new Error(`vi needs a stochastic first-order optimizer; \`${call.method}\` is not one`);
  const given = { ...call, steps: o.steps, tol: INNER_TOL, schedule: { method: 'cosine', floor: 0.1 } };
  return { m, options: withDefaults(m.options, given) as never };
}

export const vi = defineMethod({
  name: 'vi',
  kind: 'infer',
  family: 'vi',
  available: true,
  summary: 'variational inference (stochastic optimization of an objective such as the ELBO)',
  test: `steps / the ELBO's mean over ${PLATEAU_WINDOW}-step windows improves by less than tol (relative) or than its noise`,
  takes: { allows: ['discrete_latents'] },
  options: {
    guide: name({
      builtins: ['mean_field', 'full_rank', 'low_rank', 'delta'],
      default: 'mean_field',
      doc: 'the variational family, or a `guide` block',
    }),
    // Built-ins (compiler/lower/objective_program.ts) or an `objective name = ...` of the program.
    objective: name({
      builtins: ['elbo', 'iwae', 'renyi', 'vimco', 'rws'],
      default: 'elbo',
      doc: 'the variational objective, or an `objective name = ...` of the program',
      // `grad`: the guide-gradient estimator of the reparameterized draws (stdlib Objective
      // `gradient`): sticking-the-landing for the ELBO, doubly reparameterized for IWAE.
      calls: {
        elbo: { grad: oneOf({ values: ['standard', 'stl'], default: 'standard' }) },
        iwae: {
          k: int({ default: 5, min: 1 }),
          grad: oneOf({ values: ['standard', 'dreg'], default: 'standard' }),
        },
        vimco: { k: int({ default: 5, min: 2 }) },
        rws: { k: int({ default: 5, min: 1 }) },
        renyi: { alpha: real({ default: 0.5 }), k: int({ default: 5, min: 1 }) },
      },
    }),
    samples: int({ default: 1, min: 1, doc: 'draws per step' }),
    rank: int({ default: 2, min: 1, doc: 'the rank of low_rank guides' }),
    steps: stepsOption(1000),
    // The relative ELBO change between windows that counts as a plateau; 0 runs the whole budget.
    tol: real({ default: 1e-3, doc: 'the plateau tolerance (0: run the whole budget)' }),
    optimizer: method({
      table: 'solve',
      families: ['first_order'],
      default: 'adam',
      doc: 'the stochastic optimizer',
    }),
  },
  needs: () => [],
  init(p, phi0, o, ctx): ViState {
    const { m, options } = inner(o, ctx);
    const st0 = m.init(p, phi0, options, ctx) as StateBase;
    const st: ViState = {
      method: 'vi',
      step: st0.step,
      x: st0.x,
      f: st0.f,
      inner: st0,
      plateau: plateauInit(PLATEAU_WINDOW, o.tol),
    };
    return st;
  },
  step(p, st, o, ctx) {
    const { m, options } = inner(o, ctx);
    const note = m.step(p, st.inner, options, ctx);
    st.step = st.inner.step;
    st.x = st.inner.x;
    st.f = st.inner.f;
    plateauPush(st.plateau, st.step, -st.f);
    return note;
  },
  measure: 'gradient_norm',
  criterion(p, st, o, scale) {
    if (st.plateau.firedAt !== null)
      return {
        converged: true,
        measure: 0,
        text: `the ELBO reached a plateau at step ${st.plateau.firedAt} (its mean over ${PLATEAU_WINDOW} steps improved by less than tol = ${o.tol} relative, or than its noise)`,
      };
    const g = (st.inner as StateBase & { g?: number[] }).g ?? [];
    let gn = 0;
    for (const v of g) gn = Math.max(gn, Math.abs(v));
    return scaledTest('gradient norm', gn, INNER_TOL, scale);
  },
  accepts: (st) => !!st.inner && !!st.plateau,
});
