// One transition of static HMC (Stan's base_static_hmc, with a fixed number of leapfrog steps
// instead of a fixed integration time): a fresh momentum, L leapfrog steps, a Metropolis test on
// the energy error. A trajectory whose energy error exceeds maxDeltaH at any step stops there
// and is rejected (a divergence); the test reads only energies along the path, which the
// reversed path shares, so the kernel stays reversible.

import { copyPoint, hamiltonian, leapfrog, newPoint, type LogDensity, type PhasePoint } from './hamiltonian.js';
import { sampleMomentum, type Metric } from './metric.js';
import type { TransitionStats } from './nuts.js';
import type { Stream } from './rng.js';

export interface HmcWorkspace {
  init: PhasePoint;
  v: Float64Array;
}

export function hmcWorkspace(n: number): HmcWorkspace {
  return { init: newPoint(n), v: new Float64Array(n) };
}

export function hmcTransition(
  ld: LogDensity,
  metric: Metric,
  z: PhasePoint,
  eps: number,
  steps: number,
  rng: Stream,
  ws: HmcWorkspace,
  maxDeltaH = 1000,
): TransitionStats {
  sampleMomentum(metric, rng, z.p);
  copyPoint(ws.init, z);
  const H0 = hamiltonian(metric, z);
  let divergent = false;
  let n = 0;
  for (; n < steps;) {
    leapfrog(ld, metric, z, eps, ws.v);
    n++;
    if (hamiltonian(metric, z) - H0 > maxDeltaH) {
      divergent = true;
      break;
    }
  }
  const accept = divergent ? 0 : Math.exp(H0 - hamiltonian(metric, z));
  if (!(accept >= 1) && !(rng.uniform() < accept)) copyPoint(z, ws.init);
  return {
    acceptStat: Math.min(1, accept),
    treedepth: 0,
    nLeapfrog: n,
    divergent,
    energy: hamiltonian(metric, z),
  };
}
