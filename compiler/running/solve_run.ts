// Runs a `solve` (an optimization program, or a model's MAP estimate) with the method the
// analysis chose or the program named, whatever its family: the problem built by
// solve_problem.ts becomes the stdlib Problem with the facets the method's table entry needs
// (problem_facets.ts), the one driver runs the entry, and the result comes back in the user's
// terms: the objective with the user's sign, values in declared shapes, and diagnostics (the
// entry's, with multipliers keyed by constraint label, else by index as written; exact zeros of
// prox-penalized vars; the largest bound violation of the prox methods' sets).
// A `start` outside the simple bounds is projected onto them first, with a warning. Bounds that
// contradict each other (lower > upper) end the run with status `infeasible` before any solve.
// The solver loops run on the host in float64; the graphs they call run on the program's
// backend (the one the compile resolved: `auto` -> autoBackend on the objective), through
// stdlib's backendRunner (data are constants of the graphs: uploaded once per compiled graph).

import { initBackend, type BackendName } from '../../runtime/index.js';
import {
  backendRunner,
  BilevelError,
  CheckpointMismatch,
  contextFor,
  drainAsync,
  runSteps,
  type AnyRunnable,
  type GraphRunner,
  type Multipliers,
} from '../../stdlib/index.js';
import type { AlgorithmChoice } from '../analysis/analyze.js';
import type { CompiledProgram } from '../compile.js';
import { fileMessage, messageAt, type Message } from '../messages.js';
import { runEnd } from './outcome.js';
import { problemFor } from './problem_facets.js';
import { startProblem } from './start_check.js';
import { siteProblems } from './site_check.js';
import { FLOAT32_BACKENDS, FLOAT32_REACH } from './backend_seam.js';
import type { RunResult, RunStatus } from './result.js';
import { driverHooks, type RunOptions } from './run_options.js';
import { BuildError, buildProblem, modelProblem, type BuiltProblem } from './solve_problem.js';

/**
 * The fields of a run result this module fills (run_program.ts adds seed, backend, compile time),
 * and `build_ms`: compiles during the run, which run_program.ts adds to compile_ms.
 */
export type SolveOutcome = Pick<RunResult, 'status' | 'messages'> & Partial<RunResult> & { build_ms?: number };

/** A runner whose compiles (graph -> executable) add their time to `clock`; ref's own path is untouched. */
function timedRunner(runner: GraphRunner | undefined, clock: { ms: number }): GraphRunner | undefined {
  if (!runner) return undefined;
  return (graph) => {
    const t0 = performance.now();
    const exe = runner(graph);
    clock.ms += performance.now() - t0;
    return exe;
  };
}

export async function runSolver(
  compiled: CompiledProgram,
  alg: AlgorithmChoice,
  method: AnyRunnable,
  opts: RunOptions,
): Promise<SolveOutcome> {
  // An entry without a `steps` option (bilevel) names its budget (its outer method's).
  const steps =
    opts.steps ??
    (alg.options.steps as number | undefined) ??
    method.budget!(alg.options as never, contextFor(compiled.seed));
  const options = { ...alg.options, steps };
  const resultOptions = { method: alg.name, ...options };
  const backend = solveBackend(compiled);
  await initBackend(backend);
  // Compiles during the run (building the problem, graphs compiled on first use, a fused step)
  // count as compile time, not solve time: `clock` gathers them and the run reports them apart.
  const clock = { ms: 0 };
  let buildMs = 0;
  const runner = timedRunner(backendRunner(backend), clock);
  const messages: Message[] = [...compiled.messages];
  const at = (span: BuildError['span'], severity: Message['severity'], text: string, hint?: string): Message =>
    span
      ? messageAt(severity, span, text, hint)
      : compiled.anchor
        ? messageAt(severity, compiled.anchor, text, hint)
        : fileMessage(severity, compiled.file, text, hint);
  const error = (span: BuildError['span'], text: string, hint?: string): SolveOutcome => ({
    status: 'error',
    options: resultOptions,
    messages: [...messages, at(span, 'error', text, hint)],
  });
  const sign = compiled.sense === 'minimize' ? 1 : -1;
  const t1 = performance.now();

  try {
    const pb = compiled.kind === 'optimization' ? buildProblem(compiled) : modelProblem(compiled);
    const clash = contradictoryBounds(compiled, pb);
    if (clash) {
      messages.push(at(null, 'warning', `${alg.name} stopped: ${clash.reason}`));
      return {
        status: 'infeasible' as RunStatus,
        backend,
        objective: null,
        steps: 0,
        options: resultOptions,
        values: compiled.valuesAt(compiled.initialPoint(compiled.seed)),
        messages,
        diagnostics: { max_violation: clash.violation, stop_reason: clash.reason },
      };
    }
    const x0 = startPoint(compiled, pb, messages, at);
    // A start where the objective is not finite: an error that shows it and suggests `start`.
    const bad = opts.checkpoint?.resume ? null : startProblem(compiled, x0, { gradient: !pb.prox.length });
    if (bad) return { status: 'error', options: resultOptions, messages: [...messages, bad] };
    const problem = problemFor(compiled, pb, method, options, runner, { backend, clock });
    buildMs = performance.now() - t1 - clock.ms; // compiles inside the build are already on the clock
    const hooks = driverHooks(opts, steps, (f) => sign * f);
    const r = await drainAsync(
      runSteps(method, problem, x0, options as never, hooks, {
        ...contextFor(compiled.seed),
        resolution: FLOAT32_BACKENDS.has(backend) ? FLOAT32_REACH : undefined,
      }),
    );
    const end = runEnd(compiled, alg.name, r, options);
    // A diverged model: a distribution argument that left its domain is the likely cause; name it.
    const sites =
      end.status === 'diverged' && compiled.kind === 'model'
        ? await siteProblems(compiled, r.x, 'where the run stopped')
        : [];
    return {
      status: sites.length ? 'error' : end.status,
      backend,
      objective: sign * r.f,
      steps: r.steps,
      time_ms: performance.now() - t1 - buildMs - clock.ms,
      build_ms: buildMs + clock.ms,
      options: resultOptions,
      values: compiled.valuesAt(r.x),
      messages: [...messages, ...end.messages, ...sites],
      diagnostics: {
        [method.measure]: r.measure,
        ...inUserTerms(pb, r.diagnostics, r.x),
        ...end.diagnostics,
        stop_reason: end.stopReason,
      },
    };
  } catch (e) {
    if (e instanceof BuildError) return error(e.span, e.message, e.hint);
    if (e instanceof CheckpointMismatch) return error(null, `--resume: ${e.message}`);
    if (e instanceof BilevelError) return error(null, e.message);
    throw e;
  }
}

