// Writes the data of the bilevel examples (deterministic: a seeded generator, no dependencies).
// Run: npx tsx examples/bilevel/make_data.ts (mulberry32 and Box-Muller from the runtime's one seeded helper)
import { writeFileSync } from 'node:fs';
import { mulberry32, normals } from '../../runtime/index.js';

function rng(seed: number) {
  const u = mulberry32(seed);
  return { u, normal: normals(u) };
}
const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
const matrix = (rows: number, cols: number, f: () => number) =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => r6(f())));
const dir = new URL('.', import.meta.url);

// quadratic.json: g(x, w) = 0.5 w'Aw - w'(Bx + c), A = M'M/n + I; F = 0.5 ||w - t||^2 + 0.5 lam ||x||^2.
{
  const { normal } = rng(14);
  const n = 6,
    m = 3;
  const M = matrix(n, n, normal);
  const A = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => r6(M.reduce((s, row) => s + row[i]! * row[j]!, 0) / n + (i === j ? 1 : 0))),
  );
  const data = { A, B: matrix(n, m, normal), c: matrix(1, n, normal)[0], t: matrix(1, n, normal)[0], lam: 0.1 };
  writeFileSync(new URL('quadratic.json', dir), JSON.stringify(data) + '\n');
}

// ridge.json: d = 20 features, 40 training rows, 200 validation rows; half the true weights are 0,
// the others of scales 0.5 to 3, so one penalty per feature fits better than a shared one.
{
  const { normal } = rng(20);
  const d = 20,
    ntr = 40,
    nva = 200;
  const wTrue = Array.from({ length: d }, (_, j) => (j % 2 ? 0 : 0.5 + (2.5 * j) / d));
  const rows = (k: number) => {
    const X = matrix(k, d, normal);
    const y = X.map((row) => r6(row.reduce((s, v, j) => s + v * wTrue[j]!, 0) + 1.5 * normal()));
    return { X, y };
  };
  const tr = rows(ntr),
    va = rows(nva);
  writeFileSync(new URL('ridge.json', dir), JSON.stringify({ Xtr: tr.X, ytr: tr.y, Xva: va.X, yva: va.y }) + '\n');
}
