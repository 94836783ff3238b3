// The table of `solve` and `infer` methods and their options: names, kinds, defaults, and which
// problem class each method takes. Every solver here runs (compiler/running/solve_run.ts) except sqp and
// bilevel, which are known (so `check` can name them, validate their options and print the plan)
// and which `run` says plainly are not available yet. Every iterative method has `steps` (its
// budget) and `tol` (what it measures: docs/optimization.md). Option names are snake_case.

import { BATCH_OPTION, SCHEDULE_OPTION } from './schedule_options.js';

export type OptionSpec =
  | { kind: 'int'; default?: number; min: number }
  | { kind: 'real'; default?: number; positive?: boolean; open01?: boolean }
  | { kind: 'enum'; values: string[]; default?: string }
  | { kind: 'bool'; default?: boolean }
  /** A nested method call such as `inner = lbfgs(steps = 200)`, from the named table. */
  | { kind: 'method'; table: 'solve' | 'hypergrad'; default?: string }
  /**
   * A guide or objective name: a built-in choice or a name the program defines; `calls` lists the
   * built-ins that may also be written as calls, with their options (`iwae(k = 5)`).
   */
  | { kind: 'name'; builtins: string[]; default?: string; calls?: Record<string, Record<string, OptionSpec>> };

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
// First-order methods: a learning-rate schedule and adaptive batch sizes (compiler/analysis/schedule_options.ts).
const FIRST_ORDER = (lr: number): Record<string, OptionSpec> => ({
  steps: STEPS(5000),
  tol: TOL,
  lr: { kind: 'real', default: lr, positive: true },
  schedule: SCHEDULE_OPTION,
  batch: BATCH_OPTION,
});
const ADAM: Record<string, OptionSpec> = {
  beta1: { kind: 'real', default: 0.9, open01: true },
  beta2: { kind: 'real', default: 0.999, open01: true },
  eps: { kind: 'real', default: 1e-8, positive: true },
};
const PROX_GRAD: Record<string, OptionSpec> = {
  lipschitz: { kind: 'real', positive: true },
  backtrack: { kind: 'real', default: 2, positive: true },
};

