// What one entry of the method table holds (table.ts assembles them), in the image of
// runtime/prims/rule.ts: every `solve`, `infer` and hypergradient method is declared once with
// its family, the problem shapes it takes, its options (types, defaults, checks: options.ts),
// and, when it runs in this release, its plain-JSON state, `init`, `step`, the convergence test
// it documents and its diagnostics. The one driver (driver.ts) runs every runnable entry.
// Invariants: a state is plain JSON (numbers, arrays, strings, null), and `step` reads no clock
// and no global random state, so a resumed run is bit-identical; `criterion` is the method's
// documented test, and the only way a run ends `converged`.

import type { Graph, RefArray, Tracer } from '../../runtime/index.js';
import type { HostProx } from '../prox/host.js';
import type { OptionSpecs, OptionsOf } from './options.js';

// ---- the problem a method runs on ----

export interface Evaluation {
  f: number;
  g: Float64Array;
}

/** A least-squares structure f(x) = 0.5 ||r(x)||^2 (Gauss-Newton / Levenberg-Marquardt). */
export interface Residual {
  /** Number of residuals. */
  m: number;
  r(x: Float64Array): Float64Array;
  /** J v (length m) and J' u (length n) at x. */
  jvp(x: Float64Array, v: Float64Array): Float64Array;
  vjp(x: Float64Array, u: Float64Array): Float64Array;
}

/** A finite-sum objective that can be evaluated on a batch (adaptive batch sizes). */
export interface BatchObjective {
  /** Number of examples. */
  size: number;
  /** Mean loss and gradient over the examples `idx`, and each example's gradient. */
  evaluate(x: Float64Array, idx: readonly number[]): { f: number; g: Float64Array; perExample: Float64Array[] };
}

export interface ConstraintEval {
  c: Float64Array;
  /** Row-major m x n Jacobian. */
  J: Float64Array;
}

/** Constraint functions c(x) (c_E(x) = 0 or c_I(x) >= 0) with their Jacobian. */
export interface ConstraintBlock {
  m: number;
  evaluate(x: Float64Array): ConstraintEval;
}

/**
 * The problem: a smooth function to MINIMIZE over a flat float64 vector, and the facets a method
 * needs (its entry's `needs`). Constrained problems: c_E(x) = 0, c_I(x) >= 0, lower <= x <= upper
 * (entries may be +-Infinity); the Lagrangian is f - lambda'c_E - mu'c_I with mu >= 0.
 */
export interface Problem {
  /** Length of the flat decision vector. */
  n: number;
  /** Value and gradient of the smooth part; `step` seeds stochastic objectives. */
  evaluate(x: Float64Array, step: number): Evaluation;
  /** Value only (cheaper; backtracking line searches use it when given). */
  value?(x: Float64Array, step: number): number;
  /** Hessian-vector product of the smooth part at x. */
  hvp?(x: Float64Array, v: Float64Array): Float64Array;
  /** The nonsmooth term h of minimize f + h, by its prox (sets: their projections). */
  prox?: HostProx;
  /** f = 0.5 ||r||^2 structure. */
  residual?: Residual;
  /** Batched evaluation (first-order methods with `batch = adaptive(...)`). */
  batch?: BatchObjective;
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
  eq?: ConstraintBlock;
  ineq?: ConstraintBlock;
  /** Hessian of the Lagrangian f - lambda'c_E (equalities only) times v. */
  lagHvp?(x: Float64Array, lambda: Float64Array, v: Float64Array): Float64Array;
  /**
   * Stochastic objectives: -f's estimates at x, one per draw of a fixed set of draws (the same at
   * every call), for paired comparisons of two points (vi's stopping rule, stdlib/vi/stopping.ts).
   */
  pairedTerms?(x: Float64Array): Float64Array;
  /** Host-side state of the problem itself (a running baseline) that checkpoints must carry. */
  aux?: { save(): unknown; restore(saved: unknown): void };
  /**
   * Compiles `fn`, which may call the smooth objective `f` on tracers, into ONE graph on the
   * problem's backend (its data bound once, its buffers reused across calls), over inputs of the
   * shapes `sig`; returns it as a host function. Methods whose update is a graph rule fuse it with
   * the objective this way: value, gradient and update in one call per step. Present only where
   * `f` is exactly what `evaluate` computes (no prox term, no batches, deterministic).
   */
  compileStep?(
    fn: (f: (x: Tracer) => Tracer, ...xs: Tracer[]) => Tracer[],
    sig: readonly (readonly number[])[],
  ): StepFn;
  /** A bilevel program's two objectives over the flat vector and its inner/outer split (the `bilevel` entry). */
  bilevel?: BilevelFacet;
}

