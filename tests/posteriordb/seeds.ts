// `npx tsx tests/posteriordb/seeds.ts FOLDER [SEEDS] [PARAM ...]`: one posterior of the set under
// NUTS at default settings for seeds 1..SEEDS (default 20), and per seed the signed errors of the
// named parameters (all when none is named) against the folder's reference: (mean - ref) / ref sd
// and sd / ref sd - 1. The spread over seeds is the Monte Carlo error of one run, which says
// whether one seed's miss is the sampler's bias or chance (docs/inference.md, eight schools).
// FOLDER is a posterior's folder (examples/posteriordb/X or tests/posteriordb/X).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkPosterior } from './suite.js';

const [folder, seedArg, ...wanted] = process.argv.slice(2).filter((a) => a !== '--');
if (!folder) throw new Error('usage: seeds.ts FOLDER [SEEDS] [PARAM ...]');
const dir = resolve(folder);
const renameFile = join(dir, 'rename.json');
const p = {
  name: dir.split('/').pop()!,
  file: join(dir, 'model.opt'),
  reference: join(dir, 'reference.json'),
  ...(existsSync(renameFile) ? { rename: JSON.parse(readFileSync(renameFile, 'utf8')) as Record<string, string> } : {}),
};
const seeds = Number(seedArg ?? 20);
const rows: Record<string, { mean: number; sd: number }>[] = [];
let passed = 0;
for (let seed = 1; seed <= seeds; seed++) {
  const v = await checkPosterior(p, { seed });
  if (v.pass) passed++;
  rows.push(v.errors);
  const names = wanted.length ? wanted : Object.keys(v.errors);
  const cells = names.map((n) => {
    const e = v.errors[n];
    return e ? `${n} mean ${e.mean.toFixed(3)} sd ${(100 * e.sd).toFixed(1)} %` : `${n} missing`;
  });
  console.log(
    `seed ${seed}: ${v.pass ? 'pass' : 'FAIL'}  ${cells.join('  ')}  R-hat ${v.rhat.toFixed(3)}  div ${v.divergences}`,
  );
}
const names = wanted.length ? wanted : Object.keys(rows[0] ?? {});
const stat = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `mean ${m.toFixed(3)} sd ${sd.toFixed(3)} range [${Math.min(...xs).toFixed(3)}, ${Math.max(...xs).toFixed(3)}]`;
};
for (const n of names) {
  const e = rows.map((r) => r[n]).filter((x) => x !== undefined);
  console.log(`${n}: mean error (sd units) ${stat(e.map((x) => x.mean))}; sd error ${stat(e.map((x) => x.sd))}`);
}
console.log(`${passed} of ${seeds} seeds pass`);
