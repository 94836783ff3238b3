// Host-kernel primitives (declared `tfjs: 'host'`) run their float64 ref rule on downloaded data
// inside tfjs plans: same results as ref, and every transfer counted in the executable's stats.

import { describe, it, expect, beforeAll } from 'vitest';
import { trace, ops as P } from '../../runtime/index.js';
import type { Tracer } from '../../runtime/ir/tracer.js';
import { compile, initBackend } from '../../runtime/backends/index.js';
import { expectAgree, makeInput, seeded } from './tfjs_support.js';

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
}, 60_000);

const spd = (a: Tracer) =>
  P.add(
    P.matmul(a, a, false, true),
    P.mul(
      4,
      P.constant([
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ]),
    ),
  );

const cases: Record<
  string,
  { f: (a: Tracer, k: Tracer) => Tracer[]; calls: number; downloads: number; uploads: number }
> = {
  cholesky: { f: (a) => [P.cholesky(spd(a))], calls: 1, downloads: 1, uploads: 1 },
  triangular_solve: {
    f: (a) => [P.triangularSolve(P.cholesky(spd(a)), a, true, true)],
    calls: 2,
    downloads: 3,
    uploads: 2,
  },
  eigh: {
    f: (a) => {
      const r = P.eigh(spd(a));
      return [r.w, P.abs(r.v)];
    },
    calls: 1,
    downloads: 1,
    uploads: 2,
  },
  svd: {
    f: (a) => {
      const r = P.svd(a);
      return [P.abs(r.u), r.s, P.abs(r.v)];
    },
    calls: 1,
    downloads: 1,
    uploads: 3,
  },
  sort: {
    f: (a) => {
      const r = P.sort(a, true);
      return [r.values, r.indices];
    },
    calls: 1,
    downloads: 1,
    uploads: 2,
  },
  rng: {
    f: (_a, k) => {
      const [k1, k2] = P.splitKey(k, 2);
      return [P.uniform(k1!, [5]), P.normal(k2!, [3])];
    },
    calls: 5,
    downloads: 5,
    uploads: 5,
  },
};

describe('host kernels through tfjs', () => {
  for (const [name, c] of Object.entries(cases)) {
    for (const backend of ['cpu', 'wasm'] as const) {
      it(`${name} on ${backend}`, async () => {
        const g = trace((a, k) => c.f(a!, k!), [[4, 4], { shape: [2], dtype: 'int32' }]);
        const r = seeded(name.length * 31 + 7);
        const ins = [makeInput(g.inputs[0]!.aval, 'normal', r), makeInput(g.inputs[1]!.aval, 'key', r)];
        const ref = (await compile(g, { backend: 'ref' })).run(ins);
        const exe = await compile(g, { backend });
        exe.run(ins).forEach((o, k) => expectAgree(o, ref[k]!, `${name} output ${k}`));
        expect(exe.stats).toMatchObject({ hostCalls: c.calls, hostDownloads: c.downloads, hostUploads: c.uploads });
        expect(exe.stats.hostBytes).toBeGreaterThan(0);
        exe.dispose();
      });
    }
  }
});