export const SOLVERS: readonly MethodSpec[] = [
  {
    name: 'lbfgs',
    summary: 'L-BFGS with a strong-Wolfe line search (smooth problems)',
    available: true,
    takes: ['smooth'],
    options: { steps: STEPS(1000), tol: TOL, history: { kind: 'int', default: 10, min: 1 } },
  },
  {
    name: 'newton_cg',
    summary: 'Newton-CG on Hessian-vector products (smooth problems)',
    available: true,
    takes: ['smooth'],
    options: { steps: STEPS(200), tol: TOL, cg_steps: { kind: 'int', min: 1 } },
  },
  {
    name: 'gauss_newton',
    summary: "Gauss-Newton for `minimize sumsq(r)` (CG on J v / J' u products)",
    available: true,
    takes: ['smooth'],
    options: {
      steps: STEPS(200),
      tol: { kind: 'real', default: 1e-10, positive: true },
      cg_steps: { kind: 'int', min: 1 },
    },
  },
  {
    name: 'lm',
    summary: 'Levenberg-Marquardt for `minimize sumsq(r)`',
    available: true,
    takes: ['smooth'],
    options: {
      steps: STEPS(200),
      tol: { kind: 'real', default: 1e-10, positive: true },
      damping: { kind: 'real', default: 1e-3, positive: true },
      cg_steps: { kind: 'int', min: 1 },
    },
  },
  {
    name: 'adam',
    summary: 'Adam (smooth, possibly stochastic problems)',
    available: true,
    takes: ['smooth'],
    options: { ...FIRST_ORDER(0.01), ...ADAM },
  },
  {
    name: 'adamw',
    summary: 'Adam with decoupled weight decay',
    available: true,
    takes: ['smooth'],
    options: { ...FIRST_ORDER(0.01), ...ADAM, weight_decay: { kind: 'real', default: 0.01 } },
  },
  {
    name: 'sgd',
    summary: 'stochastic gradient descent with momentum (optionally Nesterov)',
    available: true,
    takes: ['smooth'],
    options: {
      ...FIRST_ORDER(0.01),
      momentum: { kind: 'real', default: 0 },
      nesterov: { kind: 'bool', default: false },
    },
  },
  {
    name: 'adagrad',
    summary: 'AdaGrad',
    available: true,
    takes: ['smooth'],
    options: { ...FIRST_ORDER(0.1), eps: { kind: 'real', default: 1e-10, positive: true } },
  },
  {
    name: 'rmsprop',
    summary: 'RMSProp',
    available: true,
    takes: ['smooth'],
    options: {
      ...FIRST_ORDER(0.01),
      rho: { kind: 'real', default: 0.99, open01: true },
      eps: { kind: 'real', default: 1e-8, positive: true },
    },
  },
  {
    name: 'diffgrad',
    summary: 'diffGrad (Adam with a friction on the first moment)',
    available: true,
    takes: ['smooth'],
    options: { ...FIRST_ORDER(0.01), ...ADAM },
  },
  {
    name: 'normalized_gd',
    summary: 'normalized gradient descent',
    available: true,
    takes: ['smooth'],
    options: FIRST_ORDER(0.01),
  },
  {
    name: 'normalized_momentum',
    summary: 'normalized momentum (Cutkosky & Mehta)',
    available: true,
    takes: ['smooth'],
    options: { ...FIRST_ORDER(0.01), momentum: { kind: 'real', default: 0.9, open01: true } },
  },
  {
    name: 'fista',
    summary: 'accelerated proximal gradient (smooth + prox terms, simple sets)',
    available: true,
    takes: ['smooth', 'composite', 'simple_sets'],
    options: { steps: STEPS(2000), tol: TOL, ...PROX_GRAD, restart: { kind: 'bool', default: true } },
  },
  {
    name: 'prox_grad',
    summary: 'proximal gradient (smooth + prox terms, simple sets)',
    available: true,
    takes: ['smooth', 'composite', 'simple_sets'],
    options: { steps: STEPS(5000), tol: TOL, ...PROX_GRAD },
  },
  {
    name: 'prox_adam',
    summary: 'Adam step, then the prox in the Adam metric (prox-gated training, SoRA)',
    available: true,
    takes: ['smooth', 'composite', 'simple_sets'],
    options: { ...FIRST_ORDER(0.01), ...ADAM },
  },
  {
    name: 'projected',
    summary: 'projected L-BFGS (smooth objective over bounds); other simple sets: FISTA with the projection',
    available: true,
    takes: ['smooth', 'simple_sets'],
    options: { steps: STEPS(1000), tol: TOL, history: { kind: 'int', default: 10, min: 1 } },
  },
  {
    name: 'auglag',
    summary: 'augmented Lagrangian (general equality and inequality constraints; bounds in the inner solves)',
    available: true,
    takes: ['smooth', 'simple_sets', 'constrained'],
    options: {
      steps: STEPS(100),
      tol: TOL,
      tol_feas: { kind: 'real', default: 1e-8, positive: true },
      penalty: { kind: 'real', default: 10, positive: true },
      penalty_max: { kind: 'real', default: 1e12, positive: true },
      inner_steps: { kind: 'int', default: 1000, min: 1 },
    },
  },
  {
    name: 'sketch_newton',
    summary: 'exact augmented Lagrangian with randomized sketching of the Newton-KKT system (equality constraints)',
    available: true,
    takes: ['smooth', 'constrained'],
    options: {
      steps: STEPS(200),
      tol: TOL,
      tol_feas: { kind: 'real', default: 1e-8, positive: true },
      sketch: { kind: 'enum', values: ['kaczmarz', 'gaussian'], default: 'kaczmarz' },
      sketch_size: { kind: 'int', min: 1 },
      max_sketch: { kind: 'int', min: 1 },
    },
  },
  {
    name: 'sqp',
    summary: 'sequential quadratic programming (small smooth constrained problems)',
    available: false,
    takes: ['smooth', 'simple_sets', 'constrained'],
    options: { steps: STEPS(100), tol: TOL },
  },
  {
    name: 'bilevel',
    summary: 'bilevel optimization: an outer solver over hypergradients of an inner argmin',
    available: false,
    takes: ['bilevel'],
    options: {
      hypergrad: { kind: 'method', table: 'hypergrad', default: 'implicit' },
      inner: { kind: 'method', table: 'solve', default: 'lbfgs' },
      outer: { kind: 'method', table: 'solve', default: 'adam' },
    },
  },
];

