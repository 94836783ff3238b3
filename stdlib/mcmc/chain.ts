// One Markov chain of NUTS or static HMC with Stan's warmup, as a state machine over plain JSON:
// `step()` runs one iteration (warmup with adaptation, then sampling) and keeps `state` complete
// after every iteration (position, step size, metric, adaptation, the random stream's counter, the
// draws so far), so the state is the method table's state as it is (stdlib/mcmc/method.ts) and a
// chain attached to a copy of it continues bit for bit; `save()` is such a copy. Chain c of seed s draws from its own
// stream, foldIn(foldIn(key(s), MCMC_STREAM), c), so chains are independent of each other and of
// the order (or thread) in which they run.
// Warmup (Stan's run_adaptive_sampler): the initial step size heuristic (double or halve eps until
// the acceptance probability of one leapfrog step crosses 0.8), then per iteration a transition,
// a dual-averaging update, and a metric update at the end of each slow window, after which the
// step size heuristic runs again and dual averaging restarts at mu = log(10 eps). At the end of
// warmup the step size is the dual-averaging average.

import { foldIn, keyFromSeed } from '../../runtime/index.js';
import {
  dualAveragingFinal,
  dualAveragingInit,
  dualAveragingLearn,
  endOfSlowWindow,
  inSlowWindow,
  nextWindow,
  welfordAdd,
  welfordEstimate,
  welfordInit,
  windowInit,
  windowPlan,
  type DualAveraging,
  type DualAveragingSettings,
  type Welford,
  type WindowPlan,
  type WindowState,
} from './adaptation.js';
import {
  copyPoint,
  evaluate,
  hamiltonian,
  leapfrog,
  newPoint,
  type LogDensity,
  type PhasePoint,
} from './hamiltonian.js';
import { metricFrom, sampleMomentum, unitMetric, type Metric, type MetricKind } from './metric.js';
import { nutsTransition, nutsWorkspace, type NutsWorkspace, type TransitionStats } from './nuts.js';
import { Stream } from './rng.js';
import { hmcTransition, hmcWorkspace, type HmcWorkspace } from './static_hmc.js';

/** Folded into the seed's key to give the samplers' streams (apart from every other use of the seed). */
export const MCMC_STREAM = 0x6d636d63;
/** Random initial points tried before giving up (Stan's 100). */
export const MAX_INIT_TRIES = 100;

export interface SamplerSettings {
  algorithm: 'nuts' | 'hmc';
  warmup: number;
  draws: number;
  metric: MetricKind;
  /** The initial step size (before the heuristic), or the step size when warmup is 0. */
  stepsize: number;
  /** Uniform jitter of the step size per iteration, as a fraction (0: none). */
  jitter: number;
  /** NUTS: the maximum tree depth. */
  maxDepth: number;
  /** HMC: leapfrog steps per iteration. */
  steps: number;
  /** The energy error that marks a divergence. */
  maxDeltaH: number;
  dualAveraging: DualAveragingSettings;
  initBuffer: number;
  termBuffer: number;
  window: number;
  /** The initial inverse metric (diag: n variances; dense: n x n row-major); default the identity. */
  inverseMetric?: readonly number[];
  /** Estimate the metric in warmup's slow windows (default true; false keeps the initial one). */
  adaptMetric?: boolean;
}

export interface SamplerStats {
  lp: number[];
  acceptStat: number[];
  stepsize: number[];
  treedepth: number[];
  nLeapfrog: number[];
  divergent: number[];
  energy: number[];
}

/** The complete state of one chain: JSON, and enough to continue bit for bit. */
export interface ChainState {
  chain: number;
  /** Iterations completed, warmup included. */
  iteration: number;
  q: number[];
  /** The nominal step size (before jitter). */
  stepsize: number;
  metric: { kind: MetricKind; inverse: number[] };
  dual: DualAveraging;
  window: WindowState;
  welford: Welford;
  /** The random stream's counter. */
  rng: number;
  /** Sampling draws so far, unconstrained, row-major [draws, n]. */
  draws: number[];
  stats: SamplerStats;
  /** Warmup iterations (1-based over the whole run) that diverged. */
  warmupDivergent: number[];
  /** Gradient evaluations so far (leapfrog steps and the step size heuristic). */
  gradients: number;
  /** Wall time of warmup and sampling so far (reporting only: nothing reads it back). */
  warmupMs: number;
  samplingMs: number;
}

function emptyStats(): SamplerStats {
  return { lp: [], acceptStat: [], stepsize: [], treedepth: [], nLeapfrog: [], divergent: [], energy: [] };
}

export function chainKey(seed: number, chain: number): Int32Array {
  return foldIn(foldIn(keyFromSeed(seed), MCMC_STREAM), chain);
}

export class SamplerError extends Error {}

