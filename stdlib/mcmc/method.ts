// The `nuts` and `hmc` entries of the method table: one Markov chain per run of the one driver
// (stdlib/methods/driver.ts). The state is the chain's (chain.ts: plain JSON, complete after every
// iteration), one `step` is one iteration (warmup with Stan's adaptation, then sampling), and the
// driver's budget is warmup + draws iterations: a chain that ran them ends `max_steps`, since a
// single chain has no convergence test of its own; the caller runs `chains` of them (in turns or on
// worker threads) and judges convergence over all of them (R-hat, ESS, divergences:
// compiler/running/mcmc_run.ts). Chain c of seed s draws from its own stream (ctx.chain, ctx.seed),
// so its draws depend on nothing else. The Problem is the negative log density on the
// unconstrained space (its gradient included); x0 is the chain's initial point, already checked
// finite by the caller (which draws Stan's random initial points, `init`, with the retries).
// `hmc`'s `steps` (leapfrog steps per iteration) is not the driver's budget: the caller passes
// the budget as `steps` and the leapfrog count as `leapfrog` (`driverOptions`).

import { defineMethod, type Problem, type RunContext, type StateBase } from '../methods/rule.js';
import { int, oneOf, real } from '../methods/options.js';
import { Chain, SamplerError, type ChainState, type SamplerSettings } from './chain.js';
import { DUAL_AVERAGING_DEFAULTS } from './adaptation.js';
import type { LogDensity } from './hamiltonian.js';

export interface McmcState extends StateBase {
  method: 'nuts' | 'hmc';
  chain: ChainState;
}

/** The options both samplers share (docs/inference.md lists them). */
const common = {
  chains: int({ default: 4, min: 1, doc: 'independent chains' }),
  warmup: int({ default: 1000, min: 0, doc: "warmup iterations per chain (Stan's adaptation)" }),
  draws: int({ default: 1000, min: 1, doc: 'draws per chain after warmup' }),
  target_accept: real({ default: 0.8, open01: true, doc: "dual averaging's target acceptance statistic" }),
  metric: oneOf({ values: ['diag', 'dense', 'unit'], default: 'diag', doc: 'the mass matrix adapted in warmup' }),
  stepsize: real({ default: 1, positive: true, doc: 'the initial step size (the step size when warmup = 0)' }),
  jitter: real({ default: 0, min: 0, doc: 'uniform jitter of the step size per iteration, a fraction in [0, 1)' }),
  init: real({ default: 2, min: 0, doc: 'initial points uniform in (-init, init) on the unconstrained scale' }),
  init_buffer: int({ default: 75, min: 0, doc: "warmup's initial fast interval" }),
  term_buffer: int({ default: 50, min: 0, doc: "warmup's final fast interval" }),
  window: int({ default: 25, min: 1, doc: "warmup's first slow window (each next one doubles)" }),
} as const;

/** The options a sampler reads (what the two entries have in common, plus its own). */
export type SamplerOptions = {
  readonly [K in keyof typeof common]: K extends 'metric' ? 'diag' | 'dense' | 'unit' : number;
} & { readonly max_depth?: number; readonly leapfrog?: number };

/** The sampler settings from an entry's effective options (jitter's upper end checked here). */
export function samplerSettings(method: 'nuts' | 'hmc', o: SamplerOptions): SamplerSettings {
  if (!(o.jitter < 1)) throw new SamplerError(`jitter must be in [0, 1), got ${o.jitter}`);
  return {
    algorithm: method,
    warmup: o.warmup,
    draws: o.draws,
    metric: o.metric,
    stepsize: o.stepsize,
    jitter: o.jitter,
    maxDepth: o.max_depth ?? 10,
    steps: o.leapfrog ?? 16,
    maxDeltaH: 1000,
    dualAveraging: { ...DUAL_AVERAGING_DEFAULTS, delta: o.target_accept },
    initBuffer: o.init_buffer,
    termBuffer: o.term_buffer,
    window: o.window,
  };
}

/** The driver's options for a sampler entry: the budget in iterations, hmc's leapfrog count apart. */
export function driverOptions(method: 'nuts' | 'hmc', o: Readonly<Record<string, unknown>>) {
  return {
    ...o,
    ...(method === 'hmc' ? { leapfrog: o.steps as number } : {}),
    steps: (o.warmup as number) + (o.draws as number),
  };
}

