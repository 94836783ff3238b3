// Runs the PyTorch CPU peer (Debian's system python3 with python3-torch) when it is installed;
// returns null, with the reason, when it is not, so the benchmarks skip it gracefully.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PY = '/usr/bin/python3';
const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_logreg.py');

export interface TorchResult {
  steps_per_s: number;
  threads: number;
  version: string;
}

let available: boolean | null = null;

export function torchAvailable(): boolean {
  if (available === null) {
    available =
      existsSync(PY) && spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
    if (!available)
      console.log('  (PyTorch peer skipped: /usr/bin/python3 cannot import torch; apt-get install python3-torch)');
  }
  return available;
}

export function runTorch(args: readonly string[]): TorchResult | null {
  if (!torchAvailable()) return null;
  const r = spawnSync(PY, [script, ...args], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    console.log(`  (PyTorch peer failed: ${r.stderr.trim().split('\n').pop()})`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}