export class Chain {
  readonly n: number;
  private readonly ld: LogDensity;
  private readonly s: SamplerSettings;
  private readonly plan: WindowPlan;
  private readonly rng: Stream;
  private readonly z: PhasePoint;
  private metric: Metric;
  private readonly nuts: NutsWorkspace | null;
  private readonly hmc: HmcWorkspace | null;
  private st: ChainState;

  private constructor(ld: LogDensity, s: SamplerSettings, seed: number, st: ChainState) {
    this.n = ld.n;
    this.ld = ld;
    this.s = s;
    const plan = windowPlan({
      warmup: s.warmup,
      initBuffer: s.initBuffer,
      termBuffer: s.termBuffer,
      baseWindow: s.window,
    });
    this.plan = s.adaptMetric === false ? { ...plan, adapt: false } : plan;
    this.rng = new Stream(chainKey(seed, st.chain), st.rng);
    this.metric = metricFrom(st.metric.kind, ld.n, st.metric.inverse);
    this.z = newPoint(ld.n);
    this.z.q.set(st.q);
    evaluate(ld, this.z);
    this.nuts = s.algorithm === 'nuts' ? nutsWorkspace(ld.n, s.maxDepth) : null;
    this.hmc = s.algorithm === 'hmc' ? hmcWorkspace(ld.n) : null;
    this.st = st;
  }

  /**
   * A new chain from the first of `init(0)`, `init(1)`, ... (at most MAX_INIT_TRIES) where the log
   * density and its gradient are finite; with warmup, the step size heuristic runs there.
   */
  static start(
    ld: LogDensity,
    s: SamplerSettings,
    seed: number,
    chain: number,
    init: (attempt: number) => Float64Array,
  ): Chain {
    const z = newPoint(ld.n);
    let found = false;
    for (let a = 0; a < MAX_INIT_TRIES && !found; a++) {
      z.q.set(init(a));
      evaluate(ld, z);
      found = Number.isFinite(z.logp) && z.g.every(Number.isFinite);
    }
    if (!found)
      throw new SamplerError(
        `chain ${chain + 1}: the log density or its gradient is not finite at ${MAX_INIT_TRIES} random initial points`,
      );
    const metric = s.inverseMetric ? metricFrom(s.metric, ld.n, s.inverseMetric) : unitMetric(ld.n, s.metric);
    const st: ChainState = {
      chain,
      iteration: 0,
      q: Array.from(z.q),
      stepsize: s.stepsize,
      metric: { kind: s.metric, inverse: Array.from(metric.inverse) },
      dual: dualAveragingInit(s.stepsize),
      window: windowInit(
        windowPlan({ warmup: s.warmup, initBuffer: s.initBuffer, termBuffer: s.termBuffer, baseWindow: s.window }),
      ),
      welford: welfordInit(s.metric === 'unit' ? 0 : ld.n, s.metric === 'dense'),
      rng: 0,
      draws: [],
      stats: emptyStats(),
      warmupDivergent: [],
      gradients: 0,
      warmupMs: 0,
      samplingMs: 0,
    };
    const c = new Chain(ld, s, seed, st);
    if (s.warmup > 0) {
      c.initStepsize();
      c.st.dual = dualAveragingInit(c.st.stepsize);
    }
    return c;
  }

  /** Continues from a saved state (the caller checked that seed and settings are the same). */
  static resume(ld: LogDensity, s: SamplerSettings, seed: number, saved: ChainState): Chain {
    return Chain.attach(ld, s, seed, JSON.parse(JSON.stringify(saved)) as ChainState);
  }

  /** Continues from `st` itself (no copy): the chain's iterations update it in place. */
  static attach(ld: LogDensity, s: SamplerSettings, seed: number, st: ChainState): Chain {
    return new Chain(ld, s, seed, st);
  }

  /** The live state (JSON-complete after every iteration; `save()` for a copy). */
  get state(): ChainState {
    return this.st;
  }

  /** The current log density. */
  get logp(): number {
    return this.z.logp;
  }

  get iteration(): number {
    return this.st.iteration;
  }

  /** The chain's index (0-based). */
  get chain(): number {
    return this.st.chain;
  }

  /** Divergent transitions so far, warmup included. */
  get divergences(): number {
    let d = this.st.warmupDivergent.length;
    for (const x of this.st.stats.divergent) d += x;
    return d;
  }

  get total(): number {
    return this.s.warmup + this.s.draws;
  }

  get done(): boolean {
    return this.st.iteration >= this.total;
  }

  get warmingUp(): boolean {
    return this.st.iteration < this.s.warmup;
  }

  /** The current nominal step size. */
  get stepsize(): number {
    return this.st.stepsize;
  }

