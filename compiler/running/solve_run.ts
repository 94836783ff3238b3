// Runs an optimization program with the solver the analysis chose (or `solve` named): the
// problem built by solve_problem.ts goes to the stdlib solver that takes it, and the result
// comes back in the user's terms: the objective with the user's sign, values in declared shapes,
// and diagnostics (KKT residual, maximum violation, multipliers keyed by constraint label, else
// by index as written; sketch iterations for sketch_newton; exact zeros of prox-penalized vars).
//   lbfgs, newton_cg, first-order methods -> stdlib/optim driver on the smooth objective
//   gauss_newton, lm                       -> the driver with the residual of `c * sumsq(r)`
//   fista, prox_grad, prox_adam            -> the driver with blockProx(prox terms, box / simplex)
//   projected                              -> boundedSteps (bounds; progress, Ctrl-C, checkpoints); fista with the projection
//                                             when a var is a simplex
//   auglag                                 -> augLagSteps (bounds in the inner solves)
//   sketch_newton                          -> sketchNewton (equality constraints only)
// A `start` outside the simple bounds is projected onto them first, with a warning. Bounds that
// contradict each other (lower > upper) end the run with status `infeasible` before any solve.
// The solver loops run on the host in float64; the graphs they call (objective, gradient, Hessian
// products, residual, constraint values and Jacobians) run on the program's backend: the one the
// compile resolved (`auto` -> autoBackend on the objective), through stdlib/optim/backend_runner
// (data are constants of the graphs: uploaded once per compiled graph). The result reports it.
// Prox operators and projections run on the host in float64.

import {
  solveAsync,
  drainAsync,
  type Method,
  type Objective,
  type SolveOptions,
  type SolverState,
} from '../../stdlib/optim/driver.js';
import { graphObjective, leastSquaresObjective } from '../../stdlib/optim/graph_objective.js';
import { blockProx, hostProx, zeroProx, type HostProx, type ProxBlock } from '../../stdlib/prox/host.js';
import { augLagSteps, type AugLagState } from '../../stdlib/solvers/augmented_lagrangian.js';
import { boundedSteps, projectedGradientNorm, type BoundedState } from '../../stdlib/solvers/bounded.js';
import { graphProblem } from '../../stdlib/solvers/graph_problem.js';
import { backendRunner } from '../../stdlib/optim/backend_runner.js';
import { initBackend, type BackendName } from '../../runtime/backends/index.js';
import type { ConstrainedResult } from '../../stdlib/solvers/problem.js';
import { sketchNewton, type SketchNewtonState } from '../../stdlib/solvers/sketch_newton.js';
import { ops as P, type Tracer } from '../../runtime/index.js';
import type { AlgorithmChoice } from '../analysis/analyze.js';
import type { CompiledProgram } from '../compile.js';
import { fileMessage, messageAt, type Message } from '../messages.js';
import type { RunResult, RunStatus } from './result.js';
import type { RunOptions } from './run_program.js';
import { BuildError, buildProblem, type BuiltProblem } from './solve_problem.js';
import { toBatch, toSchedule } from '../analysis/schedule_options.js';
import { batchObjective } from './solve_batch.js';
import { startProblem } from './start_check.js';
import { FLOAT32_BACKENDS, FLOAT32_REACH } from './backend_seam.js';

/** The fields of a run result this module fills (run.ts adds seed, backend, compile time). */
export type SolveOutcome = Pick<RunResult, 'status' | 'messages'> & Partial<RunResult>;

const FIRST_ORDER = new Set([
  'sgd',
  'adam',
  'adamw',
  'adagrad',
  'rmsprop',
  'diffgrad',
  'normalized_gd',
  'normalized_momentum',
]);
const PROX = new Set(['fista', 'prox_grad', 'prox_adam']);
/** Separable convex terms whose prox composes with a box by clipping. */
const CLIPS = new Set(['norm1', 'ridge', 'elastic_net']);

