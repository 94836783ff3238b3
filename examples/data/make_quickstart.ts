// Generates examples/quickstart.json: a logistic-regression data set (N = 200, D = 3) drawn
// deterministically from Threefry with seed 2024, so the committed file can be regenerated
// byte for byte: `npx tsx examples/data/make_quickstart.ts`.
// Features are standard normal (Box-Muller); labels are Bernoulli(sigmoid(X w + b)) with
// w = [1.5, -2, 0.5], b = -0.3.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { keyFromSeed, randomBits64, split, uniform01 } from '../../runtime/kernels/threefry.js';
import { boxMuller } from '../../runtime/kernels/seeded.js';

const N = 200;
const W = [1.5, -2, 0.5];
const B = -0.3;

const keys = split(keyFromSeed(2024), 3);
const stream = (i: number, n: number) => uniform01(randomBits64(keys.slice(2 * i, 2 * i + 2), n), 'float64');
const u1 = stream(0, N * W.length);
const u2 = stream(1, N * W.length);
const u3 = stream(2, N);

const round = (x: number) => Math.round(x * 1e4) / 1e4;
const X: number[][] = [];
const y: number[] = [];
for (let i = 0; i < N; i++) {
  const row = W.map((_, j) => {
    const k = i * W.length + j;
    return round(boxMuller(1 - u1[k]!, u2[k]!));
  });
  const z = row.reduce((s, x, j) => s + x * W[j]!, B);
  X.push(row);
  y.push(u3[i]! < 1 / (1 + Math.exp(-z)) ? 1 : 0);
}

const out = fileURLToPath(new URL('../quickstart.json', import.meta.url));
writeFileSync(
  out,
  `{\n  "X": [\n${X.map((r) => `    [${r.join(', ')}]`).join(',\n')}\n  ],\n  "y": [${y.join(', ')}]\n}\n`,
);
console.log(`wrote ${out}: ${N} rows, ${y.filter((v) => v === 1).length} positive`);