  /** Runs one iteration; returns its statistics. */
  step(): TransitionStats {
    if (this.done) throw new Error('the chain has finished');
    const t0 = performance.now();
    const st = this.st;
    const warm = st.iteration < this.s.warmup;
    let eps = st.stepsize;
    if (this.s.jitter > 0) eps *= 1 + this.s.jitter * (2 * this.rng.uniform() - 1);
    const r = this.transition(eps);
    st.gradients += r.nLeapfrog;
    st.iteration++;
    if (warm) {
      if (r.divergent) st.warmupDivergent.push(st.iteration);
      this.adapt(r.acceptStat);
      if (st.iteration === this.s.warmup) st.stepsize = dualAveragingFinal(st.dual);
      st.warmupMs += performance.now() - t0;
    } else {
      for (let i = 0; i < this.n; i++) st.draws.push(this.z.q[i]!);
      const x = st.stats;
      x.lp.push(this.z.logp);
      x.acceptStat.push(r.acceptStat);
      x.stepsize.push(eps);
      x.treedepth.push(r.treedepth);
      x.nLeapfrog.push(r.nLeapfrog);
      x.divergent.push(r.divergent ? 1 : 0);
      x.energy.push(r.energy);
      st.samplingMs += performance.now() - t0;
    }
    st.q = Array.from(this.z.q);
    st.rng = this.rng.counter;
    return r;
  }

  /** The complete state, as JSON-safe data (a copy). */
  save(): ChainState {
    return JSON.parse(JSON.stringify(this.st)) as ChainState;
  }

  /** The sampling draws so far, unconstrained [draws, n], and their statistics. */
  output(): { draws: Float64Array; stats: SamplerStats; state: ChainState } {
    return { draws: Float64Array.from(this.st.draws), stats: this.st.stats, state: this.st };
  }

  /** The adapted inverse metric (a copy). */
  inverseMetric(): Float64Array {
    return Float64Array.from(this.metric.inverse);
  }

  private transition(eps: number): TransitionStats {
    if (this.nuts)
      return nutsTransition(this.ld, this.metric, this.z, eps, this.s.maxDepth, this.rng, this.nuts, this.s.maxDeltaH);
    return hmcTransition(this.ld, this.metric, this.z, eps, this.s.steps, this.rng, this.hmc!, this.s.maxDeltaH);
  }

  private adapt(acceptStat: number): void {
    const st = this.st;
    st.stepsize = dualAveragingLearn(st.dual, this.s.dualAveraging, acceptStat);
    if (this.metric.kind === 'unit') return;
    const dense = this.metric.kind === 'dense';
    const w = st.window;
    let updated = false;
    if (inSlowWindow(this.plan, w)) welfordAdd(st.welford, this.z.q, dense);
    if (endOfSlowWindow(this.plan, w)) {
      nextWindow(this.plan, w);
      const inv = welfordEstimate(st.welford, dense);
      if (!inv.every(Number.isFinite))
        throw new SamplerError(
          `chain ${st.chain + 1}: the metric estimate overflowed in warmup (extreme values on the unconstrained scale: the posterior may be improper or too wide)`,
        );
      this.metric = metricFrom(this.metric.kind, this.n, inv);
      st.metric = { kind: this.metric.kind, inverse: Array.from(this.metric.inverse) };
      st.welford = welfordInit(this.n, dense);
      updated = true;
    }
    w.counter++;
    if (updated) {
      this.initStepsize();
      st.dual = dualAveragingInit(st.stepsize);
    }
  }

  /** Stan's init_stepsize: double or halve eps until one leapfrog step's acceptance crosses 0.8. */
  private initStepsize(): void {
    const st = this.st;
    let eps = st.stepsize;
    if (eps === 0 || eps > 1e7 || Number.isNaN(eps)) return;
    const z = this.z;
    const saved = newPoint(this.n);
    copyPoint(saved, z);
    const v = new Float64Array(this.n);
    const deltaH = (): number => {
      copyPoint(z, saved);
      sampleMomentum(this.metric, this.rng, z.p);
      const h0 = hamiltonian(this.metric, z);
      leapfrog(this.ld, this.metric, z, eps, v);
      st.gradients++;
      return h0 - hamiltonian(this.metric, z);
    };
    const LOG08 = Math.log(0.8);
    const direction = deltaH() > LOG08 ? 1 : -1;
    for (;;) {
      const d = deltaH();
      if (direction === 1 && !(d > LOG08)) break;
      if (direction === -1 && !(d < LOG08)) break;
      eps = direction === 1 ? eps * 2 : eps * 0.5;
      if (eps > 1e7)
        throw new SamplerError(
          `chain ${st.chain + 1}: the step size grew past 1e7 while searching for a first step size: the posterior is improper (a parameter without a prior whose likelihood does not bound it?)`,
        );
      if (eps === 0)
        throw new SamplerError(
          `chain ${st.chain + 1}: no acceptably small step size: the log density may not be continuous, or its gradient is wrong`,
        );
    }
    copyPoint(z, saved);
    st.stepsize = eps;
    st.q = Array.from(z.q);
    st.rng = this.rng.counter;
  }
}
