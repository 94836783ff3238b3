// The start of the automatic Gaussian guides (docs/inference.md, "The start"): candidate
// Gaussians along the MAP path (stdlib/vi/laplace.ts laplacePath: the Laplace approximation at
// the mode and local approximations at earlier points, from exact Hessians on float64 ref) and
// the plain start (sd 1 around the initial point, as Stan's ADVI), each turned into the guide
// family's start (stdlib/vi/whitening.ts; mean-field takes the precision's diagonal). Every
// candidate is scored by its ELBO on the same M draws (common random numbers) and the best one
// wins, so a mode at the neck of a funnel, a saddle or an unfinished MAP search cannot trap the
// fit. The chosen whitening fixes the guide's coordinates for the whole run.

import { simplify, trace, type Tracer } from '../../runtime/index.js';
import {
  gaussianWhitening,
  laplacePath,
  plainWhitening,
  type GaussianFamily,
  type GuideName,
  type PathCandidate,
  type Whitening,
} from '../../stdlib/index.js';
import type { CompiledProgram } from '../compile.js';
import { autoEngine, type ViEngine } from '../lower/vi_graphs.js';
import { prepare } from './backend_seam.js';
import { negHessianExe } from './vi_diagnostics.js';

/** The MAP path is skipped above this many unconstrained coordinates (n x n Hessians). */
export const MAX_LAPLACE_DIM = 400;
/** Draws behind each candidate's ELBO. */
export const START_DRAWS = 32;
/** Path points that get a Hessian, as a budget of Hessian rows (n per point), at least 2 points. */
const HESSIAN_ROWS = 4000;
const MAX_POINTS = 8;

export interface ChosenStart {
  engine: ViEngine;
  phi0: Float64Array;
  W: Whitening;
  /** For diagnostics.start. */
  info: Record<string, unknown>;
}

interface Scored {
  W: Whitening;
  name: string;
  phi0: Float64Array;
  elbo: number;
}

export async function automaticStart(
  compiled: CompiledProgram,
  family: GaussianFamily,
  guide: GuideName,
  x0: Float64Array,
  key: Int32Array,
): Promise<ChosenStart> {
  const { kit, layout, dataArrays } = compiled.internals;
  const n = layout.n;
  const kind = guide === 'full_rank' ? 'full' : 'diag';
  let path: Record<string, unknown> = {
    ok: false,
    message: n > MAX_LAPLACE_DIM ? `skipped: more than ${MAX_LAPLACE_DIM} coordinates` : 'no parameters',
  };
  const plain = { W: plainWhitening(x0, 1, kind), name: 'plain' };
  const scores: Record<string, number | null> = {};
  const pick: { best: Scored | null } = { best: null };
  const consider = (cs: { W: Whitening; name: string }[]) => {
    for (const c of cs) {
      const r = score(c.W);
      scores[c.name] = Number.isFinite(r.elbo) ? r.elbo : null;
      if (Number.isFinite(r.elbo) && (!pick.best || r.elbo > pick.best.elbo)) pick.best = { ...c, ...r };
    }
  };

  // Every candidate's start is scored by its ELBO on the same draws.
  const template = autoEngine(kit, layout, family, plain.W);
  const dataSpecs = kit.specs.slice(1);
  const specs = [[family.size(n)], { shape: [2], dtype: 'int32' }, ...template.extraSpecs, ...dataSpecs] as Parameters<
    typeof trace
  >[1];
  const ne = template.extraSpecs.length;
  const g = trace(
    (phi: Tracer, k: Tracer, ...rest: Tracer[]) =>
      template.terms(phi, k, rest.slice(0, ne), rest.slice(ne), START_DRAWS),
    specs,
  );
  const exe = await prepare(simplify(g), 'ref', 2 + ne, dataArrays);
  const score = (W: Whitening) => {
    const phi0 = family.init(n, W);
    const t = exe.run([
      { data: phi0, shape: [phi0.length] },
      { data: key, shape: [2] },
      { data: W.shift, shape: [n] },
      { data: W.a, shape: W.kind === 'full' ? [n, n] : [n] },
    ])[0]!.data;
    let s = 0;
    for (const v of t) s += v;
    return { phi0, elbo: s / t.length + W.logDet };
  };

  if (n > 0 && n <= MAX_LAPLACE_DIM && compiled.logDensity) {
    const ld = compiled.logDensity;
    const neg = {
      n,
      evaluate(x: Float64Array) {
        const r = ld.evaluate(x, 0);
        return { f: -r.f, g: r.g.map((v) => -v) };
      },
    };
    const hexe = await negHessianExe(compiled);
    const hess = (x: Float64Array) => Float64Array.from(hexe.run([{ data: x, shape: [n] }])[0]!.data);
    // The Laplace approximation at the mode first; only when the plain start beats it (a funnel's
    // neck, a saddle, a flat direction) do earlier points of the path get their Hessians.
    const points = guide === 'delta' ? 1 : Math.max(2, Math.min(MAX_POINTS, Math.floor(HESSIAN_ROWS / n)));
    const r = laplacePath(neg, x0, hess, { points, lazy: true });
    path = { ok: r.ok, steps: r.steps, message: r.message, points: r.points };
    const named = (c: PathCandidate) => ({
      W: gaussianWhitening(c, guide),
      name: c.mode ? 'laplace' : `${c.newton ? 'newton' : 'path'}(${c.at})`,
    });
    consider([...r.candidates.map(named), plain]);
    if (guide !== 'delta' && pick.best?.name !== 'laplace' && r.more) {
      path.explored = true;
      consider(r.more().map(named));
    }
  } else consider([plain]);
  const chosen: Scored = pick.best ?? { ...plain, ...score(plain.W) };
  return {
    engine: autoEngine(kit, layout, family, chosen.W),
    phi0: chosen.phi0,
    W: chosen.W,
    info: { kind: chosen.name, elbo: Number.isFinite(chosen.elbo) ? chosen.elbo : null, candidates: scores, map: path },
  };
}
