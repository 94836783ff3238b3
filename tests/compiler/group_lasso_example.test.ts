// examples/group_lasso.opt: wgsef_gap (k = 4) recovers exactly the 4 true groups of 20 at the
// example's lambda; group_norm (group lasso) beside it keeps an extra group there and recovers
// exactly at lambda = 1. The data file is the generator's output byte for byte.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, run } from '../../index.js';
import { ACTIVE, makeGroupLasso } from '../../examples/data/make_group_lasso.js';

const file = 'examples/group_lasso.opt';
const src = readFileSync(file, 'utf8');
const J = JSON.parse(readFileSync('examples/group_lasso.json', 'utf8'));
const activeGroups = (x: number[]) =>
  Array.from({ length: 20 }, (_, g) => g).filter((g) => x.slice(5 * g, 5 * g + 5).some((v) => v !== 0));
const withTerm = (term: string) =>
  src
    .replace(/^minimize.*$/m, `minimize 0.5 * sumsq(A @ x - b) + lambda * ${term}`)
    .replace(/^solve.*$/m, 'solve fista(steps = 1500, tol = 1e-8)');

describe('examples/group_lasso.opt', () => {
  it('the committed data is the generator output', () => {
    const d = makeGroupLasso();
    expect(J).toEqual({ A: d.A, b: d.b, groups: d.groups });
  });

  it('wgsef_gap (k = 4) recovers exactly the 4 true groups; group_norm keeps a fifth at the same lambda', async () => {
    const c = check(file);
    expect(c.decomposition!.prox).toEqual([
      { term: 'lambda * wgsef_gap(x, groups, k = 4)', var: 'x', prox: expect.stringContaining('sparse-envelope gap') },
    ]);
    const r = await run(file);
    expect(r.status).toBe('converged');
    expect(activeGroups(r.values.x as number[])).toEqual(ACTIVE);
    expect(r.diagnostics.zeros).toEqual({ x: 80 });
    const gl = await run({ source: withTerm('group_norm(x, groups)'), file });
    expect(gl.status).toBe('converged');
    expect(activeGroups(gl.values.x as number[])).toEqual([2, 7, 11, 13, 16]);
    const gl1 = await run({ source: withTerm('group_norm(x, groups)'), file }, { data: { ...J, lambda: 1 } });
    expect(activeGroups(gl1.values.x as number[])).toEqual(ACTIVE);
  });
});
