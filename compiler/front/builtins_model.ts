// Built-ins that are whole models or solvers rather than formulas: the marginal likelihood of a
// hidden Markov model (stdlib/hmm) and ODE solutions (stdlib/ode, a separate file).

import { hmmHiddenStateProb, hmmMarginal, odeRk45, ODE_DEFAULTS } from '../../stdlib/index.js';
import type { Tracer } from '../../runtime/index.js';
import { dimEq, shapeText, valuesText } from './static_types.js';
import {
  numeric,
  q,
  real,
  type Builtin,
  type BuiltinParam,
  type LowerCtx,
  type TypeCtx,
  type TypeOut,
} from './builtin_kit.js';

const HMM_PARAMS = [
  { name: 'log_omega', kind: 'x' as const },
  { name: 'Gamma', kind: 'x' as const },
  { name: 'rho', kind: 'x' as const },
];

/** log_omega [K, N], Gamma [K, K], rho [K], with one K. */
function hmmShapes(c: TypeCtx): string | null {
  const e = numeric(c);
  if (e) return e;
  const [lo, G, rho] = c.args as [(typeof c.args)[0], (typeof c.args)[0], (typeof c.args)[0]];
  if (lo.shape.length !== 2)
    return `${q(c.expr)}: the emission log densities ${lo.text} must be a matrix [K, N] (one row per state, one column per time)`;
  if (G.shape.length !== 2) return `${q(c.expr)}: the transition matrix ${G.text} must be [K, K]`;
  if (rho.shape.length !== 1) return `${q(c.expr)}: the initial distribution ${rho.text} must be a vector [K]`;
  const K = lo.shape[0]!;
  for (const [d, what] of [
    [G.shape[0]!, `${G.text} (rows)`],
    [G.shape[1]!, `${G.text} (columns)`],
    [rho.shape[0]!, rho.text],
  ] as const) {
    if (dimEq(K, d) === false)
      return `${q(c.expr)}: ${lo.text} has ${K.text} states but ${what} has ${d.text}${valuesText([K, d])}; ${shapeText(lo.shape)}, ${shapeText(G.shape)} and ${shapeText(rho.shape)} must agree`;
  }
  return null;
}

/**
 * The ODE solvers' type rule: f(t, y, args...) -> y' with y0 a vector [K], t0 a scalar and ts a
 * vector [N] known before the run (data), the tolerances positive; the result is [N, K]. f is
 * typed at the call's argument types, and must not use a param except through its arguments
 * (the solver differentiates with respect to y0 and the arguments only).
 */
function odeType(c: TypeCtx): TypeOut | string {
  const e = numeric(c);
  if (e) return e;
  const [y0, t0, ts] = c.args as [(typeof c.args)[0], (typeof c.args)[0], (typeof c.args)[0]];
  const rest = c.args.slice(c.args.length - c.restCount);
  if (y0.shape.length !== 1) return `${q(c.expr)}: the initial state ${y0.text} must be a vector`;
  if (t0.shape.length !== 0) return `${q(c.expr)}: the initial time ${t0.text} must be a scalar`;
  if (ts.shape.length !== 1) return `${q(c.expr)}: the output times ${ts.text} must be a vector`;
  for (const a of [t0, ts])
    if (a.dyn)
      return `${q(c.expr)}: the times ${a.text} depend on a param; times are data (the solution is not differentiated in them)`;
  for (const [v, what] of [
    [c.nums[0], 'rel_tol'],
    [c.nums[1], 'abs_tol'],
  ] as const)
    if (v !== null && v !== undefined && !(v > 0)) return `${q(c.expr)}: ${what} must be positive, got ${v}`;
  if (c.nums[2] !== null && c.nums[2] !== undefined && !(Number.isInteger(c.nums[2]) && c.nums[2] >= 1))
    return `${q(c.expr)}: max_num_steps must be an integer >= 1, got ${c.nums[2]}`;
  const f = c.fns[0]!;
  const r = f.call([
    { shape: [], text: 't', elem: 'real' },
    { shape: y0.shape, text: y0.text, elem: 'real' },
    ...rest.map((a) => ({ ...a, dyn: false })),
  ]);
  if (typeof r === 'string')
    return `${q(c.expr)}: ${r}${/uses the param/.test(r) ? ' (after the times), so that the solver differentiates with respect to it' : ''}`;
  if (r.shape.length !== 1 || dimEq(r.shape[0]!, y0.shape[0]!) === false)
    return `${q(c.expr)}: ${q(f.name)} returns ${r.shape.length ? shapeText(r.shape) : 'a scalar'}, but the state ${y0.text} is ${shapeText(y0.shape)}; the right-hand side returns dy/dt, one entry per state`;
  if (r.dyn)
    return `${q(c.expr)}: ${q(f.name)} depends on a param that is not one of its arguments; pass it after the times, so that the solver differentiates with respect to it`;
  return real([ts.shape[0]!, y0.shape[0]!]);
}

