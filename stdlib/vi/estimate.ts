// The estimator transformation: from (model, guide, objective) to a surrogate whose value is an
// unbiased estimate of the objective and whose gradient (by ordinary reverse mode) is an
// unbiased estimate of the objective's gradient in both the model's parameters theta and the
// guide's phi. Every site contributes through a local rule, so the rules compose in one program:
//
//   reparam    pathwise: the draw is differentiable, nothing is added.
//   enum       the site's axis carries its whole support; expectations over it are exact sums
//              weighted by q, so differentiating them differentiates the weights too.
//   reinforce  the score term (log q - stop(log q)) * stop(signal - baseline): value 0, gradient
//              grad log q * (signal - baseline) (the DiCE "magic box", Foerster et al. 2018).
//              The signal is the particle's objective after the enumerated expectations;
//              baselines must not depend on the site's own draw: a running mean from earlier
//              steps, or the objective with this particle left out (leave-one-out; for IWAE
//              that is VIMCO's, the left-out log weight replaced by the mean of the others).
//   mvd        the weak derivative of a discrete choice (Bernoulli, Categorical): with pi the
//              site's probabilities and F(s) the rest of the estimate with the site set to s
//              (its other choices as drawn), sum_s (pi_s - stop(pi_s)) * stop(F(s) - F(z)).
//              For Bernoulli this is (p - stop p)(F(1) - F(0)), the textbook f(1) - f(0); for
//              logits the gradient through softmax gives pi_i (F(i) - E F), the decomposition of
//              d pi / d logit into its positive part and pi_i times the original measure.
//              F(z) (the drawn branch) is a baseline: sum_s d pi_s = 0.
//   detach     nothing (wake-sleep).
//
// Objectives linear in logp and logq (ELBO) are estimated factor by factor: each factor's
// expectation over the enumerated sites it depends on, which is what makes enumeration inside a
// plate cost S per copy. Nonlinear objectives (IWAE, Renyi, user-defined) evaluate their body on
// the particles' total log densities; there each enumerated/MVD site gets its own axis per
// particle (a joint enumeration), so such sites must not lie in a plate.

import { ops as P, type Tracer } from '../../runtime/index.js';
import { DimLayout, type EnumDim } from './enum_dims.js';
import { affine, evaluate, type Objective } from './objectives.js';
import {
  runGuide,
  scoreGuide,
  scoreModel,
  type Factor,
  type GuideTrace,
  type LocalSite,
  type MvdSite,
  type Program,
  type ScoreSite,
} from './sites.js';
import type { Estimator, ObjectiveInfo, PlanEntry } from './estimator_plan.js';

export interface VIProgram {
  model: Program;
  guide: Program;
}

export interface EstimateOptions {
  /** An int32[2] key; the particles' keys are split from it. */
  key: Tracer;
  /** Per-site estimator overrides (the language's `via`). */
  via?: Readonly<Record<string, Estimator>>;
  /** Running-mean baseline state, one scalar per score site with baseline 'mean' (0 when absent). */
  baselines?: Readonly<Record<string, Tracer>>;
  /** Weight of the old state in the running mean (default 0.9). */
  baselineDecay?: number;
  /** Plate axes to the right of the enumeration axes (default 1). */
  plateRank?: number;
  /**
   * The model's factors do not expose its plates (a compiled program's one log density): enum
   * and MVD sites are estimated locally, element by element (sites.ts, LocalSite).
   */
  local?: boolean;
}

export interface Estimate {
  /** The objective's estimate (to maximize). */
  value: Tracer;
  /** Same value; its gradient is the gradient estimate. */
  surrogate: Tracer;
  /** The running-mean baselines after this step (feed them to the next). */
  baselines: Record<string, Tracer>;
  /** The estimator each site used, and why (the first particle's sites). */
  plan: PlanEntry[];
}

