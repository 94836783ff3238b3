// The pieces of an MCMC run that the main thread and the worker threads share: the sampler
// settings from a method's options, the log density of a compiled program as the samplers take
// it, each chain's initial points, the checkpoint's shape and a chain's progress record.

import { foldIn } from '../../runtime/index.js';
import {
  chainKey,
  DUAL_AVERAGING_DEFAULTS,
  Stream,
  type ChainState,
  type LogDensity,
  type SamplerSettings,
} from '../../stdlib/mcmc/index.js';
import type { CompiledProgram } from '../compile.js';

/** What a checkpoint of an MCMC run holds: every chain's state (null: not started). */
export interface McmcCheckpoint {
  method: string;
  chains: (ChainState | null)[];
}

/** The sampler settings from the method's effective options; a string is an option error. */
export function samplerSettings(method: string, o: Record<string, unknown>): SamplerSettings | string {
  const jitter = o.jitter as number;
  if (!(jitter >= 0 && jitter < 1)) return `jitter must be in [0, 1), got ${jitter}`;
  const init = o.init as number;
  if (!(init >= 0)) return `init (the radius of the random initial points) must be >= 0, got ${init}`;
  return {
    algorithm: method === 'hmc' ? 'hmc' : 'nuts',
    warmup: o.warmup as number,
    draws: o.draws as number,
    metric: o.metric as SamplerSettings['metric'],
    stepsize: o.stepsize as number,
    jitter,
    maxDepth: (o.max_depth as number | undefined) ?? 10,
    steps: (o.steps as number | undefined) ?? 16,
    maxDeltaH: 1000,
    dualAveraging: { ...DUAL_AVERAGING_DEFAULTS, delta: o.target_accept as number },
    initBuffer: o.init_buffer as number,
    termBuffer: o.term_buffer as number,
    window: o.window as number,
  };
}

/** The log density of a compiled program as the samplers take it. */
export function logDensityOf(compiled: CompiledProgram): LogDensity {
  const ld = compiled.logDensity!;
  return {
    n: ld.n,
    logpGrad(q, g) {
      const r = ld.evaluate(q, 0);
      g.set(r.g);
      return r.f;
    },
  };
}

/** Chain c's initial point for attempt a: uniform(-radius, radius), `start` values applied. */
export function initialPoint(compiled: CompiledProgram, seed: number, chain: number, radius: number) {
  return (attempt: number): Float64Array => {
    const s = new Stream(foldIn(chainKey(seed, chain), 0x696e6974 + attempt));
    const theta0 = Float64Array.from({ length: compiled.n }, () => radius * (2 * s.uniform() - 1));
    return compiled.initialPointFrom(theta0);
  };
}

export function progressOf(c: {
  iteration: number;
  total: number;
  warmingUp: boolean;
  divergences: number;
  chain: number;
}) {
  return { chain: c.chain, iteration: c.iteration, total: c.total, warmup: c.warmingUp, divergences: c.divergences };
}
