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
/** [samples, lr]: a 3 x 3 grid around the default (1, 0.05), the default first. */
const CONFIGS: [number, number][] = [1, 4, 16].flatMap((k) => [0.05, 0.02, 0.1].map((lr): [number, number] => [k, lr]));
const SEEDS = [1, 2, 3];

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
    for (const seed of SEEDS) {
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

// The table docs/inference.md shows.
console.log(
  `\n| samples | lr | worst mean err / sd | worst sd err | fits within (${MEAN_TOL} sd, ${100 * SD_TOL} %) | steps (median) | CPU s per fit (mean) |`,
);
console.log('|---|---|---|---|---|---|---|');
for (const [samples, lr] of CONFIGS) {
  const rs = done.filter((r) => r.samples === samples && r.lr === lr);
  if (!rs.length) continue;
  const steps = rs.map((r) => r.steps).sort((a, b) => a - b);
  console.log(
    `| ${samples} | ${lr} | ${Math.max(...rs.map((r) => r.mean)).toFixed(3)} | ${(100 * Math.max(...rs.map((r) => r.sd))).toFixed(1)} % | ${rs.filter((r) => r.within).length}/${rs.length} | ${steps[steps.length >> 1]} | ${(rs.reduce((a, r) => a + r.cpu, 0) / rs.length).toFixed(1)} |`,
  );
}