const sg = P.stopGradient;
const sgAll = (xs: readonly Tracer[]) => xs.map((x) => sg(x));
const sumFull = (layout: DimLayout, ts: readonly Tracer[]): Tracer =>
  ts.reduce<Tracer>((acc, t) => P.add(acc, layout.full(t)), P.zeros(new Array(layout.rank).fill(1)));

export function objectiveInfo(obj: Objective): ObjectiveInfo {
  return { linear: affine(obj.body) !== null, samples: obj.samples, pathwise: obj.pathwise };
}

/**
 * The expectation of factor f over the enumerated axes, q-weighted (logW: the summed log q of
 * the enumerated sites), with MVD axes at their drawn branch. With `keep`, that MVD axis and the
 * plate axes stay (for per-copy weak derivatives); otherwise the result is a scalar sum.
 */
export function expectation(f: Tracer, layout: DimLayout, logW: Tracer | null, keep: EnumDim | null = null): Tracer {
  let t = layout.full(f);
  let w = logW && layout.full(logW);
  for (const d of layout.dims) {
    if (d.kind !== 'mvd' || d === keep) continue;
    t = layout.pick(t, d.j, 0);
    w = w && layout.pick(w, d.j, 0);
  }
  if (w) {
    // The weights marginal to f's axes: sum out enumerated sites f does not depend on; plate
    // axes f lacks are averaged (there the marginal is the same in every copy, since each
    // site's q is normalized).
    const R = layout.rank;
    const absent = (a: number) => w!.shape[a]! > 1 && t.shape[a]! === 1;
    const enumAxes = layout.dims
      .filter((d) => d.kind === 'enum' && absent(layout.axis(d.j, R)))
      .map((d) => layout.axis(d.j, R));
    let wm = P.exp(w);
    if (enumAxes.length) wm = P.sum(wm, enumAxes, true);
    const plateAxes = layout.plateAxes(R).filter(absent);
    if (plateAxes.length) wm = P.mean(wm, plateAxes, true);
    t = P.mul(wm, t);
  }
  if (!keep) return P.sum(t);
  const keepAxes = new Set([layout.axis(keep.j, t.rank), ...layout.plateAxes(t.rank)]);
  const axes = t.shape.map((_, i) => i).filter((i) => !keepAxes.has(i));
  return axes.length ? P.sum(t, axes, true) : t;
}

/**
 * The weak-derivative term of an MVD site from its branch values: `parts` are terms of the
 * estimate with the site's axis kept (factor by factor, so that a global factor is counted once
 * when it is summed over the plate copies the site does not have).
 */
function mvdTerm(parts: readonly Tracer[], m: MvdSite, layout: DimLayout): Tracer {
  const batch = [...new Array(layout.plateRank - m.batchShape.length).fill(1), ...m.batchShape];
  let G: Tracer | null = null;
  for (const part of parts) {
    let g = layout.full(part);
    if (!layout.has(g, m.dim.j)) continue; // constant across the branches: no weak derivative
    const sumAxes = layout.plateAxes(g.rank).filter((ax, i) => batch[i] === 1 && g.shape[ax]! > 1);
    if (sumAxes.length) g = P.sum(g, sumAxes, true);
    G = G ? P.add(G, g) : g;
  }
  if (!G) return P.zeros([]);
  const g = G;
  const a = layout.axis(m.dim.j, g.rank);
  const S = m.dim.size - 1;
  const lim = (lo: number, hi: number) =>
    P.slice(
      g,
      g.shape.map((_, i) => (i === a ? lo : 0)),
      g.shape.map((s, i) => (i === a ? hi : s)),
    );
  const D = P.sub(lim(1, 1 + S), lim(0, 1));
  const plateShape = D.shape.slice(D.rank - layout.plateRank);
  const Dm = P.transpose(P.reshape(D, [S, ...plateShape]), [...plateShape.map((_, i) => i + 1), 0]);
  const pi = P.reshape(m.probs, [...batch, S]);
  return P.sum(P.mul(P.sub(pi, sg(pi)), sg(Dm)));
}

