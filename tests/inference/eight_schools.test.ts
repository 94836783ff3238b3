// Eight schools, non-centred (examples/posteriordb/eight_schools-eight_schools_noncentered),
// with the default `infer vi` (no guide, steps or samples chosen by hand), seeds 1-3: mu's and
// tau's means within 0.15 posterior sd and their sds within 25 % of posteriordb's reference
// (mu 4.4105 +- 3.3093, tau 3.6021 +- 3.1985). A warning does not excuse a miss (issue #11).

import { describe, expect, it } from 'vitest';
import { compare, line } from './posteriordb.js';

const FOLDER = 'eight_schools-eight_schools_noncentered';

describe('eight schools (non-centred), default infer vi', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}`, async () => {
      const c = await compare(FOLDER, seed);
      console.log(line(FOLDER, seed, c));
      console.log(c.rows.join('\n'));
      expect(c.within, c.rows.join('\n')).toBe(true);
    }, 300_000);
  }
});