/** The log density (and gradient) of a Problem that minimizes its negative. */
export function logDensityOfProblem(p: Problem): LogDensity {
  return {
    n: p.n,
    logpGrad(q, g) {
      const r = p.evaluate(q as Float64Array, 0);
      for (let i = 0; i < g.length; i++) g[i] = -r.g[i]!;
      return -r.f;
    },
  };
}

// The live chain of each state (a state is plain JSON; its Chain holds the workspaces). A state
// the map has not seen (a resumed checkpoint) gets a chain attached to it.
const live = new WeakMap<ChainState, Chain>();

function chainOf(method: 'nuts' | 'hmc', p: Problem, st: McmcState, o: SamplerOptions, ctx: RunContext): Chain {
  let c = live.get(st.chain);
  if (!c) {
    c = Chain.attach(logDensityOfProblem(p), samplerSettings(method, o), ctx.seed, st.chain);
    live.set(st.chain, c);
  }
  return c;
}

const test =
  'warmup + draws iterations per chain; convergence over the chains: R-hat <= 1.01, bulk and tail ESS >= 100 per chain, no divergences';

function init(name: 'nuts' | 'hmc', p: Problem, x0: Float64Array, o: SamplerOptions, ctx: RunContext): McmcState {
  const c = Chain.start(logDensityOfProblem(p), samplerSettings(name, o), ctx.seed, ctx.chain ?? 0, () => x0);
  live.set(c.state, c);
  return { method: name, step: 0, x: c.state.q, f: -c.logp, chain: c.state };
}

function step(name: 'nuts' | 'hmc', p: Problem, st: McmcState, o: SamplerOptions, ctx: RunContext): null {
  const c = chainOf(name, p, st, o, ctx);
  c.step();
  st.step = c.iteration;
  st.x = c.state.q;
  st.f = -c.logp;
  return null;
}

/** A chain has no test of its own: its run ends at the budget, and the caller judges the chains. */
function criterion(st: McmcState, o: SamplerOptions) {
  return {
    converged: false,
    measure: st.chain.stepsize,
    text: `chain ${st.chain.chain + 1}: ${st.chain.iteration} of ${o.warmup + o.draws} iterations (a chain ends at its budget; convergence is judged over the chains)`,
  };
}

const accepts = (st: McmcState, p: Problem) =>
  !!st.chain && Array.isArray(st.chain.q) && st.chain.q.length === p.n && Array.isArray(st.chain.draws);

export const nuts = defineMethod({
  name: 'nuts',
  kind: 'infer',
  family: 'mcmc',
  available: true,
  summary: "the No-U-Turn sampler (multinomial, Stan's warmup)",
  test,
  // Continuous params only: a discrete latent is refused at check time, with the remedies.
  takes: { allows: [] },
  options: {
    ...common,
    max_depth: int({ default: 10, min: 1, doc: 'the maximum tree depth (2^depth leapfrog steps)' }),
  },
  needs: () => [],
  init: (p, x0, o, ctx) => init('nuts', p, x0, o, ctx),
  step: (p, st: McmcState, o, ctx) => step('nuts', p, st, o, ctx),
  measure: 'stepsize',
  criterion: (_p, st, o) => criterion(st, o),
  rises: true,
  accepts,
});

export const hmc = defineMethod({
  name: 'hmc',
  kind: 'infer',
  family: 'mcmc',
  available: true,
  summary: "static Hamiltonian Monte Carlo (fixed leapfrog steps, Stan's warmup)",
  test,
  takes: { allows: [] },
  options: { ...common, steps: int({ default: 16, min: 1, doc: 'leapfrog steps per iteration' }) },
  needs: () => [],
  init: (p, x0, o, ctx) => init('hmc', p, x0, o as SamplerOptions, ctx),
  step: (p, st: McmcState, o, ctx) => step('hmc', p, st, o as SamplerOptions, ctx),
  measure: 'stepsize',
  criterion: (_p, st, o) => criterion(st, o as SamplerOptions),
  rises: true,
  accepts,
});
