// fast-check: random well-typed expression graphs (the grammar in random_grammar.ts).
// Reverse and forward derivatives must match central finite differences on ref within
// 1e-6 + 1e-6*|value|; second order compares differences of the AD gradient with hvp and grad of
// grad. The grammar's primitives (sub-graphs included) are counted: at least 30.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Shape } from '../../runtime/index.js';
import type { PrimName } from '../../runtime/prims/params.js';
import { checkDerivatives } from '../helpers/ad_check.js';
import { compile, primsOf } from '../helpers/run.js';
import { build, describeProg, grammar, inputsOf, opNames, programArb } from './random_grammar.js';

// A fixed seed keeps CI deterministic; PROXIMA_FC_SEED / PROXIMA_FC_RUNS (a multiplier) explore more.
const SEED = Number(process.env.PROXIMA_FC_SEED ?? 20261130);
const RUNS = Number(process.env.PROXIMA_FC_RUNS ?? 1);

describe('random expression graphs', () => {
  it('the grammar exercises at least 30 primitives', () => {
    const used = new Set<PrimName>();
    for (const name of opNames) {
      for (const shapes of [
        [[2, 3], [3]],
        [[3], [2, 3]],
        [[], []],
      ] as Shape[][]) {
        const g = compile((a, b) => grammar[name]!(a!, b!, 1), shapes).graph;
        primsOf(g, used);
      }
    }
    expect(used.size).toBeGreaterThanOrEqual(30);
    // Keep the count visible in the test log.
    console.log(
      `random graphs: ${opNames.length} grammar ops over ${used.size} primitives: ${[...used].sort().join(' ')}`,
    );
  });

  it('first order: reverse and forward mode match finite differences', () => {
    fc.assert(
      fc.property(programArb(8), (prog) => {
        try {
          checkDerivatives(build(prog), prog.shapes, inputsOf(prog), {
            directions: 2,
            modes: { rev: true, fwd: true, order2: false },
          });
        } catch (e) {
          throw new Error(`${describeProg(prog)}\n${(e as Error).message}`);
        }
      }),
      { numRuns: 400 * RUNS, seed: SEED },
    );
  });

  it('second order: hvp and grad of grad match differences of the AD gradient', () => {
    fc.assert(
      fc.property(programArb(5), (prog) => {
        try {
          checkDerivatives(build(prog), prog.shapes, inputsOf(prog), {
            directions: 1,
            modes: { rev: false, fwd: false, order2: true },
          });
        } catch (e) {
          throw new Error(`${describeProg(prog)}\n${(e as Error).message}`);
        }
      }),
      { numRuns: 100 * RUNS, seed: SEED + 1 },
    );
  });
});
