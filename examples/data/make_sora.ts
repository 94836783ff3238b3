// Generates examples/sora.json, the data of examples/sora.opt, deterministically (Threefry, seed
// 2026): `npx tsx examples/data/make_sora.ts`. A frozen random linear model W0 (8 x 10, entries
// N(0, 1/10)), a true update of rank 2 (0.6 u1 v1' + 0.4 u2 v2', standard normal vectors),
// N = 100 inputs X ~ N(0, 1) and targets Y = X (W0 + dW)' (no noise), and the adapter's starting
// factors A0 (8 x 10), B0 (8 x 8) with N(0, 0.3^2) entries. Numbers keep 10 significant digits.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { keyFromSeed, randomBits64, split, uniform01 } from '../../runtime/kernels/threefry.js';
import { boxMuller } from '../../runtime/kernels/seeded.js';

export function makeSora() {
  const din = 10,
    dout = 8,
    r = 8,
    N = 100;
  const keys = split(keyFromSeed(2026), 6);
  const normals = (i: number, n: number, scale = 1) => {
    const u = uniform01(randomBits64(keys.slice(2 * i, 2 * i + 2), 2 * n), 'float64');
    return Array.from({ length: n }, (_, k) =>
      Number((scale * boxMuller(1 - u[2 * k]!, u[2 * k + 1]!)).toPrecision(10)),
    );
  };
  const rows = (flat: number[], m: number, n: number) =>
    Array.from({ length: m }, (_, i) => flat.slice(i * n, (i + 1) * n));
  const W0 = rows(normals(0, dout * din, 1 / Math.sqrt(din)), dout, din);
  const uv = normals(1, 2 * (dout + din));
  const u = [uv.slice(0, dout), uv.slice(dout, 2 * dout)],
    v = [uv.slice(2 * dout, 2 * dout + din), uv.slice(2 * dout + din)];
  const W = W0.map((row, i) => row.map((w, j) => w + 0.6 * u[0]![i]! * v[0]![j]! + 0.4 * u[1]![i]! * v[1]![j]!));
  const X = rows(normals(2, N * din), N, din);
  const Y = X.map((x) => W.map((w) => Number(w.reduce((s, a, j) => s + a * x[j]!, 0).toPrecision(10))));
  const A0 = rows(normals(3, r * din, 0.3), r, din);
  const B0 = rows(normals(4, dout * r, 0.3), dout, r);
  return { X, Y, W0, A0, B0 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const d = makeSora();
  const out = fileURLToPath(new URL('../sora.json', import.meta.url));
  const mat = (m: number[][]) => `[\n${m.map((r) => `    [${r.join(', ')}]`).join(',\n')}\n  ]`;
  writeFileSync(
    out,
    `{\n${Object.entries(d)
      .map(([k, m]) => `  "${k}": ${mat(m)}`)
      .join(',\n')}\n}\n`,
  );
  console.log(`wrote ${out}`);
}
