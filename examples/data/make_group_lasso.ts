// Generates examples/group_lasso.json, the data of examples/group_lasso.opt, deterministically
// (Threefry, seed 2026): `npx tsx examples/data/make_group_lasso.ts`. Group-sparse regression of
// the optimization issue: 20 groups of 5 coefficients, 4 of them active (ids 2, 7, 11, 16), with
// coefficients of random sign and magnitude in [0.5, 1.5]; A is 60 x 100 with i.i.d. N(0, 1)
// entries scaled by 1/sqrt(60); b = A x + 0.05 N(0, 1). `groups[i]` is the group id of x[i].
// Values are rounded to 8 significant digits (the JSON is exactly the problem solved).

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { keyFromSeed, randomBits64, split, uniform01 } from '../../runtime/kernels/threefry.js';
import { boxMuller } from '../../runtime/kernels/seeded.js';

export const M = 60;
export const G = 20;
export const GS = 5;
export const N = G * GS;
export const ACTIVE = [2, 7, 11, 16];

export interface GroupLassoData {
  A: number[][];
  b: number[];
  groups: number[];
  /** The true coefficients, for tests. */
  xTrue: number[];
}

export function makeGroupLasso(): GroupLassoData {
  const keys = split(keyFromSeed(2026), 3);
  const stream = (i: number, n: number) => uniform01(randomBits64(keys.slice(2 * i, 2 * i + 2), n), 'float64');
  const normals = (i: number, n: number) => {
    const u = stream(i, 2 * n);
    return Array.from({ length: n }, (_, k) => boxMuller(1 - u[2 * k]!, u[2 * k + 1]!));
  };
  const sig = (x: number) => Number(x.toPrecision(8));
  const z = normals(0, M * N + M);
  const A = Array.from({ length: M }, (_, i) => Array.from({ length: N }, (_, j) => sig(z[i * N + j]! / Math.sqrt(M))));
  const u = stream(1, 2 * N);
  const groups = Array.from({ length: N }, (_, i) => Math.floor(i / GS));
  const xTrue = groups.map((g, i) =>
    ACTIVE.includes(g) ? sig((u[2 * i]! < 0.5 ? -1 : 1) * (0.5 + u[2 * i + 1]!)) : 0,
  );
  const b = A.map((row, i) => sig(row.reduce((s, a, j) => s + a * xTrue[j]!, 0) + 0.05 * z[M * N + i]!));
  return { A, b, groups, xTrue };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const d = makeGroupLasso();
  const out = fileURLToPath(new URL('../group_lasso.json', import.meta.url));
  writeFileSync(out, JSON.stringify({ A: d.A, b: d.b, groups: d.groups }) + '\n');
  console.log(`wrote ${out}`);
}
