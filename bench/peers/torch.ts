// The PyTorch CPU peer (Debian's system python3 with python3-torch): one long-lived process
// (torch_server.py) that the benchmarks send commands to between their own rounds, so PyTorch's
// rounds interleave with the JavaScript contenders on the same data. Absent torch, `torchPeer()`
// is null with the reason printed, and the benchmarks skip it.
// Data go over as raw float64 files in a temporary folder (`writeF64`).

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const PY = '/usr/bin/python3';
const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_server.py');

export interface TorchInfo {
  version: string;
  threads: number;
  /** The BLAS libraries mapped into the process (OpenBLAS is what the benchmarks require). */
  blas: string[];
  matmul_gflops: number;
}

export interface TorchPeer {
  readonly info: TorchInfo;
  call<T = Record<string, unknown>>(cmd: Record<string, unknown>): Promise<T>;
  close(): void;
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

let shared: Promise<TorchPeer | null> | null = null;

/** The one PyTorch process of a benchmark run (started on first use, closed at exit). */
export function torchPeer(): Promise<TorchPeer | null> {
  shared ??= start();
  return shared;
}

async function start(): Promise<TorchPeer | null> {
  if (!torchAvailable()) return null;
  const child: ChildProcessWithoutNullStreams = spawn(PY, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const call = <T>(cmd: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      waiting.push((l) => {
        const out = JSON.parse(l) as T & { error?: string };
        if (out.error) reject(new Error(`PyTorch peer: ${out.error}`));
        else resolve(out);
      });
      child.stdin.write(JSON.stringify(cmd) + '\n');
    });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w(JSON.stringify({ error: `exited with ${code}: ${stderr.trim()}` }));
  });
  process.on('exit', () => child.kill());
  const info = await call<TorchInfo>({ op: 'info' });
  if (!info.blas.some((l) => l.includes('openblas')))
    console.log(`  (warning: PyTorch is not using OpenBLAS: ${info.blas.join(', ') || 'no BLAS mapped'})`);
  return { info, call, close: () => child.kill() };
}

let dir: string | null = null;

/** Writes `values` as raw float64 to a temporary file; returns its path. */
export function writeF64(name: string, values: ArrayLike<number>): string {
  dir ??= mkdtempSync(join(tmpdir(), 'proxima-bench-'));
  const file = join(dir, `${name}.f64`);
  writeFileSync(file, Buffer.from(Float64Array.from(values).buffer));
  return file;
}

export const torchNote = (i: TorchInfo) =>
  `torch ${i.version}, ${i.threads} thread(s), ${i.blas.some((l) => l.includes('openblas')) ? 'OpenBLAS' : 'BLAS ' + i.blas.join(' ')}, matmul ${i.matmul_gflops.toFixed(0)} GFLOP/s`;