const totalOf = (fs: readonly Factor[]): Tracer => fs.reduce<Tracer>((a, f) => P.add(a, P.sum(f.lp)), P.zeros([]));

/**
 * The gradient term of a local site (sites.ts LocalSite), element by element with the particle's
 * other choices as drawn; F maps the particle's values to its objective (no gradient).
 *   finite support: sum_j sum_s (pi_js - stop pi_js) stop(F(z_j = s) - F(z))
 *     (the local expectation; for one element it is exact enumeration);
 *   Normal(mu, sigma) MVD (Mohamed et al. 2020, Table 1): with R ~ Rayleigh(1) and M a
 *     double-sided Maxwell draw, d/dmu E f = E[f(mu + sigma R) - f(mu - sigma R)] / (sigma
 *     sqrt(2 pi)) and d/dsigma E f = E[f(mu + sigma M) - f(z)] / sigma, per element.
 * One scan over the elements; every branch is a full re-evaluation of F.
 */
function localTerm(
  l: LocalSite,
  values: ReadonlyMap<string, Tracer>,
  F: (values: ReadonlyMap<string, Tracer>) => Tracer,
): Tracer {
  const z = l.value;
  const N = z.shape.reduce((a, b) => a * b, 1);
  const flat = P.reshape(z, [N]);
  const f0 = sg(F(values));
  let alts: Tracer[]; // each [N]: the branch values of every element
  if (l.support) {
    const S = l.support.shape[0]!;
    alts = Array.from({ length: S }, (_, s) => P.broadcastTo(P.cast(P.index(l.support!, s), z.dtype), [N]));
  } else {
    const mu = sg(P.reshape(l.params[0]!, [N]));
    const sd = sg(P.reshape(l.params[1]!, [N]));
    const [k1, k2, k3] = P.splitKey(l.key, 3);
    const R = P.sqrt(P.mul(-2, P.log(P.uniform(k1!, [N]))));
    const chi3 = P.sqrt(P.sum(P.square(P.normal(k2!, [N, 3])), -1));
    const M = P.mul(P.sub(P.mul(2, P.cast(P.lt(P.uniform(k3!, [N]), 0.5), 'float64')), 1), chi3);
    alts = [P.add(mu, P.mul(sd, R)), P.sub(mu, P.mul(sd, R)), P.add(mu, P.mul(sd, M))];
  }
  const eye = P.constant(identityFlat(N), 'bool', [N, N]);
  const D = P.scan(
    (_c, [row, ...vs]) => {
      const at = (v: Tracer) => {
        const changed = new Map(values);
        changed.set(l.site, P.reshape(P.where(row!, v, flat), z.shape));
        return P.sub(F(changed), f0);
      };
      // Each branch's value of this element, broadcast over the row.
      return [[], [P.stack(vs.map((v) => at(P.broadcastTo(v!, [N]))))]];
    },
    [],
    [eye, ...alts],
  ).ys[0]!; // [N, branches]: F at element j's branch minus F as drawn
  if (l.support) {
    const S = l.support.shape[0]!;
    const pi = P.reshape(l.probs!, [N, S]);
    return P.sum(P.mul(P.sub(pi, sg(pi)), sg(D)));
  }
  const mu = P.reshape(l.params[0]!, [N]);
  const sd = P.reshape(l.params[1]!, [N]);
  const col = (i: number) => P.reshape(P.slice(D, [0, i], [N, i + 1]), [N]);
  const dmu = P.div(P.sub(col(0), col(1)), P.mul(sg(sd), Math.sqrt(2 * Math.PI)));
  const dsd = P.div(col(2), sg(sd));
  return P.add(P.sum(P.mul(P.sub(mu, sg(mu)), sg(dmu))), P.sum(P.mul(P.sub(sd, sg(sd)), sg(dsd))));
}