/**
 * A bilevel program over the flat vector z (every var): the outer objective F(z) and the inner
 * objective g(z), both to MINIMIZE (senses applied), as graph functions; `blocks` lists z's
 * contiguous pieces in order, each from the outer vector x or the inner vector w (whole vars).
 */
export interface BilevelFacet {
  F(z: Tracer): Tracer;
  g(z: Tracer): Tracer;
  blocks: readonly { from: 'x' | 'w'; offset: number; size: number }[];
  /** Lengths of x (outer) and w (inner). */
  nx: number;
  nw: number;
  /** Names the i-th coordinate of x or of w in the user's terms. */
  coordName(from: 'x' | 'w', i: number): string;
  /** Where the graphs run (omitted: float64 ref). */
  runner?: (graph: Graph) => (inputs: RefArray[]) => Float64Array[];
}

/** A compiled step: host arrays (or scalars) in, the graph's outputs as Float64Arrays out. */
export type StepFn = (...inputs: (ArrayLike<number> | number)[]) => Float64Array[];

/** The optional facets of a Problem; an entry lists those it needs, and the caller builds them. */
export type Facet = 'hvp' | 'residual' | 'prox' | 'bounds' | 'constraints' | 'batch' | 'bilevel';

// ---- problem shapes ----

/**
 * What a problem has, as the structural analysis finds it. Restricting features (prox, bounds,
 * simplex, equalities, inequalities, bilevel, discrete_latents) must each be allowed by a
 * method's `takes`; structural ones (least_squares, stochastic, model) only matter where a
 * method requires them or its automatic choice looks at them.
 */
export type Feature =
  | 'prox'
  | 'bounds'
  | 'simplex'
  | 'equalities'
  | 'inequalities'
  | 'bilevel'
  | 'discrete_latents'
  | 'least_squares'
  | 'stochastic'
  | 'model';

export const RESTRICTING: readonly Feature[] = [
  'prox',
  'bounds',
  'simplex',
  'equalities',
  'inequalities',
  'bilevel',
  'discrete_latents',
];

export interface ProblemShape {
  features: ReadonlySet<Feature>;
  /** The first instance of a feature as written (a prox term, `x` and its set, a constraint), for messages. */
  examples: Partial<Record<Feature, string>>;
  /** How many of each (prox terms, equalities, inequalities), for reasons. */
  counts: Partial<Record<Feature, number>>;
  /** Words for reasons: the prox kinds (`l1`, `group`), the set vars. */
  words: { proxKinds?: string[]; setVars?: string[] };
}

/** The shapes a method takes: `allows` lists the restricting features it can handle, `requires` those it must have. */
export interface Takes {
  allows: readonly Feature[];
  requires?: readonly Feature[];
}

/** When the automatic choice picks this method: among those whose `when` holds, the lowest rank. */
export interface AutoChoice {
  rank: number;
  when?(shape: ProblemShape): boolean;
  /** The reason `check` prints. */
  reason(shape: ProblemShape): string;
}

// ---- running ----

