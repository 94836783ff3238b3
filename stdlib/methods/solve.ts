// The library's way into the table: `solve(problem, x0, { method: 'adam', lr: 0.05 })` checks the
// options against the entry (unknown names, kinds, ranges: the same checks `check` applies to
// .opt programs), fills the defaults, and runs the one driver. The options are typed by the
// method's name, so a misspelled method or option is a compile error in TypeScript callers.

import { drain, drainAsync, runSteps, type MethodResult, type RunHooks, type StepInfo } from './driver.js';
import { validateOptions, type GivenOptions, type OptionSpecs, type OptionsOf } from './options.js';
import type { AnyRunnable, Problem, RunContext, StateBase } from './rule.js';
import { hypergradOf, methodOf, runnableOf, type MethodTable, type RunnableName } from './table.js';

/** `{ method, ...options }` for a runnable method, options typed by its entry. */
export type SolveRequest = {
  [K in RunnableName]: { readonly method: K } & GivenOptions<MethodTable[K]['options']>;
}[RunnableName];

/** Options that do not fit their entry. */
export class OptionError extends Error {}

/** The entry and the checked, defaulted options of a request. */
export function resolve(req: { method: string } & Readonly<Record<string, unknown>>): {
  method: AnyRunnable;
  options: OptionsOf<OptionSpecs> & { steps: number };
} {
  const m = methodOf(req.method);
  if (!m) throw new OptionError(`unknown method \`${req.method}\``);
  if (!m.available) throw new OptionError(`the method ${m.name} is not available in this release`);
  if (m.kind === 'hypergrad')
    throw new OptionError(`${m.name} is a hypergradient method; it runs inside \`bilevel(hypergrad = ${m.name})\``);
  const { options, errors } = validateOptions(m.name, m.options, req, (spec, name) => {
    const inner = methodOf(name, spec.table);
    return inner && (!spec.families || spec.families.includes(inner.family)) ? inner.options : null;
  });
  if (errors.length) throw new OptionError(errors.join('; '));
  return { method: m, options: options as OptionsOf<OptionSpecs> & { steps: number } };
}

/** The run context for a seed: the table for nested methods. */
export const contextFor = (seed = 0): RunContext => ({ seed, method: runnableOf, hypergrad: hypergradOf });

/** The run as a generator (one yield per step). */
export function solveSteps(
  problem: Problem,
  x0: Float64Array,
  req: SolveRequest,
  hooks: RunHooks = {},
  seed = 0,
): Generator<StepInfo, MethodResult<StateBase>> {
  const { method, options } = resolve(req);
  const ctx = contextFor(seed);
  // An entry without a `steps` option (bilevel) names its budget (its outer method's).
  if (options.steps === undefined && method.budget) options.steps = method.budget(options as never, ctx);
  return runSteps(method, problem, x0, options, hooks, ctx);
}

/** Runs to the end, synchronously. */
export const solve = (problem: Problem, x0: Float64Array, req: SolveRequest, hooks: RunHooks = {}, seed = 0) =>
  drain(solveSteps(problem, x0, req, hooks, seed));

/** Runs to the end, letting the event loop run every ~20 ms (signals, progress). */
export const solveAsync = (problem: Problem, x0: Float64Array, req: SolveRequest, hooks: RunHooks = {}, seed = 0) =>
  drainAsync(solveSteps(problem, x0, req, hooks, seed));
