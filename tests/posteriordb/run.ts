// `npm run posteriordb [-- NAME ...]`: every posterior of the validation set (suite.ts) under NUTS
// at default settings, one line each (pass, worst mean and sd errors, R-hat, divergences, ESS/s,
// time), then the count that pass. Exit code 1 when any fails.
import { checkPosterior, posteriors, unreferenced } from './suite.js';

const filters = process.argv.slice(2).filter((a) => a !== '--');
const list = posteriors().filter((p) => !filters.length || filters.some((f) => p.name.includes(f)));
let passed = 0;
for (const p of list) {
  const v = await checkPosterior(p);
  if (v.pass) passed++;
  const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  console.log(
    `${v.pass ? 'pass' : 'FAIL'}  ${v.name.padEnd(44)} mean ${num(v.meanErr.value)} sd  sd ${num(100 * v.sdErr.value, 0).padStart(2)} %  R-hat ${num(v.rhat, 3)}  div ${v.divergences}  ESS/s ${num(v.essPerSecond, 0)}  ${num(v.seconds, 1)} s` +
      (v.pass ? '' : `\n      ${v.failures.slice(0, 4).join('\n      ')}`),
  );
}
console.log(`${passed} of ${list.length} posteriors pass`);
const missing = unreferenced().filter((n) => !filters.length || filters.some((f) => n.includes(f)));
if (missing.length) console.log(`written, no reference summary yet (not run): ${missing.join(', ')}`);
process.exitCode = passed === list.length ? 0 : 1;
