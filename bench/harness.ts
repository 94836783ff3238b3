// The shared benchmark harness: timing (warm-up, then the median of N repetitions), the row type
// every bench module returns from `run()`, ratio helpers, table printing and JSON results.
// Invariants: every reported value is a median of >= 5 timed repetitions; ratios are always
// "Proxima relative to the peer, higher is better" (throughput ratio, or peer time / our time).

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type BenchRow = { name: string; unit: string; value: number; peer?: string; ratio?: number; note?: string };

export const MIN_REPS = 5;

/**
 * The clock benchmarks read. On a shared machine the wall clock measures the load as much as the
 * code; this process's CPU time (user + system) does not, so in-process comparisons use it when
 * asked. A peer in another process reports its own time.
 */
export type Clock = 'wall' | 'cpu';
export const clockMs = (clock: Clock): number => {
  if (clock === 'wall') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Times `fn` (one "iteration" = `inner` calls): `warmup` untimed iterations, then `reps` timed
 * ones; returns the median seconds per call.
 */
export async function timeIt(
  fn: () => unknown | Promise<unknown>,
  opts: { reps?: number; inner?: number; warmup?: number; clock?: Clock } = {},
): Promise<number> {
  const reps = Math.max(MIN_REPS, opts.reps ?? 7);
  const inner = opts.inner ?? 1;
  const clock = opts.clock ?? 'wall';
  for (let i = 0; i < (opts.warmup ?? 1) * inner; i++) await fn();
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = clockMs(clock);
    for (let i = 0; i < inner; i++) await fn();
    samples.push((clockMs(clock) - t0) / 1000 / inner);
  }
  return median(samples);
}

/**
 * Times several contenders with their repetitions interleaved (A B C A B C ...), so that load
 * from other processes on a shared machine hits all of them alike. Returns median seconds/call.
 */
export async function timeInterleaved(
  fns: Record<string, () => unknown>,
  opts: { reps?: number; inner?: number; warmup?: number; clock?: Clock } = {},
): Promise<Record<string, number>> {
  const reps = Math.max(MIN_REPS, opts.reps ?? 7);
  const inner = opts.inner ?? 1;
  const clock = opts.clock ?? 'wall';
  const names = Object.keys(fns);
  for (const n of names) for (let i = 0; i < (opts.warmup ?? 1) * inner; i++) await fns[n]!();
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < reps; r++) {
    for (const n of names) {
      const t0 = clockMs(clock);
      for (let i = 0; i < inner; i++) await fns[n]!();
      samples[n]!.push((clockMs(clock) - t0) / 1000 / inner);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n]!)]));
}

/** Picks an inner loop count so that one repetition takes about `target` seconds. */
export async function calibrate(fn: () => unknown, target = 0.25): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 50) {
    await fn();
    n++;
  }
  const per = (performance.now() - t0) / 1000 / n;
  return Math.max(1, Math.round(target / per));
}

export function machineFacts(): Record<string, string | number> {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function formatValue(v: number, unit: string): string {
  if (unit === 'ms' || unit === 'us') return v.toFixed(unit === 'ms' ? 2 : 1);
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(3);
}

export function printTable(suite: string, rows: readonly BenchRow[]): void {
  console.log(`\n== ${suite}`);
  const w = Math.max(20, ...rows.map((r) => r.name.length));
  for (const r of rows) {
    const ratio = r.ratio !== undefined ? `  x${r.ratio.toFixed(2)} vs ${r.peer}` : '';
    console.log(
      `  ${r.name.padEnd(w)}  ${formatValue(r.value, r.unit).padStart(10)} ${r.unit}${ratio}${r.note ? `  (${r.note})` : ''}`,
    );
  }
}

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

export function writeResults(suite: string, rows: readonly BenchRow[]): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${suite}.json`);
  const round = (x: number) => Number(x.toPrecision(5));
  const body = {
    suite,
    date: new Date().toISOString(),
    machine: machineFacts(),
    rows: rows.map((r) => ({
      ...r,
      value: round(r.value),
      ...(r.ratio !== undefined ? { ratio: round(r.ratio) } : {}),
    })),
  };
  writeFileSync(file, JSON.stringify(body, null, 1) + '\n');
  return file;
}
