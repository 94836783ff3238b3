// The fit checks `infer vi` runs after optimization, on by default (docs/inference.md,
// "Diagnostics"):
//   khat          Pareto k-hat (stdlib/vi/psis.ts) of the importance weights p/q of KHAT_DRAWS
//                 draws from the fitted guide; above 0.7 the guide misses posterior mass and
//                 importance-weighted estimates from it are unreliable: a warning says so.
//   correlations  for a mean-field guide, the Laplace approximation at the fitted mean (the
//                 negative Hessian of the unconstrained log density there) and its pairs with
//                 |rho| > 0.9 (stdlib/vi/correlation.ts): the guide treats them as independent,
//                 so each pair is a warning suggesting `full_rank`.
// Both run on float64 ref with their own key (derived from the seed), so they never change the
// fit and are identical on rerun.

import { inline } from '../../runtime/index.js';
import { hessian, ops as P, simplify, trace, type Tracer } from '../../runtime/index.js';
import { eigh } from '../../runtime/index.js';
import { correlatedPairs, covarianceFromPrecision } from '../../stdlib/index.js';
import { paretoKHat } from '../../stdlib/index.js';
import { prepare, type Executable } from './backend_seam.js';
import type { CompiledProgram } from '../compile.js';
import { messageAt, fileMessage, type Message } from '../messages.js';
import type { ViEngine } from '../lower/vi_graphs.js';

/** Guide draws behind k-hat. */
export const KHAT_DRAWS = 1000;
export const KHAT_WARN = 0.7;
/** The correlation check's Hessian is n x n; above this many coordinates it is skipped. */
export const CORRELATION_MAX_DIM = 400;

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
function coordinateNames(compiled: CompiledProgram): string[] {
  const names: string[] = [];
  for (const e of compiled.internals.layout.entries) {
    if (e.size === 1 && e.shape.length === 0) names.push(e.name);
    else for (let i = 0; i < e.size; i++) names.push(`${e.name}[${i}]`);
  }
  return names;
}

export async function fitDiagnostics(
  compiled: CompiledProgram,
  engine: ViEngine,
  phi: Float64Array,
  guide: string,
  key: Int32Array,
  dataSpecs: unknown[],
): Promise<{ diagnostics: Record<string, unknown>; messages: Message[] }> {
  const messages: Message[] = [];
  const warn = (message: string, hint?: string) =>
    messages.push(
      compiled.anchor
        ? messageAt('warning', compiled.anchor, message, hint)
        : fileMessage('warning', compiled.file, message, hint),
    );
  const diagnostics: Record<string, unknown> = {};
  const ne = engine.extraSpecs.length;
  const specs = [[phi.length], { shape: [2], dtype: 'int32' }, ...engine.extraSpecs, ...dataSpecs] as Parameters<
    typeof trace
  >[1];
  const inputs = [{ data: phi, shape: [phi.length] }, { data: key, shape: [2] }, ...engine.extras];

  if (engine.particles) {
    const particles = engine.particles;
    const g = trace((ph: Tracer, k: Tracer, ...rest: Tracer[]) => {
      const { lp, lq } = particles(ph, k, rest.slice(0, ne), rest.slice(ne), KHAT_DRAWS, true);
      return P.sub(lp, lq);
    }, specs);
    const exe = await prepare(simplify(g), 'ref', 2 + ne, compiled.internals.dataArrays);
    const k = paretoKHat(exe.run(inputs)[0]!.data);
    diagnostics.khat = Number.isFinite(k.khat) ? k.khat : k.khat === -Infinity ? 0 : null;
    diagnostics.khat_draws = KHAT_DRAWS;
    if (!(k.khat < KHAT_WARN)) {
      warn(
        `Pareto k-hat of the guide's importance weights is ${Number.isFinite(k.khat) ? k.khat.toFixed(2) : 'undefined'} (> ${KHAT_WARN}): the guide misses posterior mass, so its summaries and importance-weighted estimates are unreliable`,
        "use a richer guide (full_rank), more steps, or check the model's parameterization",
      );
    }
  }

  const n = compiled.internals.layout.n;
  if (guide === 'mean_field' && engine.mean && n >= 2 && n <= CORRELATION_MAX_DIM && compiled.graphs.logDensity) {
    const mean = engine.mean;
    const g = trace((ph: Tracer, _k: Tracer, ...rest: Tracer[]) => mean(ph, rest.slice(0, ne)), specs);
    const z = (await prepare(simplify(g), 'ref', 2 + ne, compiled.internals.dataArrays)).run(inputs)[0]!.data;
    const H = (await negHessianExe(compiled)).run([{ data: Float64Array.from(z), shape: [n] }])[0]!.data;
    const names = coordinateNames(compiled);
    const prec = Float64Array.from(H);
    // Where the log density is not concave (a funnel's neck) there is no Laplace approximation:
    // floored eigenvalues would make every correlation +-1, so say so instead of warning.
    // (A tiny positive eigenvalue is a genuine, strong correlation: kilpisjarvi's is ~1e-12 of
    // the largest.)
    const { w } = eigh(prec, 1, n);
    if (!(Math.min(...w) > 0)) {
      diagnostics.correlations = null;
      diagnostics.correlation_note =
        'the log density is not strictly concave at the fitted mean, so it has no Laplace approximation there; no correlation check';
      return { diagnostics, messages };
    }
    const pairs = correlatedPairs(covarianceFromPrecision(prec, n), n, names);
    diagnostics.correlations = pairs.slice(0, 10).map((p) => ({ a: names[p.i], b: names[p.j], rho: p.rho }));
    for (const p of pairs.slice(0, 3)) warn(p.message);
    if (pairs.length > 3)
      warn(`${pairs.length - 3} more pairs have |rho| > 0.9 (diagnostics.correlations)`, 'use guide = full_rank');
  }
  return { diagnostics, messages };
}
