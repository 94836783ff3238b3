// `infer vi` for programs with discrete latents (`param z: int[N]`, drawn `z ~ Bernoulli(...)` in
// the model): the general estimator path. The guide is automatic. The continuous params get a
// Gaussian family (mean_field or full_rank) around the initial point. Every element of a
// discrete latent gets its own Bernoulli guide, whose logit is a variational parameter (start 0).
// The model is one lowered log density, not a product of per-site factors, so the estimators
// here are the flat forms of stdlib/vi/estimate.ts's local rules, per discrete site s:
//   reinforce  score term (log q_s(z_s) - stop) * stop(signal - baseline); the baseline is
//              none, a running mean of the signal (the graph's third output; the host carries it
//              between steps and in checkpoints), or leave-one-out over the K particles (for
//              IWAE: VIMCO's, the left-out log weight replaced by the mean of the others).
//   enum, mvd  local expectation (Titsias & Lazaro-Gredilla 2015), the weak derivative of each
//              element: sum_j (p_j - stop p_j) * stop(F(z_j = 1) - F(z_j = 0)), with F the
//              particle's objective at its other choices as drawn. Exact in element j, 2 model
//              evaluations per element (one scan). For a model whose log density is a sum over
//              elements (a mixture) this is the gradient of the per-element enumeration.
// Continuous params are reparameterized. The discrete draws carry no gradient. Every rule is
// unbiased, so mixing them is too (tests/estimators/discrete_compiled.test.ts).
// Objectives: linear ones (the ELBO) take each particle's own log weight as its signal; the
// others (IWAE, ...) take the objective's estimate, with leave-one-out baselines, and do not
// admit enum/mvd (their particles are coupled).

import { ops as P, trace, valueAndGrad, type Graph, type Tracer } from '../../runtime/index.js';
import { affine, evaluate, type Objective } from '../../stdlib/index.js';
import { chooseEstimator, estimatorName, type Estimator } from '../../stdlib/index.js';
import { objectiveInfo } from '../../stdlib/index.js';
import { gaussianFamily, type GaussianFamily } from '../../stdlib/index.js';
import { defaultSpec } from '../front/distribution_names.js';
import type { CompiledProgram } from '../compile.js';
import { LowerError, type LV } from '../lower/lower.js';
import { siteSamples } from '../analysis/site_plan.js';

export interface DiscreteSite {
  name: string;
  shape: number[];
  size: number;
  /** Support size: 2 for Bernoulli (one logit per element), K for Categorical (K logits per
   * element, values 0..K-1). */
  K: number;
  /** Whether the model draws it from a Categorical (else Bernoulli). */
  categorical: boolean;
  /** Offset of the site's logits in phi (after the continuous family's parameters). */
  offset: number;
  estimator: Estimator;
}

export interface DiscreteVi {
  /** Variational parameters: the Gaussian family's, then per latent element one logit
   * (Bernoulli) or K logits (Categorical). */
  m: number;
  phi0: Float64Array;
  sites: DiscreteSite[];
  /** Whether a running-mean baseline is carried between steps. */
  usesBaseline: boolean;
  /** (phi, key, baseline, ...data) -> [estimate, d/dphi, signal (for the running mean)]. */
  gradGraph: Graph;
  /** (phi, key, ...data) -> the ELBO from K particles (no gradient). */
  elboGraph(K: number): Graph;
  /** (phi, key, ...data) -> per draw: each param (constrained), each latent, each generate output. */
  drawGraph(D: number): { graph: Graph; names: () => { name: string; shape: number[] }[] };
}

const logBernoulli = (logits: Tracer, z: Tracer) =>
  P.sum(P.add(P.mul(z, P.logSigmoid(logits)), P.mul(P.sub(1, z), P.logSigmoid(P.neg(logits)))));
/** log q of a Categorical guide: logits [..., K], z [...] (float values 0..K-1). */
const logCategorical = (logits: Tracer, z: Tracer, K: number) =>
  P.sum(P.where(P.eq(P.expandDims(z, -1), P.iota([K], 0, 'float64')), P.logSoftmax(logits, -1), 0));