/** The backend the solve runs its graphs on: the compile's resolved choice (`auto` already decided). */
export function solveBackend(compiled: CompiledProgram): BackendName {
  return compiled.backend as BackendName;
}

/** Bounds that contradict each other: the first coordinate and its two constraints, in words. */
function contradictoryBounds(compiled: CompiledProgram, pb: BuiltProblem) {
  for (let i = 0; i < pb.n; i++) {
    if (!(pb.lower[i]! > pb.upper[i]!)) continue;
    const who = (side: 'lo' | 'hi') => pb.keys.find((k) => k.bounds.some((b) => b.i === i && b.side === side))?.key;
    const c = pb.coordName(i);
    void compiled;
    return {
      violation: pb.lower[i]! - pb.upper[i]!,
      reason: `the bounds on ${c} contradict each other: ${c} >= ${pb.lower[i]} (constraint ${who('lo')}) and <= ${pb.upper[i]} (constraint ${who('hi')})`,
    };
  }
  return null;
}

/** The start, projected onto the bounds (a warning for starts the program gave). */
function startPoint(
  compiled: CompiledProgram,
  pb: BuiltProblem,
  messages: Message[],
  at: (span: BuildError['span'], severity: Message['severity'], text: string) => Message,
): Float64Array {
  const x0 = compiled.initialPoint(compiled.seed);
  const moved: string[] = [];
  const given = new Set([
    ...compiled.checked.starts.keys(),
    ...compiled.internals.layout.entries.filter((e) => e.decl.init).map((e) => e.name),
  ]);
  for (let i = 0; i < pb.n; i++) {
    const v = Math.min(Math.max(x0[i]!, pb.lower[i]!), pb.upper[i]!);
    if (v === x0[i]) continue;
    const name = pb.coordName(i);
    if (given.has(name.replace(/\[.*$/, '')))
      moved.push(`${name} = ${x0[i]} (${v === pb.lower[i] ? 'below its lower bound' : 'above its upper bound'} ${v})`);
    x0[i] = v;
  }
  if (moved.length) {
    const name = moved[0]!.replace(/[[ ].*$/, '');
    const span = compiled.checked.starts.get(name)?.span ?? null;
    messages.push(at(span, 'warning', `the start lies outside the bounds at ${moved.join(', ')}; projected onto them`));
  }
  return x0;
}

/** The entry's diagnostics in the program's terms: multipliers by constraint, zeros of prox terms, set violations. */
function inUserTerms(pb: BuiltProblem, d: Record<string, unknown>, x: Float64Array): Record<string, unknown> {
  const out: Record<string, unknown> = { ...d };
  if (d.multipliers) out.multipliers = multipliersByKey(pb, d.multipliers as Multipliers);
  if (pb.prox.length)
    out.zeros = Object.fromEntries(
      pb.prox.map((t) => [t.name, x.subarray(t.offset, t.offset + t.size).filter((v) => v === 0).length]),
    );
  const sets = pb.simplex.length || pb.lower.some((v) => v > -Infinity) || pb.upper.some((v) => v < Infinity);
  if (sets && out.max_violation === undefined) out.max_violation = boundViolation(pb, x);
  return out;
}

function boundViolation(pb: BuiltProblem, x: Float64Array): number {
  let v = 0;
  for (let i = 0; i < pb.n; i++) v = Math.max(v, pb.lower[i]! - x[i]!, x[i]! - pb.upper[i]!);
  for (const s of pb.simplex)
    v = Math.max(v, Math.abs(x.subarray(s.offset, s.offset + s.size).reduce((a, b) => a + b, 0) - 1));
  return v;
}

/** Multipliers by constraint label (else index as written); a scalar for a one-row constraint. */
function multipliersByKey(pb: BuiltProblem, m: Multipliers): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  for (const k of pb.keys) {
    const vals: number[] = [];
    for (const [list, mu] of [
      [k.eq, m.eq],
      [k.ineq, m.ineq],
    ] as const) {
      if (!list.length) continue;
      const len = list[0]!.length;
      for (let j = 0; j < len; j++) vals.push(list.reduce((s, pair) => s + pair[j]!.sign * (mu[pair[j]!.row] ?? 0), 0));
    }
    const coords = [...new Set(k.bounds.map((b) => b.i))];
    for (const i of coords) {
      const lo = k.bounds.some((b) => b.i === i && b.side === 'lo') ? (m.lower[i] ?? 0) : 0;
      const hi = k.bounds.some((b) => b.i === i && b.side === 'hi') ? (m.upper[i] ?? 0) : 0;
      vals.push(lo - hi);
    }
    if (!vals.length) continue;
    out[k.key] = vals.length === 1 ? vals[0]! : vals;
  }
  return out;
}
