// The whole primitive table on tfjs cpu and wasm against the float64 ref backend: one row per
// primitive (tests/runtime/prim_rows.ts; the test fails when a primitive has no row).

import { describe, it, expect, beforeAll } from 'vitest';
import { trace, primNames } from '../../runtime/index.js';
import { initBackend } from '../../runtime/backends/index.js';
import { checkBackends, makeInput, seeded } from './tfjs_support.js';
import { rows } from './prim_rows.js';

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
}, 60_000);

describe('the primitive table on tfjs cpu and wasm agrees with ref', () => {
  it('has one row per primitive', () => {
    expect(Object.keys(rows).sort()).toEqual([...primNames].sort());
  });
  for (const name of Object.keys(rows)) {
    it(name, async () => {
      const row = rows[name]!;
      const g = trace(
        (...xs) => row.f(...xs),
        row.args.map(([shape, dtype]) => ({ shape, dtype: dtype ?? 'float64' })),
      );
      const r = seeded(name.length * 7919 + name.charCodeAt(0));
      const inputs = g.inputs.map((v, i) => makeInput(v.aval, row.args[i]![2] ?? 'normal', r));
      await checkBackends(g, inputs, name);
    });
  }
});