export function discreteVi(compiled: CompiledProgram, guide: string, obj: Objective): DiscreteVi {
  const { kit, layout } = compiled.internals;
  if (guide !== 'mean_field' && guide !== 'full_rank')
    throw new LowerError(
      compiled.checked.infer!.span,
      `a program with discrete latents takes guide = mean_field or full_rank (the continuous params' family); \`${guide}\` is not supported with them`,
    );
  const family: GaussianFamily = gaussianFamily(guide);
  const n = layout.n;
  const x0 = compiled.initialPoint(compiled.seed);
  const dataSpecs = kit.specs.slice(1) as Parameters<typeof trace>[1];

  // Latent shapes are compile-time numbers (int data); evaluate them in a throwaway trace.
  // So is a Categorical latent's K, the last axis of its distribution's parameter: read from the
  // model's draw, lowered at the initial point.
  let shapes: { name: string; shape: number[] }[] = [];
  const support = new Map<string, { K: number; categorical: boolean }>();
  trace((...data: Tracer[]) => {
    const { env, low } = kit.setup(data, P.constant(new Int32Array([0, 0]), 'int32', [2]));
    shapes = kit.latentShapes(env, low);
    const names = new Set(shapes.map((x) => x.name));
    low.onSample = (name, dist) => {
      if (!names.has(name) || support.has(name)) return;
      const categorical = dist.spec.family === 'Categorical';
      support.set(name, { K: categorical ? dist.params[0]!.shape[dist.params[0]!.rank - 1]! : 2, categorical });
    };
    kit.unpack(P.constant(x0), env, low);
    kit.modelLogp(env, low);
    low.onSample = undefined;
    return P.zeros([]);
  }, dataSpecs);
  if (obj.gradient !== 'standard')
    throw new LowerError(
      compiled.checked.infer!.span,
      `\`grad = ${obj.gradient}\` is for reparameterized guides; a program with discrete latents takes the standard gradient (drop \`grad\`)`,
    );
  const info = objectiveInfo(obj);
  const vias = new Map(siteSamples(compiled.checked).map((e) => [e.site, e.via]));
  let offset = family.size(n);
  const sites: DiscreteSite[] = shapes.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const { K, categorical } = support.get(s.name) ?? { K: 2, categorical: false };
    const est = chooseEstimator(
      {
        site: s.name,
        dist: defaultSpec(categorical ? 'Categorical' : 'Bernoulli'),
        supportSize: K,
        batchSize: size,
        via: vias.get(s.name),
      },
      info,
    ).estimator;
    const site = { name: s.name, shape: s.shape, size, K, categorical, offset, estimator: est };
    offset += categorical ? size * K : size;
    return site;
  });
  for (const s of sites) {
    if ((s.estimator.kind === 'enum' || s.estimator.kind === 'mvd') && !info.linear) {
      throw new LowerError(
        compiled.checked.infer!.span,
        `\`${s.name}\` via ${estimatorName(s.estimator)} needs a linear objective such as the ELBO; under ${obj.name} the particles are coupled: use reinforce`,
      );
    }
    if (s.estimator.kind === 'reparam')
      throw new LowerError(
        compiled.checked.infer!.span,
        `\`${s.name}\` is discrete and cannot be reparameterized; use enumerate, mvd or reinforce`,
      );
  }
  const m = offset;
  const logQ = (s: DiscreteSite, logits: Tracer, z: Tracer) =>
    s.categorical ? logCategorical(logits, z, s.K) : logBernoulli(logits, z);
  const usesBaseline = sites.some((s) => s.estimator.kind === 'reinforce' && s.estimator.baseline === 'mean');
  const phi0 = new Float64Array(m);
  phi0.set(family.init(n, identity(n)).subarray(0, family.size(n)));

  /** One particle's continuous draw, discrete draws, and their log q. */
  const drawParticle = (phi: Tracer, key: Tracer, pathwise: boolean) => {
    const [kc, kd] = P.splitKey(key, 2);
    const phiC = P.slice(phi, [0], [family.size(n)]);
    const src = pathwise ? phiC : P.stopGradient(phiC);
    const noise = family.noise(n);
    const w = family.sample(src, noise ? P.normal(kc!, [noise]) : P.zeros([0]), n);
    const lqc = family.logq!(phiC, w, n);
    const dk = sites.length ? P.splitKey(kd!, Math.max(2, sites.length)) : [];
    const zs = sites.map((s, i) => {
      if (s.categorical) {
        // Gumbel-max on the stopped logits.
        const logits = P.reshape(P.slice(phi, [s.offset], [s.offset + s.size * s.K]), [...s.shape, s.K]);
        const u = P.uniform(dk[i]!, [...s.shape, s.K]);
        const gumbel = P.neg(P.log(P.neg(P.log(P.add(P.mul(u, 1 - 1e-12), 1e-300)))));
        return { logits, z: P.cast(P.argmax(P.add(P.stopGradient(logits), gumbel), -1), 'float64') };
      }
      const logits = P.reshape(P.slice(phi, [s.offset], [s.offset + s.size]), s.shape);
      return { logits, z: P.cast(P.lt(P.uniform(dk[i]!, s.shape), P.stopGradient(P.sigmoid(logits))), 'float64') };
    });
    return { u: P.add(P.constant(x0), w), lqc, zs };
  };
  /** log p(u, z) + log|J| - log q(u) - log q(z), the particle's log weight, at given z. */
  const logWeight = (u: Tracer, lqc: Tracer, zs: { logits: Tracer; z: Tracer }[], key: Tracer, data: Tracer[]) => {
    const { env, low } = kit.setup(data, key);
    const latents = new Map(sites.map((s, i) => [s.name, zs[i]!.z]));
    const logJac = kit.unpack(u, env, low, latents);
    const lp = P.add(kit.modelLogp(env, low), logJac);
    const lqd = zs.reduce<Tracer>((a, x, i) => P.add(a, logQ(sites[i]!, x.logits, x.z)), P.zeros([]));
    return { lp, lq: P.add(lqc, lqd) };
  };
  /** The local-expectation term of one site for one particle: sum_j sum_k (p_jk - stop p_jk) *
   * stop(F(z_j = k) - F(z_j = 0)), K model evaluations per element (for Bernoulli, the k = 1
   * term alone, as sum_k p_jk = 1). */
  const localTerm = (
    s: DiscreteSite,
    i: number,
    u: Tracer,
    lqc: Tracer,
    zs: { logits: Tracer; z: Tracer }[],
    key: Tracer,
    data: Tracer[],
  ) => {
    const flatZ = P.reshape(zs[i]!.z, [s.size]);
    const diffs = P.scan(
      (_c, [e]) => {
        const at = (v: number) => {
          const zj = P.add(P.mul(flatZ, P.sub(1, e!)), P.mul(e!, v));
          const zz = zs.map((x, k) => (k === i ? { logits: x.logits, z: P.reshape(zj, s.shape) } : x));
          const r = logWeight(
            P.stopGradient(u),
            P.stopGradient(lqc),
            zz.map((x) => ({ logits: P.stopGradient(x.logits), z: x.z })),
            key,
            data,
          );
          return P.sub(r.lp, r.lq);
        };
        if (!s.categorical) return [[], [P.sub(at(1), at(0))]];
        const f0 = at(0);
        return [[], [P.stack(Array.from({ length: s.K }, (_, k) => (k === 0 ? P.zeros([]) : P.sub(at(k), f0))))]];
      },
      [],
      [P.constant(identity(s.size), 'float64', [s.size, s.size])],
    ).ys[0]!;
    const p = s.categorical
      ? P.softmax(P.reshape(zs[i]!.logits, [s.size, s.K]), -1)
      : P.sigmoid(P.reshape(zs[i]!.logits, [s.size]));
    return P.sum(P.mul(P.sub(p, P.stopGradient(p)), P.stopGradient(diffs)));
  };

  const gradGraph = trace(
    (phi: Tracer, key: Tracer, baseline: Tracer, ...data: Tracer[]) => {
      const surrogateOf = (ph: Tracer) => {
        const { ys } = P.scan(
          (_c, [k]) => {
            const [kq, kp] = P.splitKey(k!, 2);
            const d = drawParticle(ph, kq!, obj.pathwise);
            const { lp, lq } = logWeight(d.u, d.lqc, d.zs, kp!, data);
            const lqs = d.zs.map((x, i) => logQ(sites[i]!, x.logits, x.z));
            const locals = sites.map((s, i) =>
              s.estimator.kind === 'enum' || s.estimator.kind === 'mvd'
                ? localTerm(s, i, d.u, d.lqc, d.zs, kp!, data)
                : P.zeros([]),
            );
            return [[], [lp, lq, ...lqs, ...locals]];
          },
          [],
          [P.splitKeys(key, obj.samples)],
        );
        const [lp, lq] = [ys[0]!, ys[1]!];
        const lqs = ys.slice(2, 2 + sites.length);
        const locals = ys.slice(2 + sites.length);
        const value = evaluate(obj.body, lp, lq);
        const K = obj.samples;
        const lw = P.stopGradient(P.sub(lp, lq));
        // The signal each particle's score multiplies: its own log weight for a linear objective
        // (particles are independent), the whole estimate otherwise.
        const linear = affine(obj.body) !== null;
        const signal = linear ? lw : P.broadcastTo(P.stopGradient(value), [K]);
        let surrogate = value;
        sites.forEach((s, i) => {
          const e = s.estimator;
          if (e.kind === 'reinforce') {
            let b: Tracer = P.zeros([K]);
            if (e.baseline === 'mean') b = P.broadcastTo(baseline, [K]);
            else if (e.baseline === 'loo' && K > 1)
              b = linear ? P.div(P.sub(P.sum(lw), lw), K - 1) : leaveOneOut(obj, lw, K);
            const score = P.sub(lqs[i]!, P.stopGradient(lqs[i]!));
            surrogate = P.add(surrogate, P.div(P.sum(P.mul(score, P.stopGradient(P.sub(signal, b)))), linear ? K : 1));
          } else if (e.kind === 'enum' || e.kind === 'mvd') {
            surrogate = P.add(surrogate, P.mean(locals[i]!));
          }
        });
        return { surrogate, signal: P.mean(signal) };
      };
      const [v, [g]] = valueAndGrad((ph: Tracer) => surrogateOf(ph).surrogate)(phi);
      // The signal cannot leave the differentiated function (no auxiliary outputs), so a running
      // mean pays one more forward pass, with the same key (the same particles).
      const signal = usesBaseline ? surrogateOf(P.stopGradient(phi)).signal : P.zeros([]);
      return [v, g!, signal];
    },
    [[m], { shape: [2], dtype: 'int32' }, [], ...(dataSpecs as unknown[])] as Parameters<typeof trace>[1],
  );

  const elboGraph = (K: number) =>
    trace(
      (phi: Tracer, key: Tracer, ...data: Tracer[]) => {
        const { carry } = P.scan(
          (c, [k]) => {
            const [kq, kp] = P.splitKey(k!, 2);
            const d = drawParticle(phi, kq!, true);
            const { lp, lq } = logWeight(d.u, d.lqc, d.zs, kp!, data);
            return [[P.add(c[0]!, P.sub(lp, lq))], []];
          },
          [P.zeros([])],
          [P.splitKeys(key, K)],
        );
        return P.div(carry[0]!, K);
      },
      [[m], { shape: [2], dtype: 'int32' }, ...(dataSpecs as unknown[])] as Parameters<typeof trace>[1],
    );

  const drawGraph = (D: number) => {
    let genNames: { name: string; shape: number[] }[] = [];
    const graph = trace(
      (phi: Tracer, key: Tracer, ...data: Tracer[]) => {
        const { ys } = P.scan(
          (_c, [k]) => {
            const [kq, kg] = P.splitKey(k!, 2);
            const d = drawParticle(phi, kq!, true);
            const { env, low } = kit.setup(data, kg!);
            kit.unpack(d.u, env, low, new Map(sites.map((s, i) => [s.name, d.zs[i]!.z])));
            const vals = layout.entries.map((e) => low.real((env.get(e.name) as { v: LV }).v, e.decl.span));
            const gen = kit.generate(env, low);
            genNames = gen.map((x) => ({ name: x.name, shape: [...x.value.shape] }));
            return [[], [...vals, ...d.zs.map((x) => x.z), ...gen.map((x) => x.value)]];
          },
          [],
          [P.splitKeys(key, D)],
        );
        return ys;
      },
      [[m], { shape: [2], dtype: 'int32' }, ...(dataSpecs as unknown[])] as Parameters<typeof trace>[1],
    );
    return { graph, names: () => genNames };
  };

  return { m, phi0, sites, usesBaseline, gradGraph, elboGraph, drawGraph };
}

/** VIMCO's baselines: the estimate with particle k's log weight replaced by the others' mean. */
function leaveOneOut(obj: Objective, lw: Tracer, K: number): Tracer {
  const others = P.div(P.sub(P.sum(lw), lw), K - 1);
  const eye = P.constant(identity(K), 'float64', [K, K]);
  // Row k: lw with entry k replaced by others[k].
  const rows = P.add(
    P.mul(P.broadcastTo(P.reshape(lw, [1, K]), [K, K]), P.sub(1, eye)),
    P.mul(eye, P.reshape(others, [K, 1])),
  );
  return P.stopGradient(evaluate(obj.body, rows, P.zeros([K, K])));
}

function identity(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  return a;
}