export type MethodKind = 'solve' | 'infer' | 'hypergrad';
export type MethodFamily =
  | 'quasi_newton'
  | 'newton'
  | 'first_order'
  | 'least_squares'
  | 'proximal'
  | 'bounded'
  | 'constrained'
  | 'bilevel'
  | 'vi'
  | 'mcmc'
  | 'hypergradient';

/** Every state has these (the driver reads them for progress and divergence); the rest is the method's. */
export interface StateBase {
  method: string;
  /** Completed steps (the unit `steps` budgets). */
  step: number;
  /** The current iterate. */
  x: number[];
  /** The objective at x (what is minimized; for prox methods f + h). */
  f: number;
  /** Warnings the method found (e.g. a start projected onto the bounds). */
  warnings?: string[];
}

/** The run's context: what is not an option but a method may need (a seed for its sampler, the table for nested methods). */
export interface RunContext {
  seed: number;
  /**
   * The relative accuracy the problem's evaluations resolve (1e-6 on float32 backends; absent:
   * float64). Methods with inner solves ask them for no less (the augmented Lagrangian).
   */
  resolution?: number;
  /** A runnable entry of the table by name (methods that run another, e.g. vi's optimizer). */
  method?(name: string): AnyRunnable | undefined;
  /** A hypergradient entry of the table by name (the bilevel entry). */
  hypergrad?(name: string): AnyHypergrad | undefined;
  /** MCMC: which chain this run is (its random stream is foldIn(seed's, chain)); 0 when absent. */
  chain?: number;
}

/** The method's documented test at a state. */
export interface Criterion {
  converged: boolean;
  /** The quantity it compares (gradient norm, KKT residual): progress and the result's diagnostics. */
  measure: number;
  /** The test with its numbers, true to them either way: `gradient norm 3.1e-09 <= 1.0e-08 (tol x scale 1)`. */
  text: string;
}

/** `step` returns null, or the reason the method can make no further progress. */
export type StepNote = string | null;

/**
 * A method's step as a graph (the first-order rules), for backends that fuse it with the
 * objective graph and for differentiating through training: (x, g, slots, lr, t) -> (x', slots'),
 * g the gradient at x, slots the rule's state vectors (shaped like x, zero at the start), lr the
 * step size and t the 1-based step number (scalars).
 */
export interface GraphStep<O = Readonly<Record<string, unknown>>> {
  slots: readonly string[];
  update(x: Tracer, g: Tracer, s: readonly Tracer[], lr: Tracer, t: Tracer, o: O): { x: Tracer; s: Tracer[] };
  /** The effective per-coordinate step after an update (prox_adam uses it as the prox metric). */
  scale?(s: readonly Tracer[], lr: Tracer, t: Tracer, o: O): Tracer;
}

interface Declared<N extends string, S extends OptionSpecs> {
  name: N;
  kind: MethodKind;
  family: MethodFamily;
  /** One line for the options table and `check`. */
  summary: string;
  options: S;
  takes: Takes;
  auto?: AutoChoice;
  /** What `steps` counts and what `tol` measures, in words (the options table). */
  test?: string;
}

/** A method known to the language (`check` validates it) that does not run in this release. */
export interface PlannedMethod<N extends string = string, S extends OptionSpecs = OptionSpecs> extends Declared<N, S> {
  available: false;
}

/** A method that runs: the driver calls `init` once (unless resuming), then `step` until `criterion` holds. */
export interface RunnableMethod<
  N extends string = string,
  S extends OptionSpecs = OptionSpecs,
  St extends StateBase = StateBase,
