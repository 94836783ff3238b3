// Throughput of an exported program under torchrun: a 10^6-row logistic regression (the
// quickstart's model on synthetic rows), exported with `proxima export --to torch`, run by the
// driver's full-batch gradient descent with 1 and 2 processes (gloo, loopback, one torch thread
// each); rows/s = rows x evaluations in the solve loop / the loop's wall time (data loading, the
// shard check and process start excluded). On a 2-core machine the speedup is bounded by the
// cores (and by the load of whatever else runs there); docs/benchmarks.md records what we saw.
//   npm run bench -- export_torch

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, exportTorch } from '../compiler/index.js';
import type { BenchRow } from './harness.js';

const N = Number(process.env.PROXIMA_BENCH_ROWS ?? 1_000_000);
const D = 3;
const STEPS = 20;
const SRC = `data { X: real[n, d]; y: real[n]; lambda: real = 0.01 }
var w: real[d]
var b: real
let z = X @ w + b
minimize sum(softplus(z) - y * z) + lambda * sumsq(w)
solve sgd(steps = ${STEPS}, lr = 1e-7, tol = 0)
`;

function data(n: number) {
  let s = 12345;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const X = Array.from({ length: n }, () => Array.from({ length: D }, () => rnd() * 2 - 1));
  const y = X.map((r) => (rnd() < 1 / (1 + Math.exp(-(r[0]! - 2 * r[1]! + 0.5 * r[2]!))) ? 1 : 0));
  return { X, y };
}

function runDriver(args: string[]): { loop_ms: number; loop_evaluations: number } {
  const r = spawnSync('/usr/bin/python3', args, {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', GLOO_SOCKET_IFNAME: 'lo' },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`driver failed: ${r.stderr}`);
  const out = args[args.indexOf('--out') + 1]!;
  return JSON.parse(readFileSync(out, 'utf8')).diagnostics;
}

export async function run(): Promise<BenchRow[]> {
  const c = await compile({ file: 'logreg_1e6.opt', source: SRC }, { data: data(N), backend: 'ref' });
  const pkg = exportTorch(c);
  const dir = mkdtempSync(join(tmpdir(), 'proxima-bench-torch-'));
  for (const [name, text] of Object.entries(pkg.files)) writeFileSync(join(dir, name), text);
  const driver = join(dir, 'driver.py');
  const torchrun = (p: number, out: string) =>
    runDriver([
      '-m',
      'torch.distributed.run',
      '--standalone',
      '--redirects',
      '1',
      '--tee',
      '1',
      '--nproc_per_node',
      String(p),
      driver,
      '--threads',
      '1',
      '--out',
      out,
    ]);
  const rows: BenchRow[] = [];
  const one = runDriver([driver, '--threads', '1', '--out', join(dir, 'one.json')]);
  const two = torchrun(2, join(dir, 'two.json'));
  const rate = (d: { loop_ms: number; loop_evaluations: number }) => (N * d.loop_evaluations) / (d.loop_ms / 1000);
  rows.push({
    name: `logreg ${N} rows, 1 process`,
    unit: 'rows/s',
    value: rate(one),
    note: `${one.loop_evaluations} evaluations`,
  });
  rows.push({
    name: `logreg ${N} rows, 2 processes (torchrun, gloo)`,
    unit: 'rows/s',
    value: rate(two),
    peer: '1 process',
    ratio: rate(two) / rate(one),
    note: `${two.loop_evaluations} evaluations`,
  });
  return rows;
}
