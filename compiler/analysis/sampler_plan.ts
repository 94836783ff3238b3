// The plan `proxima check` prints for `infer nuts` / `infer hmc`: the sampler and its effective
// options, and every parameter the chains move on the unconstrained space with the transform
// that maps it there (the log-Jacobian of each is part of the density NUTS samples). Known
// without data; `refusal` says why the sampler cannot run the program (discrete latents), as
// the run would. Built from the same layout rule the run uses (lower/param_layout.ts).

import { printType } from '../../grammar/index.js';
import type { CheckedProgram } from '../front/check_program.js';
import type { AlgorithmChoice } from './analyze.js';

export interface SamplerPlan {
  method: string;
  options: Record<string, unknown>;
  parameters: { name: string; type: string; transform: string }[];
  refusal: string | null;
}

const SAMPLERS = new Set(['nuts', 'hmc']);

/** What each constrained family's transform is, in words. */
const FAMILY_TRANSFORMS: Record<string, string> = {
  simplex: 'simplex: stick-breaking (K - 1 unconstrained coordinates)',
  ordered: 'ordered: first value, then log differences',
  cholesky_corr: 'cholesky_corr: tanh of canonical partial correlations',
  cov: 'cov: Cholesky factor with a log diagonal',
};

export function samplerPlan(p: CheckedProgram, alg: AlgorithmChoice | null): SamplerPlan | null {
  if (!alg || alg.source !== 'infer' || !SAMPLERS.has(alg.name)) return null;
  const parameters: SamplerPlan['parameters'] = [];
  for (const d of p.decls) {
    if (d.kind !== 'param' || d.family === 'int' || d.family === 'bool') continue;
    const dom = d.decl.type.domain;
    let transform = 'identity';
    if (d.family !== 'real') transform = FAMILY_TRANSFORMS[d.family] ?? d.family;
    else if (dom?.kind === 'Interval') transform = 'interval: lo + (hi - lo) * logistic(u)';
    else if (dom && dom.op.startsWith('>')) transform = 'lower: lo + exp(u)';
    else if (dom) transform = 'upper: hi - exp(u)';
    parameters.push({ name: d.decl.name.name, type: printType(d.decl.type), transform });
  }
  const latent = p.latents[0];
  return {
    method: alg.name,
    options: alg.options,
    parameters,
    refusal: latent
      ? `${alg.name} samples continuous parameters only; \`${latent.decl.name.name}\` is a discrete latent (an int param)`
      : null,
  };
}
