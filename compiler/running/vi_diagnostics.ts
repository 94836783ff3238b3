// The fit checks `infer vi` runs after optimization, always (docs/inference.md, "Diagnostics"):
//   khat          Pareto k-hat (stdlib/vi/psis.ts) of the importance weights p/q of the posterior
//                 draws (at least KHAT_DRAWS). Below 0.7 the summaries are Pareto-smoothed
//                 importance-weighted (PSIS) estimates from the guide's draws (Yao, Vehtari,
//                 Simpson & Gelman 2018), which removes most of a guide's bias; below 0.5 the
//                 weights are good, 0.5 to 0.7 usable; above 0.7 the guide misses posterior mass,
//                 the weights cannot repair it, the summaries are the guide's own, and a warning
//                 names the remedy.
//   collinearity  mean-field guides: the Laplace approximation at the fitted mean and the ratio
//                 of each coordinate's mean-field sd to its marginal sd, 1 / sqrt(VIF)
//                 (stdlib/vi/correlation.ts). Where it is below 0.8 a mean-field guide cannot
//                 represent the posterior's dependence and underestimates its spread: a warning
//                 names the worst coordinates and advises full_rank (or low_rank when n is large).
//   budget        a fit that ended at the step budget with the ELBO still rising beyond its noise
//                 (the stopping rule's last check) warns that it has not converged.
// Everything runs on float64 ref with keys derived from the seed, so it never changes the fit
// and is identical on rerun.

import { inline } from '../../runtime/index.js';
import { hessian, ops as P, simplify, trace, type Tracer } from '../../runtime/index.js';
import { eigh } from '../../runtime/index.js';
import { collinearity, correlatedPairs, covarianceFromPrecision } from '../../stdlib/index.js';
import type { Weighing } from './infer_draws.js';
import { prepare, type Executable } from './backend_seam.js';
import type { CompiledProgram } from '../compile.js';
import { messageAt, fileMessage, type Message } from '../messages.js';
import type { ViEngine } from '../lower/vi_graphs.js';

/** k-hat thresholds (Vehtari et al.): good below 0.5, usable below 0.7. */
export const KHAT_GOOD = 0.5;
export const KHAT_WARN = 0.7;
/** The collinearity check's Hessian is n x n; above this many coordinates it is skipped. */
export const CORRELATION_MAX_DIM = 400;
/** Mean-field sd over marginal sd below which the collinearity check warns. */
export const SD_RATIO_WARN = 0.8;
/** Above this many coordinates the advice is low_rank rather than full_rank. */
const FULL_RANK_ADVICE_DIM = 100;

/** (z) -> -Hessian of the unconstrained log density at z, on ref (exact; minibatches in full). */
export async function negHessianExe(compiled: CompiledProgram): Promise<Executable> {
  const g = compiled.graphs.logDensity!;
  const hg = simplify(
    trace(
      (theta: Tracer, ...data: Tracer[]) => P.neg(hessian((t: Tracer) => inline(g, [t, ...data])[0]!)(theta)),
      g.inAvals,
    ),
  );
  return prepare(hg, 'ref', 1, compiled.internals.dataArrays);
}

/** Names of the unconstrained coordinates: `beta[2]`, or the param's name when scalar. */
export function coordinateNames(compiled: CompiledProgram): string[] {
  const names: string[] = [];
  for (const e of compiled.internals.layout.entries) {
    if (e.size === 1 && e.shape.length === 0) names.push(e.name);
    else for (let i = 0; i < e.size; i++) names.push(`${e.name}[${i}]`);
  }
  return names;
}

export interface FitChecks {
  diagnostics: Record<string, unknown>;
  messages: Message[];
}

const fmtK = (k: number | null) => (k === null ? 'undefined' : k.toFixed(2));

