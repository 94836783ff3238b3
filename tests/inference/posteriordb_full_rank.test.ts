// Full-rank VI (`infer vi(guide = full_rank)`, every other option the default) against Stan's
// reference posteriors (examples/posteriordb), seeds 1-3 (arK: seed 1, see seedsOf): every mean within 0.15 reference sd and
// every sd within 25 %, warnings or not (issue #11). kilpisjarvi (corr -1.000) included.

import { describe, expect, it } from 'vitest';
import { compare, line, POSTERIORS, seedsOf } from './posteriordb.js';

describe('full-rank VI vs Stan (posteriordb), defaults, seeds 1-3', () => {
  for (const folder of POSTERIORS) {
    it(
      folder,
      async () => {
        for (const seed of seedsOf(folder)) {
          const c = await compare(folder, seed, 'full_rank');
          console.log(line(folder, seed, c));
          expect(c.within, c.rows.join('\n')).toBe(true);
        }
      },
      1_200_000,
    );
  }
});
