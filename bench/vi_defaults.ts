// Measures the `infer vi` defaults that docs/inference.md states were chosen by comparison:
// samples per step (K) and Adam's step size (lr), over eight schools and the fast posteriordb
// posteriors, seeds 1-3, each case under the guide the validation tests require within tolerance
// (mean-field where it represents the posterior, full-rank where the posterior is correlated).
// Per configuration: the worst |mean error| in reference sds and the worst |sd / sd_ref - 1|
// over every case, seed and parameter, how many fits are within the tolerance (0.15 sd,
// 25 %), the steps, and the CPU seconds per fit (this process's user + system time, so the
// machine's load does not count). Not part of CI or `npm run bench`: minutes to hours.
// Run: nice -n 10 npx tsx bench/vi_defaults.ts [out.jsonl] (each fit appends one JSON line, so an
// interrupted run keeps its rows; rerunning skips the rows already in the file).

import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { compare, MEAN_TOL, SD_TOL } from '../tests/inference/posteriordb.js';

/** [folder, guide]: the guide each validation test requires within tolerance. */
const CASES: [string, string | undefined][] = [
  ['eight_schools-eight_schools_noncentered', undefined],
  ['mesquite-logmesquite_logvolume', undefined],
  ['gp_pois_regr-gp_regr', undefined],
  ['kidiq-kidscore_momiq', 'full_rank'],
  ['sblrc-blr', 'full_rank'],
  ['kilpisjarvi_mod-kilpisjarvi', 'full_rank'],
];
/** [samples, lr]: K in {1, 4} x lr in {0.05, 0.02, 0.1} around the default (1, 0.05), the
 * default first, and K = 16 at lr 0.05 (16 draws cost ~4.5x the CPU of one; on the 2-core shared
 * machine the whole 3 x 3 grid did not fit the time). */
const CONFIGS: [number, number][] = [
  ...[1, 4].flatMap((k) => [0.05, 0.02, 0.1].map((lr): [number, number] => [k, lr])),
  [16, 0.05],
];
/** Seeds 1-3 (the issue's); eight schools, the one case whose accuracy moved with the knobs in
 * a first pass, 1-10. */
const seedsOf = (folder: string) => (folder.startsWith('eight_schools') ? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : [1, 2, 3]);

interface Row {
  samples: number;
  lr: number;
  folder: string;
  guide: string;
  seed: number;
  mean: number;
  sd: number;
  within: boolean;
  status: string;
  steps: number;
  cpu: number;
}

const out = process.argv[2] ?? 'bench/results/vi_defaults.jsonl';
const done: Row[] = existsSync(out)
  ? readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l)
      .map((l) => JSON.parse(l) as Row)
  : [];
const key = (r: { samples: number; lr: number; folder: string; guide: string; seed: number }) =>
  `${r.samples}/${r.lr}/${r.folder}/${r.guide}/${r.seed}`;
const have = new Set(done.map(key));

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

for (const [samples, lr] of CONFIGS) {
  for (const [folder, guide] of CASES) {
    for (const seed of seedsOf(folder)) {
      const id = { samples, lr, folder, guide: guide ?? 'mean_field', seed };
      if (have.has(key(id))) continue;
      const t = cpu();
      const c = await compare(folder, seed, guide, `samples = ${samples}, optimizer = adam(lr = ${lr})`);
      const row: Row = {
        ...id,
        mean: c.mean,
        sd: c.sd,
        within: c.within,
        status: c.result.status,
        steps: c.result.steps,
        cpu: cpu() - t,
      };
      appendFileSync(out, JSON.stringify(row) + '\n');
      done.push(row);
      console.log(JSON.stringify(row));
    }
  }
}

// The table docs/inference.md shows: eight schools apart (10 seeds), the other cases together.
const worst = (rs: Row[], f: (r: Row) => number) => (rs.length ? Math.max(...rs.map(f)) : NaN);
const avg = (rs: Row[], f: (r: Row) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
console.log(
  `\n| samples | lr | eight schools: worst / average mean err (sd) | worst sd err | others: worst mean err (sd) | worst sd err | fits within (${MEAN_TOL} sd, ${100 * SD_TOL} %) | steps (median, max) | CPU s per fit |`,
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [samples, lr] of CONFIGS) {
  const rs = done.filter((r) => r.samples === samples && r.lr === lr);
  if (!rs.length) continue;
  const es = rs.filter((r) => r.folder.startsWith('eight_schools'));
  const other = rs.filter((r) => !r.folder.startsWith('eight_schools'));
  const steps = rs.map((r) => r.steps).sort((a, b) => a - b);
  console.log(
    `| ${samples} | ${lr} | ${worst(es, (r) => r.mean).toFixed(3)} / ${avg(es, (r) => r.mean).toFixed(3)} | ${(100 * worst(es, (r) => r.sd)).toFixed(1)} % | ${worst(other, (r) => r.mean).toFixed(3)} | ${(100 * worst(other, (r) => r.sd)).toFixed(1)} % | ${rs.filter((r) => r.within).length}/${rs.length} | ${steps[steps.length >> 1]}, ${steps[steps.length - 1]} | ${avg(rs, (r) => r.cpu).toFixed(2)} |`,
  );
}