export async function runSolver(
  compiled: CompiledProgram,
  alg: AlgorithmChoice,
  opts: RunOptions,
): Promise<SolveOutcome> {
  const o = alg.options;
  const backend = solveBackend(compiled);
  await initBackend(backend);
  const runner = backendRunner(backend);
  const steps = opts.steps ?? (o.steps as number);
  const options = { method: alg.name, ...o, steps };
  const messages: Message[] = [...compiled.messages];
  const at = (span: BuildError['span'], severity: Message['severity'], text: string, hint?: string): Message =>
    span
      ? messageAt(severity, span, text, hint)
      : compiled.anchor
        ? messageAt(severity, compiled.anchor, text, hint)
        : fileMessage(severity, compiled.file, text, hint);
  const error = (span: BuildError['span'], text: string, hint?: string): SolveOutcome => ({
    status: 'error',
    options,
    messages: [...messages, at(span, 'error', text, hint)],
  });

  let pb: BuiltProblem;
  try {
    pb = buildProblem(compiled);
  } catch (e) {
    if (e instanceof BuildError) return error(e.span, e.message, e.hint);
    throw e;
  }
  const sign = compiled.sense === 'maximize' ? -1 : 1;
  const t1 = performance.now();
  const done = (
    status: RunStatus,
    x: Float64Array,
    f: number | null,
    nSteps: number,
    diagnostics: Record<string, unknown>,
    stop: string,
  ): SolveOutcome => {
    if (status !== 'converged')
      messages.push(
        at(null, status === 'infeasible' || status === 'diverged' ? 'warning' : 'note', `${alg.name} stopped: ${stop}`),
      );
    return {
      status,
      backend,
      objective: f === null ? null : sign * f,
      steps: nSteps,
      time_ms: performance.now() - t1,
      options,
      values: compiled.valuesAt(x),
      messages,
      diagnostics: { ...diagnostics, stop_reason: stop },
    };
  };

  // Bounds that contradict each other: nothing to solve.
  for (let i = 0; i < pb.n; i++) {
    if (pb.lower[i]! > pb.upper[i]!) {
      const who = (side: 'lo' | 'hi') => pb.keys.find((k) => k.bounds.some((b) => b.i === i && b.side === side))?.key;
      const x0 = compiled.initialPoint(compiled.seed);
      return done(
        'infeasible',
        x0,
        null,
        0,
        { max_violation: pb.lower[i]! - pb.upper[i]! },
        `the bounds on ${pb.coordName(i)} contradict each other: ${pb.coordName(i)} >= ${pb.lower[i]} (constraint ${who('lo')}) and <= ${pb.upper[i]} (constraint ${who('hi')})`,
      );
    }
  }

  // The start, projected onto the bounds (a warning for starts the program gave).
  const x0 = compiled.initialPoint(compiled.seed);
  const moved: string[] = [];
  const given = new Set([
    ...compiled.checked.starts.keys(),
    ...compiled.internals.layout.entries.filter((e) => e.decl.init).map((e) => e.name),
  ]);
  for (let i = 0; i < pb.n; i++) {
    const v = Math.min(Math.max(x0[i]!, pb.lower[i]!), pb.upper[i]!);
    if (v !== x0[i]) {
      const name = pb.coordName(i);
      if (given.has(name.replace(/\[.*$/, '')))
        moved.push(
          `${name} = ${x0[i]} (${v === pb.lower[i] ? 'below its lower bound' : 'above its upper bound'} ${v})`,
        );
      x0[i] = v;
    }
  }
  if (moved.length) {
    const name = moved[0]!.replace(/[[ ].*$/, '');
    const span = compiled.checked.starts.get(name)?.span ?? null;
    messages.push(at(span, 'warning', `the start lies outside the bounds at ${moved.join(', ')}; projected onto them`));
  }
  const bad = opts.checkpoint?.resume ? null : startProblem(compiled, x0, { gradient: !pb.prox.length });
  if (bad) return { status: 'error', options, messages: [...messages, bad] };

  const hooks = {
    onStep: opts.onProgress
      ? (i: { step: number; f: number; gnorm: number }) =>
          opts.onProgress!({ step: i.step, steps, objective: sign * i.f, gnorm: i.gnorm })
      : undefined,
    shouldStop: opts.shouldStop,
    checkpointEvery: opts.checkpoint?.every,
    saveCheckpoint: opts.checkpoint?.save,
    resume: opts.checkpoint?.resume,
  };
  const hasBounds = pb.lower.some((v) => v > -Infinity) || pb.upper.some((v) => v < Infinity);

  // ---- constrained solvers ----
  if (alg.name === 'auglag' || alg.name === 'sketch_newton') {
    if (pb.prox.length)
      return error(
        null,
        `${alg.name} cannot take the nonsmooth term ${'`' + pb.prox[0]!.term + '`'}`,
        'prox terms run with fista or prox_adam, which take simple sets but not general constraints',
      );
    const simplexRows = (x: Tracer) =>
      P.concat(pb.simplex.map((v) => P.reshape(P.sub(P.sum(P.slice(x, [v.offset], [v.offset + v.size])), 1), [1])));
    const eqParts = [pb.eq, pb.simplex.length ? simplexRows : null].filter((f): f is (x: Tracer) => Tracer => !!f);
    const lower = Float64Array.from(pb.lower),
      upper = Float64Array.from(pb.upper);
    for (const v of pb.simplex)
      for (let j = 0; j < v.size; j++) lower[v.offset + j] = Math.max(lower[v.offset + j]!, 0);
    const problem = graphProblem(
      {
        n: pb.n,
        f: pb.smooth,
        eq: eqParts.length
          ? (x) => (eqParts.length === 1 ? eqParts[0]!(x) : P.concat(eqParts.map((f) => P.reshape(f(x), [-1]))))
          : undefined,
        ineq: pb.ineq ?? undefined,
        lower: hasBounds || pb.simplex.length ? lower : undefined,
        upper: hasBounds ? upper : undefined,
      },
      runner,
    );
    let r: ConstrainedResult;
    if (alg.name === 'sketch_newton') {
      if (pb.ineq || hasBounds || pb.simplex.length)
        return error(null, 'sketch_newton takes equality constraints only', 'inequalities and bounds run with auglag');
      r = sketchNewton(
        problem,
        x0,
        {
          steps,
          tol: o.tol as number,
          tolFeas: o.tol_feas as number,
          sketch: o.sketch as 'kaczmarz' | 'gaussian',
          sketchSize: o.sketch_size as number | undefined,
          maxSketch: o.max_sketch as number | undefined,
          seed: compiled.seed,
        },
        {
          shouldStop: opts.shouldStop,
          saveCheckpoint: opts.checkpoint?.save as ((s: SketchNewtonState) => void) | undefined,
          resume: opts.checkpoint?.resume as unknown as SketchNewtonState | undefined,
        },
      );
    } else {
      const it = augLagSteps(
        problem,
        x0,
        {
          steps,
          tol: o.tol as number,
          tolFeas: o.tol_feas as number,
          rho0: o.penalty as number,
          rhoMax: o.penalty_max as number,
          innerSteps: o.inner_steps as number,
          resolution: FLOAT32_BACKENDS.has(backend) ? FLOAT32_REACH : undefined,
        },
        {
          onStep: hooks.onStep ? (i) => hooks.onStep!({ step: i.step, f: i.f, gnorm: i.kkt }) : undefined,
          shouldStop: opts.shouldStop,
          checkpointEvery: opts.checkpoint?.every,
          saveCheckpoint: opts.checkpoint?.save as ((s: AugLagState) => void) | undefined,
          resume: opts.checkpoint?.resume as unknown as AugLagState | undefined,
        },
      );
      r = await drainAsync(it);
    }
    for (const w of r.warnings) messages.push(at(null, 'warning', w));
    const diagnostics: Record<string, unknown> = {
      kkt: r.kkt,
      max_violation: r.maxViolation,
      multipliers: multipliersByKey(pb, r),
      outer_iterations: r.steps,
    };
    if (alg.name === 'sketch_newton') diagnostics.sketch_iterations = r.stats.sketchIters ?? 0;
    else Object.assign(diagnostics, { inner_iterations: r.stats.innerIters, penalty: r.stats.rho });
    return done(r.status, r.x, r.f, r.steps, diagnostics, r.message);
  }

  // ---- bounds only: projected L-BFGS ----
  if (alg.name === 'projected' && !pb.simplex.length && !pb.prox.length) {
    const obj = graphObjective(pb.smooth, pb.n, runner);
    const r = await drainAsync(
      boundedSteps(
        (x) => obj.evaluate(x, 0),
        x0,
        { lower: pb.lower, upper: pb.upper, tol: o.tol as number, maxIter: steps, history: o.history as number },
        {
          onStep: hooks.onStep,
          shouldStop: opts.shouldStop,
          checkpointEvery: opts.checkpoint?.every,
          saveCheckpoint: opts.checkpoint?.save as ((s: BoundedState) => void) | undefined,
          resume: opts.checkpoint?.resume as unknown as BoundedState | undefined,
        },
      ),
    );
    const pg = projectedGradientNorm(r.x, r.g, pb.lower, pb.upper);
    const zl = new Array(pb.n).fill(0),
      zu = new Array(pb.n).fill(0);
    for (let i = 0; i < pb.n; i++) {
      if (r.x[i]! <= pb.lower[i]! && r.g[i]! > 0) zl[i] = r.g[i]!;
      if (r.x[i]! >= pb.upper[i]! && r.g[i]! < 0) zu[i] = -r.g[i]!;
    }
    const mult = multipliersByKey(pb, { multipliers: { eq: [], ineq: [], lower: zl, upper: zu } });
    const status: RunStatus = r.stopped ? 'stopped' : r.converged ? 'converged' : 'max_steps';
    return done(
      status,
      r.x,
      r.f,
      r.iters,
      { kkt: pg, max_violation: 0, multipliers: mult },
      r.stopped
        ? 'stopped by the user'
        : r.converged
          ? `projected gradient ${pg.toExponential(2)} <= tol`
          : `reached the step budget (${steps})`,
    );
  }

  // ---- the driver: smooth, least squares, prox methods ----
  let obj: Objective;
  let method = alg.name as Method;
  const so: SolveOptions = { method, steps, tol: o.tol as number };
  if (alg.name === 'gauss_newton' || alg.name === 'lm') {
    if (!pb.residual)
      return error(
        null,
        `${alg.name} needs an objective of the form \`c * sumsq(r)\` (c > 0)`,
        'lbfgs takes any smooth objective',
      );
    obj = leastSquaresObjective(pb.residual, pb.n, runner);
    Object.assign(so, { cgIters: o.cg_steps, damping: o.damping });
  } else {
    obj = graphObjective(pb.smooth, pb.n, runner);
    if (alg.name === 'newton_cg') so.cgIters = o.cg_steps as number | undefined;
    if (alg.name === 'lbfgs') so.history = o.history as number;
    if (FIRST_ORDER.has(alg.name) || alg.name === 'prox_adam') {
      Object.assign(so, {
        lr: o.lr,
        beta1: o.beta1,
        beta2: o.beta2,
        eps: o.eps,
        momentum: o.momentum,
        nesterov: o.nesterov,
        weightDecay: o.weight_decay,
        rho: o.rho,
      });
      try {
        so.schedule = toSchedule(o.schedule as never);
        so.batch = toBatch(o.batch as never, compiled.seed);
      } catch (e) {
        return error(compiled.checked.solve?.span ?? null, (e as Error).message);
      }
      if (so.batch) {
        const b = batchObjective(compiled, pb, runner);
        if (typeof b === 'string')
          return error(
            compiled.checked.solve?.span ?? null,
            `batch = adaptive(...): ${b}`,
            'adaptive batches need an objective that is a sum (or mean) over the rows of its data; see docs/optimization.md',
          );
        obj = { ...obj, batch: b };
      }
    }
    if (PROX.has(alg.name) || alg.name === 'projected') {
      if (alg.name === 'projected') so.method = method = 'fista';
      Object.assign(so, { lipschitz: o.lipschitz, backtrack: o.backtrack, restart: o.restart });
      try {
        obj = { ...obj, prox: proxOfProblem(pb) };
      } catch (e) {
        if (e instanceof BuildError) return error(e.span, e.message, e.hint);
        throw e;
      }
    }
  }
  for (const k of Object.keys(so) as (keyof SolveOptions)[]) if (so[k] === undefined) delete so[k];
  const r = await solveAsync(obj, x0, so, {
    ...hooks,
    resume: hooks.resume as SolverState | undefined,
  });
  const diagnostics: Record<string, unknown> = {};
  if (PROX.has(method)) {
    diagnostics.gradient_mapping_norm = r.gnorm;
    diagnostics.zeros = Object.fromEntries(
      pb.prox.map((t) => [t.name, r.x.subarray(t.offset, t.offset + t.size).filter((v) => v === 0).length]),
    );
    if (hasBounds || pb.simplex.length) diagnostics.max_violation = boundViolation(pb, r.x);
  } else diagnostics.gradient_norm = r.gnorm;
  // Adaptive batches: the batch sizes as [step, size] at each change.
  const log = (r.state as { batchLog?: [number, number][] }).batchLog;
  if (so.batch && log) diagnostics.batch_sizes = log;
  return done(r.status, r.x, r.f, r.steps, diagnostics, r.message);
}

/** The backend the solve runs its graphs on: the compile's resolved choice (`auto` already decided). */
export function solveBackend(compiled: CompiledProgram): BackendName {
  const b = compiled.backend;
  return b === 'cpu' || b === 'wasm' ? b : 'ref';
}

/** The prox of the nonsmooth part: each term on its var's slice, sets as projections. */
function proxOfProblem(pb: BuiltProblem): HostProx {
  const blocks: ProxBlock[] = [];
  const boxOf = (v: { offset: number; size: number }) => {
    const lo = Array.from(pb.lower.subarray(v.offset, v.offset + v.size)),
      hi = Array.from(pb.upper.subarray(v.offset, v.offset + v.size));
    return lo.some((x) => x > -Infinity) || hi.some((x) => x < Infinity) ? { lower: lo, upper: hi } : null;
  };
  const taken = new Set<string>();
  for (const t of pb.prox) {
    let term = hostProx(t.op, t.options, t.op === 'nuclear' ? t.shape : [t.size]);
    const box = boxOf(t);
    if (box || pb.simplex.some((v) => v.name === t.name)) {
      if (!box || !CLIPS.has(t.op))
        throw new BuildError(
          null,
          `\`${t.term}\` together with the set of \`${t.name}\` has no prox here`,
          'a box composes with norm1, ridge and elastic_net; put the set on another var or write it as a constraint',
        );
      term = clipped(term, box.lower, box.upper);
    }
    blocks.push({ offset: t.offset, size: t.size, term });
    taken.add(t.name);
  }
  for (const v of pb.vars) {
    if (taken.has(v.name)) continue;
    const box = boxOf(v);
    const simplex = pb.simplex.some((s) => s.name === v.name);
    if (simplex && box)
      throw new BuildError(null, `\`${v.name}\` is a simplex and has bounds; write the bounds as constraints (auglag)`);
    if (simplex) blocks.push({ offset: v.offset, size: v.size, term: hostProx('simplex', { radius: 1 }, [v.size]) });
    else if (box) blocks.push({ offset: v.offset, size: v.size, term: hostProx('box', box, [v.size]) });
  }
  return blocks.length ? blockProx(blocks) : zeroProx;
}

/** prox of h + indicator(box) for a separable convex h: the box's clip of h's prox. */
function clipped(h: HostProx, lo: number[], hi: number[]): HostProx {
  const clip = (z: Float64Array) => z.map((v, i) => Math.min(Math.max(v, lo[i]!), hi[i]!));
  const inside = (x: Float64Array) =>
    x.every(
      (v, i) =>
        v >= lo[i]! - 1e-12 * Math.max(1, Math.abs(lo[i]!)) && v <= hi[i]! + 1e-12 * Math.max(1, Math.abs(hi[i]!)),
    );
  const out: HostProx = { prox: (x, t) => clip(h.prox(x, t)), value: (x) => (inside(x) ? h.value(x) : Infinity) };
  if (h.proxDiag) out.proxDiag = (x, t) => clip(h.proxDiag!(x, t));
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
function multipliersByKey(
  pb: BuiltProblem,
  r: Pick<ConstrainedResult, 'multipliers'>,
): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  const m = r.multipliers;
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
