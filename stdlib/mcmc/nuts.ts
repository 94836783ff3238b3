// One transition of the No-U-Turn sampler as current Stan runs it (base_nuts.hpp): the
// trajectory doubles in a random direction until the generalized U-turn criterion fails (on the
// whole trajectory, and across the two halves of every merge, with the momenta at the seams),
// a leaf's energy error exceeds maxDeltaH (a divergence), or the depth reaches maxDepth. The
// draw is multinomial over the trajectory's states with weights exp(-H): biased progressive
// sampling between the old trajectory and each new subtree (the new subtree is taken with
// probability min(1, w_new / w_old)), uniform progressive sampling inside a subtree.
// Invariants: every vector the recursion needs is preallocated per depth (a transition
// allocates nothing); the random stream is read in Stan's order (momentum, then per doubling a
// direction, the merges inside the subtree, the top-level choice).

import { copyPoint, hamiltonian, leapfrog, newPoint, type LogDensity, type PhasePoint } from './hamiltonian.js';
import { sampleMomentum, velocity, type Metric } from './metric.js';
import type { Stream } from './rng.js';
import { dot } from '../optim/linalg_host.js';

export interface TransitionStats {
  /** Mean Metropolis acceptance probability over the trajectory (what dual averaging adapts). */
  acceptStat: number;
  /** Doublings completed (NUTS); 0 for static HMC. */
  treedepth: number;
  nLeapfrog: number;
  divergent: boolean;
  /** The Hamiltonian at the draw (for E-BFMI). */
  energy: number;
}

interface Level {
  pInitEnd: Float64Array;
  pSharpInitEnd: Float64Array;
  rhoInit: Float64Array;
  zProposeFinal: PhasePoint;
  pFinalBeg: Float64Array;
  pSharpFinalBeg: Float64Array;
  rhoFinal: Float64Array;
  rhoSubtree: Float64Array;
}

export interface NutsWorkspace {
  n: number;
  work: PhasePoint;
  zFwd: PhasePoint;
  zBck: PhasePoint;
  zSample: PhasePoint;
  zPropose: PhasePoint;
  pFwdFwd: Float64Array;
  pSharpFwdFwd: Float64Array;
  pFwdBck: Float64Array;
  pSharpFwdBck: Float64Array;
  pBckFwd: Float64Array;
  pSharpBckFwd: Float64Array;
  pBckBck: Float64Array;
  pSharpBckBck: Float64Array;
  rho: Float64Array;
  rhoFwd: Float64Array;
  rhoBck: Float64Array;
  rhoExt: Float64Array;
  v: Float64Array;
  levels: Level[];
}

export function nutsWorkspace(n: number, maxDepth: number): NutsWorkspace {
  const vec = () => new Float64Array(n);
  const levels: Level[] = [];
  for (let d = 0; d < Math.max(1, maxDepth); d++)
    levels.push({
      pInitEnd: vec(),
      pSharpInitEnd: vec(),
      rhoInit: vec(),
      zProposeFinal: newPoint(n),
      pFinalBeg: vec(),
      pSharpFinalBeg: vec(),
      rhoFinal: vec(),
      rhoSubtree: vec(),
    });
  return {
    n,
    work: newPoint(n),
    zFwd: newPoint(n),
    zBck: newPoint(n),
    zSample: newPoint(n),
    zPropose: newPoint(n),
    pFwdFwd: vec(),
    pSharpFwdFwd: vec(),
    pFwdBck: vec(),
    pSharpFwdBck: vec(),
    pBckFwd: vec(),
    pSharpBckFwd: vec(),
    pBckBck: vec(),
    pSharpBckBck: vec(),
    rho: vec(),
    rhoFwd: vec(),
    rhoBck: vec(),
    rhoExt: vec(),
    v: vec(),
    levels,
  };
}

