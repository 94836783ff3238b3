// The table of `solve` and `infer` methods and their options: names, kinds, defaults, and which
// problem class each method takes. Only lbfgs and adam run in this issue; the others are known
// (so `check` can name them, validate their options and print the plan) and `run` says plainly
// that they are not available yet. Every iterative method has `steps` (its budget) and `tol`.

export type OptionSpec =
  | { kind: 'int'; default?: number; min: number }
  | { kind: 'real'; default?: number; positive?: boolean; open01?: boolean }
  | { kind: 'enum'; values: string[]; default?: string }
  /** A nested method call such as `inner = lbfgs(steps = 200)`, from the named table. */
  | { kind: 'method'; table: 'solve' | 'hypergrad'; default?: string }
  /** A guide or objective name: a built-in choice or a name the program defines. */
  | { kind: 'name'; builtins: string[]; default?: string };

export type ProblemClass = 'smooth' | 'composite' | 'simple_sets' | 'constrained' | 'bilevel';

export interface MethodSpec {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Runs end to end in this release. */
  available: boolean;
  /** The problem classes the method accepts when named explicitly. */
  takes: ProblemClass[];
}

const STEPS = (d: number): OptionSpec => ({ kind: 'int', default: d, min: 1 });
const TOL: OptionSpec = { kind: 'real', default: 1e-8, positive: true };

export const SOLVERS: readonly MethodSpec[] = [
  {
    name: 'lbfgs', summary: 'L-BFGS with a strong-Wolfe line search (smooth problems)', available: true, takes: ['smooth'],
    options: { steps: STEPS(1000), tol: TOL, history: { kind: 'int', default: 10, min: 1 } },
  },
  {
    name: 'adam', summary: 'Adam (smooth, possibly stochastic problems)', available: true, takes: ['smooth'],
    options: {
      steps: STEPS(5000), tol: TOL, lr: { kind: 'real', default: 0.01, positive: true },
      beta1: { kind: 'real', default: 0.9, open01: true }, beta2: { kind: 'real', default: 0.999, open01: true },
      eps: { kind: 'real', default: 1e-8, positive: true },
    },
  },
  {
    name: 'fista', summary: 'accelerated proximal gradient (smooth + prox terms, simple sets)', available: false,
    takes: ['smooth', 'composite', 'simple_sets'],
    options: { steps: STEPS(2000), tol: TOL, lr: { kind: 'real', positive: true } },
  },
  {
    name: 'projected', summary: 'projected L-BFGS (smooth objective over simple bounds and sets)', available: false,
    takes: ['smooth', 'simple_sets'],
    options: { steps: STEPS(1000), tol: TOL, history: { kind: 'int', default: 10, min: 1 } },
  },
  {
    name: 'auglag', summary: 'augmented Lagrangian (general equality and inequality constraints)', available: false,
    takes: ['smooth', 'composite', 'simple_sets', 'constrained'],
    options: { steps: STEPS(100), tol: TOL, penalty: { kind: 'real', default: 10, positive: true }, inner: { kind: 'method', table: 'solve', default: 'lbfgs' } },
  },
  {
    name: 'sqp', summary: 'sequential quadratic programming (small smooth constrained problems)', available: false,
    takes: ['smooth', 'simple_sets', 'constrained'],
    options: { steps: STEPS(100), tol: TOL },
  },
  {
    name: 'bilevel', summary: 'bilevel optimization: an outer solver over hypergradients of an inner argmin', available: false,
    takes: ['bilevel'],
    options: {
      hypergrad: { kind: 'method', table: 'hypergrad', default: 'implicit' },
      inner: { kind: 'method', table: 'solve', default: 'lbfgs' },
      outer: { kind: 'method', table: 'solve', default: 'adam' },
    },
  },
];

export const HYPERGRADS: readonly MethodSpec[] = [
  { name: 'implicit', summary: 'implicit differentiation with conjugate gradients', available: false, takes: ['bilevel'], options: { cg_steps: STEPS(20), tol: TOL } },
  { name: 'unrolled', summary: 'differentiate through the unrolled inner iterations', available: false, takes: ['bilevel'], options: { steps: STEPS(50) } },
];

export const INFER_METHODS: readonly MethodSpec[] = [
  {
    name: 'vi', summary: 'variational inference (stochastic optimization of an objective such as the ELBO)', available: false, takes: [],
    options: {
      guide: { kind: 'name', builtins: ['mean_field', 'full_rank'], default: 'mean_field' },
      objective: { kind: 'name', builtins: ['elbo', 'iwae'], default: 'elbo' },
      samples: { kind: 'int', default: 1, min: 1 },
      steps: STEPS(2000),
      tol: TOL,
      optimizer: { kind: 'method', table: 'solve', default: 'adam' },
    },
  },
];

const byName = (xs: readonly MethodSpec[]) => new Map(xs.map((m) => [m.name, m]));
export const solverTable = byName(SOLVERS);
export const hypergradTable = byName(HYPERGRADS);
export const inferTable = byName(INFER_METHODS);

/** The effective options of a method: its defaults overlaid with what the program wrote. */
export function withDefaults(spec: MethodSpec, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(spec.options)) {
    if (k in given) out[k] = given[k];
    else if (o.default !== undefined) out[k] = o.default;
  }
  return out;
}