function identityFlat(n: number): boolean[] {
  const a = new Array<boolean>(n * n).fill(false);
  for (let i = 0; i < n; i++) a[i * n + i] = true;
  return a;
}

function scoreTerm(s: ScoreSite, signal: Tracer): Tracer {
  return P.mul(P.sub(s.logq, sg(s.logq)), sg(signal));
}

interface Particle {
  g: GuideTrace;
  p: Factor[];
  q: Factor[];
}

export function estimate(
  prog: VIProgram,
  obj: Objective,
  theta: readonly Tracer[],
  phi: readonly Tracer[],
  opts: EstimateOptions,
): Estimate {
  const K = obj.samples;
  const info = objectiveInfo(obj);
  const plateRank = opts.plateRank ?? 1;
  const decay = opts.baselineDecay ?? 0.9;
  const keys = K === 1 ? [opts.key] : P.splitKey(opts.key, K);
  const aff = affine(obj.body);
  const shared = aff ? null : new DimLayout(plateRank);
  const layouts: DimLayout[] = [];
  const parts: Particle[] = keys.map((key) => {
    const layout = shared ?? new DimLayout(plateRank);
    layouts.push(layout);
    const g = runGuide(prog.guide, phi, key, layout, info, opts.via, opts.local ?? false);
    const p = scoreModel(prog.model, theta, g.values);
    // Sticking the landing: log q with phi held fixed (the score sites keep their own live log q).
    const q = obj.gradient === 'stl' ? scoreGuide(prog.guide, sgAll(phi), g.values) : g.factors;
    return { g, p, q };
  });
  const baselineState = (s: ScoreSite) => opts.baselines?.[s.site] ?? P.zeros([]);
  const terms: Tracer[] = [];
  let value: Tracer;
  // Per score site (first particle's name): signals, to update running means.
  const newBaselines: Record<string, Tracer> = {};

  if (obj.gradient === 'dreg') {
    const r = dreg(prog, obj, theta, phi, parts);
    return { value: r.value, surrogate: r.surrogate, baselines: {}, plan: parts[0]!.g.plan };
  }

  if (aff) {
    // Linear: the objective is the mean over particles of a E[log p] + b E[log q] + c.
    const Ls: Tracer[] = [];
    const perParticle: Tracer[][] = parts.map(() => []);
    parts.forEach((pt, k) => {
      const layout = layouts[k]!;
      const logW = pt.g.enumLogq.length ? sumFull(layout, pt.g.enumLogq) : null;
      const costs: [number, Tracer][] = [
        ...(aff.a ? pt.p.map((f): [number, Tracer] => [aff.a, f.lp]) : []),
        ...(aff.b ? pt.q.map((f): [number, Tracer] => [aff.b, f.lp]) : []),
      ];
      const L = costs.reduce<Tracer>(
        (acc, [c, f]) => P.add(acc, P.mul(c, expectation(f, layout, logW))),
        P.full([], aff.c),
      );
      Ls.push(L);
      if (pt.g.locals.length) {
        if (pt.g.enumLogq.length || pt.g.mvds.length)
          throw new Error('a locally estimated site cannot share a guide with enumerated or MVD-axis sites');
        // F at other values: the particle's objective, every parameter held fixed.
        const F = (values: ReadonlyMap<string, Tracer>) => {
          const lp = totalOf(scoreModel(prog.model, sgAll(theta), values));
          const lq = totalOf(scoreGuide(prog.guide, sgAll(phi), values));
          return P.add(P.add(P.mul(aff.a, lp), P.mul(aff.b, lq)), aff.c);
        };
        for (const l of pt.g.locals) perParticle[k]!.push(localTerm(l, pt.g.values, F));
      }
      for (const m of pt.g.mvds) {
        perParticle[k]!.push(
          mvdTerm(
            costs.map(([c, f]) => P.mul(c, expectation(f, layout, logW, m.dim))),
            m,
            layout,
          ),
        );
      }
    });
    value = P.div(
      Ls.reduce((a, b) => P.add(a, b)),
      K,
    );
    const total = Ls.reduce((a, b) => P.add(a, sg(b)), P.zeros([]));
    parts.forEach((pt, k) => {
      for (const s of pt.g.scores) {
        let b: Tracer = P.zeros([]);
        if (s.baseline === 'mean') b = baselineState(s);
        if (s.baseline === 'loo') {
          if (K < 2) throw new Error(`site ${s.site}: a leave-one-out baseline needs samples >= 2`);
          b = P.div(P.sub(total, sg(Ls[k]!)), K - 1);
        }
        perParticle[k]!.push(scoreTerm(s, P.sub(Ls[k]!, b)));
        if (s.baseline === 'mean')
          newBaselines[s.site] = P.add(P.mul(decay, baselineState(s)), P.mul(1 - decay, P.div(total, K)));
      }
    });
    for (const ts of perParticle) for (const t of ts) terms.push(P.div(t, K));
  } else {
    const layout = shared!;
    const R = () => layout.rank;
    const totals = (fs: Factor[]): Tracer => {
      const t = sumFull(
        layout,
        fs.map((f) => f.lp),
      );
      const plates = layout.plateAxes(R());
      const enumerated = t.shape.slice(0, R() - layout.plateRank).some((s) => s > 1);
      if (enumerated && plates.some((a) => t.shape[a]! > 1))
        throw new Error(
          'an enumerated or MVD site inside a plate needs an objective linear in logp and logq (the ELBO); use reinforce there',
        );
      return P.sum(t, plates, true);
    };
    const lp = parts.map((pt) => totals(pt.p));
    const lq = parts.map((pt) => totals(pt.q));
    const shape = [...lp, ...lq].reduce<number[]>(
      (s, t) => s.map((x, i) => Math.max(x, t.shape[i]!)),
      new Array(R()).fill(1),
    );
    const stackK = (ts: Tracer[]) =>
      P.stack(
        ts.map((t) => P.broadcastTo(t, shape)),
        -1,
      );
    const LP = stackK(lp);
    const LQ = stackK(lq);
    const logW = parts.some((pt) => pt.g.enumLogq.length)
      ? sumFull(
          layout,
          parts.flatMap((pt) => pt.g.enumLogq),
        )
      : null;
    const F = evaluate(obj.body, LP, LQ);
    value = expectation(F, layout, logW);
    parts.forEach((pt, k) => {
      if (!pt.g.locals.length) return;
      if (logW || pt.g.mvds.length)
        throw new Error('a locally estimated site cannot share a guide with enumerated or MVD-axis sites');
      // The whole objective with particle k's densities at other values, every parameter fixed.
      const others = (T: Tracer, v: Tracer) =>
        P.where(
          P.constant(
            Array.from({ length: K }, (_, j) => j === k),
            'bool',
          ),
          P.reshape(v, [1]),
          sg(T),
        );
      const Fk = (values: ReadonlyMap<string, Tracer>) => {
        const lp = totalOf(scoreModel(prog.model, sgAll(theta), values));
        const lq = totalOf(scoreGuide(prog.guide, sgAll(phi), values));
        return P.sum(evaluate(obj.body, others(P.reshape(LP, [K]), lp), others(P.reshape(LQ, [K]), lq)));
      };
      for (const l of pt.g.locals) terms.push(localTerm(l, pt.g.values, Fk));
    });
    for (const pt of parts)
      for (const m of pt.g.mvds) terms.push(mvdTerm([expectation(F, layout, logW, m.dim)], m, layout));
    parts.forEach((pt, k) => {
      for (const s of pt.g.scores) {
        let b: Tracer = P.zeros([]);
        if (s.baseline === 'mean') {
          b = baselineState(s);
          newBaselines[s.site] = P.add(P.mul(decay, b), P.mul(1 - decay, sg(value)));
        }
        if (s.baseline === 'loo') {
          if (K < 2) throw new Error(`site ${s.site}: a leave-one-out baseline needs samples >= 2`);
          // The objective with particle k's log densities replaced by the mean of the others'.
          const others = (T: Tracer) => {
            const mask = P.constant(
              Array.from({ length: K }, (_, j) => (j === k ? 0 : 1)),
              'float64',
            );
            const m = P.div(P.sum(P.mul(T, mask), -1, true), K - 1);
            return P.where(
              P.constant(
                Array.from({ length: K }, (_, j) => j === k),
                'bool',
              ),
              m,
              T,
            );
          };
          b = expectation(evaluate(obj.body, sg(others(LP)), sg(others(LQ))), layout, logW && sg(logW));
        }
        terms.push(scoreTerm(s, P.sub(value, b)));
      }
    });
  }
  const surrogate = terms.reduce((a, t) => P.add(a, t), value);
  return { value, surrogate, baselines: newBaselines, plan: parts[0]!.g.plan };
}