/** log(exp(a) + exp(b)), exact at infinities. */
export function logSumExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  if (a === Infinity || b === Infinity) return Infinity;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** The generalized U-turn criterion: the trajectory keeps going while both ends move along rho. */
function criterion(pSharpMinus: Float64Array, pSharpPlus: Float64Array, rho: Float64Array): boolean {
  return dot(pSharpPlus, rho) > 0 && dot(pSharpMinus, rho) > 0;
}

function addInto(out: Float64Array, a: Float64Array, b: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

/**
 * One NUTS transition from z (its q, g and log p are current); z becomes the draw (with its
 * momentum). eps is the step size actually used (jitter applied by the caller).
 */
export function nutsTransition(
  ld: LogDensity,
  metric: Metric,
  z: PhasePoint,
  eps: number,
  maxDepth: number,
  rng: Stream,
  ws: NutsWorkspace,
  maxDeltaH = 1000,
): TransitionStats {
  sampleMomentum(metric, rng, z.p);
  copyPoint(ws.zFwd, z);
  copyPoint(ws.zBck, z);
  copyPoint(ws.zSample, z);
  copyPoint(ws.zPropose, z);
  ws.pFwdFwd.set(z.p);
  velocity(metric, z.p, ws.pSharpFwdFwd);
  ws.pFwdBck.set(z.p);
  ws.pSharpFwdBck.set(ws.pSharpFwdFwd);
  ws.pBckFwd.set(z.p);
  ws.pSharpBckFwd.set(ws.pSharpFwdFwd);
  ws.pBckBck.set(z.p);
  ws.pSharpBckBck.set(ws.pSharpFwdFwd);
  ws.rho.set(z.p);

  const H0 = hamiltonian(metric, z);
  const t: Tree = { ld, metric, eps, H0, maxDeltaH, rng, ws, nLeapfrog: 0, sumMetroProb: 0, divergent: false, lsw: 0 };
  let logSumWeight = 0;
  let depth = 0;
  while (depth < maxDepth) {
    ws.rhoFwd.fill(0);
    ws.rhoBck.fill(0);
    let valid: boolean;
    if (rng.uniform() > 0.5) {
      // Extend the trajectory forward.
      copyPoint(ws.work, ws.zFwd);
      ws.rhoBck.set(ws.rho);
      ws.pBckFwd.set(ws.pFwdFwd);
      ws.pSharpBckFwd.set(ws.pSharpFwdFwd);
      valid = buildTree(t, depth, ws.zPropose, ws.pSharpFwdBck, ws.pSharpFwdFwd, ws.rhoFwd, ws.pFwdBck, ws.pFwdFwd, 1);
      copyPoint(ws.zFwd, ws.work);
    } else {
      // Extend it backward.
      copyPoint(ws.work, ws.zBck);
      ws.rhoFwd.set(ws.rho);
      ws.pFwdBck.set(ws.pBckBck);
      ws.pSharpFwdBck.set(ws.pSharpBckBck);
      valid = buildTree(t, depth, ws.zPropose, ws.pSharpBckFwd, ws.pSharpBckBck, ws.rhoBck, ws.pBckFwd, ws.pBckBck, -1);
      copyPoint(ws.zBck, ws.work);
    }
    if (!valid) break;
    depth++;
    const lswSubtree = t.lsw;
    if (lswSubtree > logSumWeight) copyPoint(ws.zSample, ws.zPropose);
    else if (rng.uniform() < Math.exp(lswSubtree - logSumWeight)) copyPoint(ws.zSample, ws.zPropose);
    logSumWeight = logSumExp(logSumWeight, lswSubtree);

    addInto(ws.rho, ws.rhoBck, ws.rhoFwd);
    // Around the merged trajectory, and across the seam between its two parts.
    const persist =
      criterion(ws.pSharpBckBck, ws.pSharpFwdFwd, ws.rho) &&
      criterion(ws.pSharpBckBck, ws.pSharpFwdBck, addInto(ws.rhoExt, ws.rhoBck, ws.pFwdBck)) &&
      criterion(ws.pSharpBckFwd, ws.pSharpFwdFwd, addInto(ws.rhoExt, ws.rhoFwd, ws.pBckFwd));
    if (!persist) break;
  }
  copyPoint(z, ws.zSample);
  return {
    acceptStat: t.nLeapfrog > 0 ? t.sumMetroProb / t.nLeapfrog : 0,
    treedepth: depth,
    nLeapfrog: t.nLeapfrog,
    divergent: t.divergent,
    energy: hamiltonian(metric, z),
  };
}

/** The state of one trajectory while its subtrees are built. */
interface Tree {
  ld: LogDensity;
  metric: Metric;
  eps: number;
  H0: number;
  maxDeltaH: number;
  rng: Stream;
  ws: NutsWorkspace;
  nLeapfrog: number;
  sumMetroProb: number;
  divergent: boolean;
  /** The log of the summed weights of the subtree built last. */
  lsw: number;
}

/**
 * Builds a subtree of 2^depth leapfrog steps from ws.work in direction `sign`; on return ws.work
 * is its far end, zPropose its draw, t.lsw its log weight, rho has its momenta added. `beg` is
 * the end next to the existing trajectory, `end` the far one. False when it is invalid (a
 * divergence, or a U-turn inside it).
 */
function buildTree(
  t: Tree,
  depth: number,
  zPropose: PhasePoint,
  pSharpBeg: Float64Array,
  pSharpEnd: Float64Array,
  rho: Float64Array,
  pBeg: Float64Array,
  pEnd: Float64Array,
  sign: number,
): boolean {
  const ws = t.ws;
  const z = ws.work;
  if (depth === 0) {
    leapfrog(t.ld, t.metric, z, sign * t.eps, ws.v);
    t.nLeapfrog++;
    // The velocity M^-1 p serves the criterion and the kinetic energy p' M^-1 p / 2 (one product).
    velocity(t.metric, z.p, pSharpBeg);
    let h = -z.logp + 0.5 * dot(z.p, pSharpBeg);
    if (Number.isNaN(h)) h = Infinity;
    if (h - t.H0 > t.maxDeltaH) t.divergent = true;
    t.lsw = t.H0 - h;
    t.sumMetroProb += t.H0 - h > 0 ? 1 : Math.exp(t.H0 - h);
    copyPoint(zPropose, z);
    pSharpEnd.set(pSharpBeg);
    for (let i = 0; i < rho.length; i++) rho[i] = rho[i]! + z.p[i]!;
    pBeg.set(z.p);
    pEnd.set(z.p);
    return !t.divergent;
  }
  const s = ws.levels[depth]!;
  s.rhoInit.fill(0);
  if (!buildTree(t, depth - 1, zPropose, pSharpBeg, s.pSharpInitEnd, s.rhoInit, pBeg, s.pInitEnd, sign)) return false;
  const lswInit = t.lsw;
  s.rhoFinal.fill(0);
  if (!buildTree(t, depth - 1, s.zProposeFinal, s.pSharpFinalBeg, pSharpEnd, s.rhoFinal, s.pFinalBeg, pEnd, sign))
    return false;
  const lswFinal = t.lsw;
  const lswSubtree = logSumExp(lswInit, lswFinal);
  t.lsw = lswSubtree;
  // Uniform progressive sampling: the final half with probability w_final / (w_init + w_final).
  if (lswFinal > lswSubtree) copyPoint(zPropose, s.zProposeFinal);
  else if (t.rng.uniform() < Math.exp(lswFinal - lswSubtree)) copyPoint(zPropose, s.zProposeFinal);

  addInto(s.rhoSubtree, s.rhoInit, s.rhoFinal);
  for (let i = 0; i < rho.length; i++) rho[i] = rho[i]! + s.rhoSubtree[i]!;
  return (
    criterion(pSharpBeg, pSharpEnd, s.rhoSubtree) &&
    criterion(pSharpBeg, s.pSharpFinalBeg, addInto(s.rhoSubtree, s.rhoInit, s.pFinalBeg)) &&
    criterion(s.pSharpInitEnd, pSharpEnd, addInto(s.rhoSubtree, s.rhoFinal, s.pInitEnd))
  );
}