export async function fitDiagnostics(
  compiled: CompiledProgram,
  engine: ViEngine,
  phi: Float64Array,
  guide: string,
  weighing: Weighing,
  fit: { rising: { gain: number; se: number } | null; steps: number },
  dataSpecs: unknown[],
  toPosterior = true,
): Promise<FitChecks> {
  const messages: Message[] = [];
  const warn = (message: string, hint?: string) =>
    messages.push(
      compiled.anchor
        ? messageAt('warning', compiled.anchor, message, hint)
        : fileMessage('warning', compiled.file, message, hint),
    );
  const diagnostics: Record<string, unknown> = {};
  const n = compiled.internals.layout.n;
  const wideAdvice = n > FULL_RANK_ADVICE_DIM ? 'guide = low_rank (or full_rank)' : 'guide = full_rank';

  // ---- k-hat and the importance weights ----
  const k = weighing.khat;
  diagnostics.khat = k;
  diagnostics.khat_verdict = k === null ? null : k < KHAT_GOOD ? 'good' : k < KHAT_WARN ? 'ok' : 'bad';
  diagnostics.khat_proposal = weighing.khatProposal;
  diagnostics.khat_threshold = weighing.threshold;
  diagnostics.summaries = weighing.weights ? 'psis' : 'guide';
  if (weighing.ess !== null) diagnostics.psis_ess = weighing.ess;
  // A full-rank Gaussian's misses are the posterior's shape (skew, curvature), not the budget:
  // on gp_pois_regr the KL-optimal full-rank Gaussian itself has sds ~60 % too small
  // (docs/inference.md), so its remedy is another method or parameterization.
  const remedy =
    guide === 'mean_field'
      ? `use ${wideAdvice}, more steps, or a better-conditioned parameterization (e.g. non-centred)`
      : guide === 'full_rank'
        ? 'the posterior is not Gaussian on the unconstrained scale, so no Gaussian guide fits it: use `infer nuts`, a `guide { }` block, or a parameterization in which it is closer to Gaussian (centred or non-centred); more steps only if the fit did not converge'
        : 'use a richer guide, more steps, or a better-conditioned parameterization (e.g. non-centred)';
  if (k === null) diagnostics.khat_note = 'the guide has no density (delta): no importance weights';
  else if (!toPosterior)
    diagnostics.khat_note =
      'a user objective: the guide is its answer, not an approximation of the posterior, so its summaries are not importance-weighted and k-hat is for information';
  else if (!weighing.weights)
    warn(
      `Pareto k-hat of the guide's importance weights is ${fmtK(k)} (importance proposal ${fmtK(weighing.khatProposal)} >= ${weighing.threshold.toFixed(2)}): the guide misses posterior mass and importance weighting cannot repair it, so the posterior summaries (the guide's own) are unreliable`,
      remedy,
    );
  else if (k >= KHAT_WARN)
    warn(
      `Pareto k-hat of the guide's importance weights is ${fmtK(k)} (>= ${KHAT_WARN}): the guide misses posterior mass; the summaries are importance-weighted (PSIS, k-hat ${fmtK(weighing.khatProposal)} of the proposal), which repairs much of it, but check them`,
      remedy,
    );

  // ---- the budget ----
  if (fit.rising)
    warn(
      `the fit ended at the step budget (${fit.steps}) with the ELBO still rising (${fit.rising.gain.toFixed(3)} +- ${fit.rising.se.toFixed(3)} nats over the last window): the guide has not converged`,
      'raise `steps` (or --steps)',
    );

  // ---- collinearity (mean-field) ----
  if (guide === 'mean_field' && engine.mean && n >= 2 && n <= CORRELATION_MAX_DIM && compiled.graphs.logDensity) {
    const mean = engine.mean;
    const ne = engine.extraSpecs.length;
    const specs = [[phi.length], { shape: [2], dtype: 'int32' }, ...engine.extraSpecs, ...dataSpecs] as Parameters<
      typeof trace
    >[1];
    const g = trace((ph: Tracer, _k: Tracer, ...rest: Tracer[]) => mean(ph, rest.slice(0, ne)), specs);
    const inputs = [{ data: phi, shape: [phi.length] }, { data: new Int32Array(2), shape: [2] }, ...engine.extras];
    const z = (await prepare(simplify(g), 'ref', 2 + ne, compiled.internals.dataArrays)).run(inputs)[0]!.data;
    const prec = Float64Array.from(
      (await negHessianExe(compiled)).run([{ data: Float64Array.from(z), shape: [n] }])[0]!.data,
    );
    const names = coordinateNames(compiled);
    // Where the log density is not concave at the fitted mean (a funnel's neck) there is no
    // Laplace approximation; say so (k-hat still checks the fit).
    const { w } = eigh(prec, 1, n);
    if (!(Math.min(...w) > 0) || !prec.every(Number.isFinite)) {
      diagnostics.collinearity = null;
      diagnostics.collinearity_note =
        'the log density is not strictly concave at the fitted mean, so it has no Laplace approximation there; no collinearity check';
    } else {
      const c = collinearity(prec, n, SD_RATIO_WARN);
      const pairs = correlatedPairs(covarianceFromPrecision(prec, n), n, names);
      diagnostics.collinearity = {
        min_sd_ratio: Math.min(...c.sdRatio),
        condition: Number.isFinite(c.condition) ? c.condition : null,
        flagged: c.flagged.slice(0, 10).map((f) => ({ coordinate: names[f.i], sd_ratio: f.ratio })),
      };
      diagnostics.correlations = pairs.slice(0, 10).map((p) => ({ a: names[p.i], b: names[p.j], rho: p.rho }));
      // PSIS summaries with good weights (proposal k-hat < 0.5) have repaired the spread.
      const repaired = weighing.weights !== null && (weighing.khatProposal ?? 1) < KHAT_GOOD;
      if (c.flagged.length && repaired)
        diagnostics.collinearity_note =
          'the summaries are importance-weighted with good weights (k-hat < 0.5), which repairs the underestimated spread';
      if (c.flagged.length && !repaired) {
        const worst = c.flagged
          .slice(0, 3)
          .map(
            (f) =>
              `${names[f.i]} (${f.ratio >= 0.1 ? `${(100 * (1 - f.ratio)).toFixed(0)} % too small` : `${(1 / f.ratio).toPrecision(2)} times too small`})`,
          )
          .join(', ');
        const more = c.flagged.length > 3 ? ` and ${c.flagged.length - 3} more` : '';
        const pair = pairs[0]
          ? `; the strongest pair is ${names[pairs[0].i]}, ${names[pairs[0].j]} (rho ${pairs[0].rho.toFixed(3)})`
          : '';
        warn(
          `the posterior is collinear (Laplace correlation matrix condition number ${c.condition.toExponential(1)}): a mean-field guide underestimates the sd of ${worst}${more}${pair}`,
          `use ${wideAdvice}`,
        );
      }
    }
  }
  return { diagnostics, messages };
}