/**
 * The doubly reparameterized IWAE gradient (Tucker, Lawson, Gu & Maddison 2018), for guides
 * whose sites are all reparameterized: phi's gradient is sum_k w~_k^2 d log w_k / dz dz/dphi (log q
 * scored with phi held fixed), theta's the plain IWAE gradient sum_k w~_k grad log p_k.
 */
function dreg(
  prog: VIProgram,
  obj: Objective,
  theta: readonly Tracer[],
  phi: readonly Tracer[],
  parts: Particle[],
): { value: Tracer; surrogate: Tracer } {
  const b = obj.body;
  if (!(b.op === 'logmeanexp' && b.a.op === 'sub' && b.a.a.op === 'logp' && b.a.b.op === 'logq'))
    throw new Error('the DReG gradient is defined for the IWAE objective');
  const total = (fs: Factor[]) => fs.reduce<Tracer>((a, f) => P.add(a, P.sum(f.lp)), P.zeros([]));
  for (const pt of parts) {
    if (pt.g.enumLogq.length || pt.g.scores.length || pt.g.mvds.length)
      throw new Error('the DReG gradient needs every guide site reparameterized');
  }
  const lw = P.stack(parts.map((pt) => P.sub(total(pt.p), total(pt.g.factors))));
  const K = parts.length;
  const value = P.sub(P.logsumexp(lw), Math.log(K));
  const wt = sg(P.softmax(lw));
  const phiPath = P.stack(
    parts.map((pt) =>
      P.sub(
        total(scoreModel(prog.model, sgAll(theta), pt.g.values)),
        total(scoreGuide(prog.guide, sgAll(phi), pt.g.values)),
      ),
    ),
  );
  const detached = (pt: Particle) => new Map([...pt.g.values].map(([k, v]) => [k, sg(v)]));
  const thetaPath = P.stack(parts.map((pt) => total(scoreModel(prog.model, theta, detached(pt)))));
  const s = P.add(P.sum(P.mul(P.square(wt), phiPath)), P.sum(P.mul(wt, thetaPath)));
  return { value, surrogate: P.add(sg(value), P.sub(s, sg(s))) };
}

/**
 * One importance log weight log p(x, z) - log q(z) at a draw z ~ q, every site detached: draws
 * of it feed the Pareto k-hat check (psis.ts).
 */
export function logWeight(
  prog: VIProgram,
  theta: readonly Tracer[],
  phi: readonly Tracer[],
  key: Tracer,
  plateRank = 1,
): Tracer {
  const g = runGuide(prog.guide, phi, key, new DimLayout(plateRank), { linear: true, samples: 1, pathwise: false });
  const total = (fs: Factor[]) => fs.reduce<Tracer>((a, f) => P.add(a, P.sum(f.lp)), P.zeros([]));
  return P.sub(total(scoreModel(prog.model, theta, g.values)), total(g.factors));
}
