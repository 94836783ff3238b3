// Runs the benchmark modules of bench/ (every .ts file exporting `run(): Promise<BenchRow[]>`),
// prints their tables and writes bench/results/<module>.json.
//   npm run bench                 all modules
//   npm run bench -- logreg mlp   only the modules whose names contain one of the words

import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machineFacts, printTable, writeResults, type BenchRow } from './harness.js';

// gpu.ts is its own command (it drives Chromium on a GPU machine); gpu_worker.ts is its page half.
const NOT_MODULES = new Set(['run', 'harness', 'gpu', 'gpu_worker']);
const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((a) => a !== '--');

const files = readdirSync(here)
  .filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_') && !NOT_MODULES.has(basename(f, '.ts')),
  )
  .sort();

console.log('machine:', JSON.stringify(machineFacts()));
let failed = 0;
for (const f of files) {
  const name = basename(f, '.ts');
  if (filters.length && !filters.some((w) => name.includes(w))) continue;
  const mod = (await import(pathToFileURL(`${here}/${f}`).href)) as { run?: () => Promise<BenchRow[]> };
  if (typeof mod.run !== 'function') continue;
  try {
    const rows = await mod.run();
    printTable(name, rows);
    console.log(`  -> ${writeResults(name, rows)}`);
  } catch (err) {
    failed++;
    console.error(`bench ${name} failed:`, err);
  }
}
// Exit explicitly: a peer process kept for the whole run (bench/peers/torch.ts, killed on exit)
// holds the event loop open, so waiting for it to drain would never end.
process.exit(failed ? 1 : 0);
