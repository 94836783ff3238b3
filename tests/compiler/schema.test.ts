// The library's run and check results against docs/result.schema.json, across the statuses
// and problem kinds this release produces (the CLI's --json prints these objects).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, run } from '../../index.js';
import { validate, type Schema } from './json_schema.js';

const schema = JSON.parse(readFileSync(new URL('../../docs/result.schema.json', import.meta.url), 'utf8')) as Schema;
const defs = schema.$defs as Record<string, Schema>;
const asRun = (v: unknown) => validate(schema, JSON.parse(JSON.stringify(v)), defs.runResult!);
const asCheck = (v: unknown) => validate(schema, JSON.parse(JSON.stringify(v)), defs.checkResult!);

describe('result schema', () => {
  it('run results: converged, max_steps, error (compile), error (not available), constrained (diagnostics with multipliers), inference (posterior)', async () => {
    const cases = [
      await run('examples/quickstart.opt'),
      await run({ source: 'var x: real[2]\nminimize sumsq(x - 1)\nsolve lbfgs(steps = 1)', file: 'a.opt' }),
      await run({ source: 'var x: real\nminimize sumsq(y)', file: 'b.opt' }),
      await run({
        source: 'var x: real[2]\nminimize sumsq(x)\nsubject to { x[0] + x[1] == 1 }\nsolve sqp',
        file: 'c.opt',
      }),
      await run('examples/hs/hs71.opt'),
      await run('examples/eight_schools.opt', { data: { J: 2, y: [1, 2], sigma: [1, 1] }, steps: 200, draws: 500 }),
    ];
    expect(cases.map((r) => r.status).slice(0, 5)).toEqual(['converged', 'max_steps', 'error', 'error', 'converged']);
    expect(cases[5]!.posterior!.theta_rep).toBeDefined();
    for (const r of cases) expect(asRun(r)).toBeNull();
    expect(schema.oneOf).toBeDefined();
    expect(validate(schema, JSON.parse(JSON.stringify(cases[0])))).toBeNull();
  });

  it('check results: clean, with errors, a model, a bilevel program', () => {
    for (const f of [
      'examples/lasso.opt',
      'examples/eight_schools.opt',
      'tests/grammar/good/issue_bilevel.opt',
      'tests/compiler/bad/matmul_inner.opt',
      'missing.opt',
    ]) {
      expect(asCheck(check(f)), f).toBeNull();
    }
  });

  it('the validator catches violations', () => {
    expect(asRun({ schema: 1 })).toMatch(/missing proxima/);
    expect(asCheck({ ...check('examples/lasso.opt'), extra: 1 })).toMatch(/unexpected property extra/);
  });
});
