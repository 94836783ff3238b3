// VI against Stan's reference posteriors (examples/posteriordb, from posteriordb: NUTS, 10 chains x
// 1000 draws). Each model.opt asks for the full-rank guide and nothing else, so this checks the
// default budget that users get. Tolerances (the issue's): every mean within 0.15 reference sd,
// every sd within 25 %. Results are 0-based; Stan's `beta[i+1]` is our `beta[i]`.
// kilpisjarvi (corr -1.000) is held to the same tolerances.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../index.js';
import type { NestedValue } from '../../compiler/running/result.js';

const ROOT = 'examples/posteriordb';
const CHECKED = [
  'kidiq-kidscore_momiq',
  'mesquite-logmesquite_logvolume',
  'earnings-logearn_height',
  'sblrc-blr',
  'arK-arK',
  'low_dim_gauss_mix-low_dim_gauss_mix',
  'gp_pois_regr-gp_regr',
  'garch-garch11',
  'arma-arma11',
  // corr(alpha, beta) = -1.000; the full-rank Laplace start gets it too (Inference II adds the
  // correlation diagnostic that mean-field needs).
  'kilpisjarvi_mod-kilpisjarvi',
];

interface RefParam {
  mean: number;
  sd: number;
}

/** Max |mean error| / sd and max |sd / sd_ref - 1| over the reference's params. */
export async function compare(folder: string): Promise<{ mean: number; sd: number; status: string; rows: string[] }> {
  const ref = JSON.parse(readFileSync(`${ROOT}/${folder}/reference.json`, 'utf8')) as {
    params: Record<string, RefParam>;
  };
  const r = await run(`${ROOT}/${folder}/model.opt`, { backend: 'ref' });
  expect(r.status, JSON.stringify(r.messages)).not.toBe('error');
  let mean = 0;
  let sd = 0;
  const rows: string[] = [];
  for (const [name, s] of Object.entries(ref.params)) {
    const m = /^(\w+)(?:\[(\d+)\])?$/.exec(name)!;
    const post = r.posterior![m[1]!]!;
    const pick = (v: NestedValue) => (m[2] ? (v as number[])[Number(m[2]) - 1]! : (v as number));
    const em = Math.abs(pick(post.mean) - s.mean) / s.sd;
    const es = Math.abs(pick(post.sd) / s.sd - 1);
    mean = Math.max(mean, em);
    sd = Math.max(sd, es);
    rows.push(`${name}: mean err ${em.toFixed(3)} sd, sd err ${(100 * es).toFixed(1)} %`);
  }
  return { mean, sd, status: r.status, rows };
}

describe('full-rank VI vs Stan (posteriordb), default budget', () => {
  for (const folder of CHECKED) {
    it(folder, async () => {
      const c = await compare(folder);
      expect(c.mean, c.rows.join('\n')).toBeLessThan(0.15);
      expect(c.sd, c.rows.join('\n')).toBeLessThan(0.25);
    });
  }
});