function odeLower(c: LowerCtx): ReturnType<Builtin['lower']> {
  const [y0, t0, ts] = c.args as [Tracer, Tracer, Tracer];
  const rest = c.args.slice(c.args.length - (c.restCount ?? 0));
  const nums = c.nums ?? [];
  const f = c.fns![0]!;
  return odeRk45((t, y, a) => f(t, y, ...a), y0, t0, ts, rest, {
    relTol: nums[0] ?? ODE_DEFAULTS.relTol,
    absTol: nums[1] ?? ODE_DEFAULTS.absTol,
    maxSteps: nums[2] ?? ODE_DEFAULTS.maxSteps,
  });
}

const ODE_HEAD: BuiltinParam[] = [
  { name: 'f', kind: 'fn' },
  { name: 'y0', kind: 'x' },
  { name: 't0', kind: 'x' },
  { name: 'ts', kind: 'x' },
];

const odeRk45Entry = (name: string, named: boolean): Builtin => ({
  name,
  params: [
    ...ODE_HEAD,
    { name: 'rel_tol', kind: 'num', named },
    { name: 'abs_tol', kind: 'num', named },
    { name: 'max_num_steps', kind: 'num', named },
  ],
  required: named ? 4 : 7,
  rest: { name: 'args' },
  smooth: true,
  summary: named
    ? `the solution [N, K] at the times ts of y' = f(t, y, args...), y(t0) = y0 [K]: adaptive Dormand-Prince 5(4), differentiated by forward sensitivities; options rel_tol (${ODE_DEFAULTS.relTol}), abs_tol (${ODE_DEFAULTS.absTol}), max_num_steps (${ODE_DEFAULTS.maxSteps}) by name`
    : "ode_rk45 with the tolerances positional, as Stan's ode_rk45_tol(f, y0, t0, ts, rel_tol, abs_tol, max_num_steps, args...)",
  type: odeType,
  warn: odeWarn,
  lower: odeLower,
});

/** Data passed as an ODE argument is differentiated for nothing: each entry adds K sensitivity states. */
function odeWarn(c: TypeCtx): string | null {
  const rest = c.args.slice(c.args.length - c.restCount);
  const data = rest.filter((a) => !a.dyn);
  if (!data.length) return null;
  return `${q(c.expr)}: ${data.map((a) => q(a.text)).join(', ')} ${data.length > 1 ? 'do' : 'does'} not depend on any param; the solver integrates the sensitivities of every argument, so use data inside ${q(c.fns[0]!.name)} instead of passing it`;
}

/** Stiff solvers: an honest refusal that names what to do instead. */
const stiffRefusal = (name: string): Builtin => ({
  name,
  params: [...ODE_HEAD],
  required: 4,
  rest: { name: 'args' },
  smooth: true,
  summary: 'not available: there is no stiff (implicit) ODE solver yet; the checker says what to use instead',
  type: (c) =>
    `${q(c.expr)}: ${name} (a stiff, implicit solver) is not available in this release; use ode_rk45, and for a stiff system raise max_num_steps (the explicit solver needs many small steps there) or rescale the equations`,
  lower: () => {
    throw new Error(`${name} is not available`);
  },
});

export const MODEL_BUILTINS: readonly Builtin[] = [
  odeRk45Entry('ode_rk45', true),
  odeRk45Entry('ode_rk45_tol', false),
  stiffRefusal('ode_bdf'),
  stiffRefusal('ode_bdf_tol'),
  stiffRefusal('ode_adams'),
  {
    name: 'hmm_marginal',
    params: HMM_PARAMS,
    required: 3,
    smooth: true,
    summary:
      'log p(y) of a hidden Markov model, states summed out (forward algorithm): log_omega [K, N] emission log densities, Gamma [K, K] transition matrix (rows simplexes), rho [K] initial distribution',
    type: (c) => hmmShapes(c) ?? real([]),
    lower: (c) => hmmMarginal(c.args[0]!, c.args[1]!, c.args[2]!),
  },
  {
    name: 'hmm_hidden_state_prob',
    params: HMM_PARAMS,
    required: 3,
    smooth: true,
    summary:
      'the posterior state probabilities P(z_t = k | y), [K, N], of the same hidden Markov model (forward-backward)',
    type: (c) => hmmShapes(c) ?? real([...c.args[0]!.shape]),
    lower: (c) => hmmHiddenStateProb(c.args[0]!, c.args[1]!, c.args[2]!),
  },
];