export const HYPERGRADS: readonly MethodSpec[] = [
  {
    name: 'implicit',
    summary: 'implicit differentiation with conjugate gradients',
    available: false,
    takes: ['bilevel'],
    options: { cg_steps: STEPS(20), tol: TOL },
  },
  {
    name: 'unrolled',
    summary: 'differentiate through the unrolled inner iterations',
    available: false,
    takes: ['bilevel'],
    options: { steps: STEPS(50) },
  },
];

export const INFER_METHODS: readonly MethodSpec[] = [
  {
    name: 'vi',
    summary: 'variational inference (stochastic optimization of an objective such as the ELBO)',
    available: true,
    takes: [],
    options: {
      guide: { kind: 'name', builtins: ['mean_field', 'full_rank', 'low_rank', 'delta'], default: 'mean_field' },
      // Built-ins (compiler/lower/objective_program.ts) or an `objective name = ...` of the program.
      objective: {
        kind: 'name',
        builtins: ['elbo', 'iwae', 'renyi', 'vimco', 'rws'],
        default: 'elbo',
        // `grad`: the guide-gradient estimator of the reparameterized draws (stdlib Objective
        // `gradient`): sticking-the-landing for the ELBO, doubly reparameterized for IWAE.
        calls: {
          elbo: { grad: { kind: 'enum', values: ['standard', 'stl'], default: 'standard' } },
          iwae: {
            k: { kind: 'int', default: 5, min: 1 },
            grad: { kind: 'enum', values: ['standard', 'dreg'], default: 'standard' },
          },
          vimco: { k: { kind: 'int', default: 5, min: 2 } },
          rws: { k: { kind: 'int', default: 5, min: 1 } },
          renyi: { alpha: { kind: 'real', default: 0.5 }, k: { kind: 'int', default: 5, min: 1 } },
        },
      },
      samples: { kind: 'int', default: 1, min: 1 },
      rank: { kind: 'int', default: 2, min: 1 },
      steps: STEPS(1000),
      // The relative ELBO change between 100-step windows that counts as a plateau; 0 runs the
      // whole budget.
      tol: { kind: 'real', default: 1e-3 },
      optimizer: { kind: 'method', table: 'solve', default: 'adam' },
    },
  },
  // MCMC (compiler/running/mcmc_run.ts, stdlib/mcmc): Stan's samplers and warmup.
  {
    name: 'nuts',
    summary: "the No-U-Turn sampler (multinomial, Stan's warmup)",
    available: true,
    takes: [],
    options: mcmcOptions('nuts'),
  },
  {
    name: 'hmc',
    summary: "static Hamiltonian Monte Carlo (fixed leapfrog steps, Stan's warmup)",
    available: true,
    takes: [],
    options: mcmcOptions('hmc'),
  },
];

/** The options of `nuts` and `hmc` (docs/inference.md lists them). */
function mcmcOptions(method: 'nuts' | 'hmc'): Record<string, OptionSpec> {
  return {
    chains: { kind: 'int', default: 4, min: 1 },
    warmup: { kind: 'int', default: 1000, min: 0 },
    draws: { kind: 'int', default: 1000, min: 1 },
    ...(method === 'nuts' ? { max_depth: { kind: 'int', default: 10, min: 1 } } : { steps: STEPS(16) }),
    target_accept: { kind: 'real', default: 0.8, open01: true },
    metric: { kind: 'enum', values: ['diag', 'dense', 'unit'], default: 'diag' },
    stepsize: { kind: 'real', default: 1, positive: true },
    jitter: { kind: 'real', default: 0 },
    init: { kind: 'real', default: 2 },
    init_buffer: { kind: 'int', default: 75, min: 0 },
    term_buffer: { kind: 'int', default: 50, min: 0 },
    window: { kind: 'int', default: 25, min: 1 },
  };
}

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