> extends Declared<N, S> {
  available: true;
  /** The facets of the Problem it reads, for these options. */
  needs(o: OptionsOf<S>): readonly Facet[];
  init(p: Problem, x0: Float64Array, o: OptionsOf<S>, ctx: RunContext): St;
  step(p: Problem, st: St, o: OptionsOf<S>, ctx: RunContext): StepNote;
  /** The diagnostics key of the criterion's measure (`gradient_norm`, `kkt`, ...). */
  measure: string;
  /** The documented test; `scale` is the driver's objective scale max(1, min(|f|, |f at the start|)). */
  criterion(p: Problem, st: St, o: OptionsOf<S>, scale: number, ctx?: RunContext): Criterion;
  /** Method-specific results (multipliers, counts), in the Problem's index terms. */
  diagnostics?(p: Problem, st: St, o: OptionsOf<S>, ctx?: RunContext): Record<string, unknown>;
  /** The step as a graph, when it is one (jsback fuses it with the objective). */
  graph?: GraphStep<OptionsOf<S>>;
  /** Whether a checkpoint's state belongs to this method and problem (beyond its `method` name). */
  accepts?(st: St, p: Problem): boolean;
  /** A terminal verdict other than convergence (e.g. `infeasible`), checked before the test. */
  verdict?(p: Problem, st: St, o: OptionsOf<S>): { status: 'infeasible'; text: string } | null;
  /** The objective may rise far above its start on the way (towards feasibility): no `rise` divergence. */
  rises?: boolean;
  /** The step budget for entries without a `steps` option (bilevel: its outer method's). */
  budget?(o: OptionsOf<S>, ctx: RunContext): number;
}

/**
 * A hypergradient method (kind `hypergrad`): not run by the driver but by the `bilevel` entry,
 * which calls `evaluate` at every outer point it evaluates (stdlib/bilevel/). `warm` is the
 * method's plain-JSON warm start (inner iterates), updated in place, so checkpoints carry it.
 */
export interface HypergradMethod<N extends string = string, S extends OptionSpecs = OptionSpecs> extends Declared<
  N,
  S
> {
  available: true;
  kind: 'hypergrad';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  evaluate(kit: any, x: Float64Array, warm: Record<string, number[]>, o: OptionsOf<S>): HypergradEval;
  /** Why this method cannot take the inner problem, or null (e.g. a solver it cannot differentiate). */
  refuse?(o: OptionsOf<S>, inner: { name: string; family: MethodFamily }): string | null;
}

/** One hypergradient evaluation at an outer point x. */
export interface HypergradEval {
  /** The objective the hypergradient is the gradient of (F(x, w*(x)), or the method's surrogate). */
  f: number;
  /** The hypergradient (length nx). */
  g: Float64Array;
  /** The inner solution reported (length nw). */
  w: Float64Array;
  /** ||grad_w g(x, w)||_inf at the reported w: the inner optimality residual. */
  residual: number;
  /** Inner steps this evaluation took (all inner solves), and whether every inner solve met its test. */
  innerSteps: number;
  innerConverged: boolean;
  /** Method-specific numbers (CG residual, ...). */
  extra?: Record<string, number>;
  /** Why this hypergradient may be inexact (a linear solve that ended at its budget), with the remedy. */
  inexact?: string;
}

export type MethodRule<
  N extends string = string,
  S extends OptionSpecs = OptionSpecs,
  St extends StateBase = StateBase,
> = PlannedMethod<N, S> | RunnableMethod<N, S, St> | HypergradMethod<N, S>;

/** A runnable entry as the driver and the compiler hold it (options and state types erased). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRunnable = RunnableMethod<string, any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMethod = MethodRule<string, any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHypergrad = HypergradMethod<string, any>;

/** Declares a runnable entry; the type checks every field and gives `step` its typed options. */
export const defineMethod = <const N extends string, const S extends OptionSpecs, St extends StateBase>(
  m: RunnableMethod<N, S, St>,
): RunnableMethod<N, S, St> => m;

/** Declares a hypergradient method (the bilevel entry runs it). */
export const defineHypergrad = <const N extends string, const S extends OptionSpecs>(
  m: HypergradMethod<N, S>,
): HypergradMethod<N, S> => m;

/** Declares a method the language knows that does not run yet. */
export const declareMethod = <const N extends string, const S extends OptionSpecs>(
  m: PlannedMethod<N, S>,
): PlannedMethod<N, S> => m;
