// The small plot of an objective trace that ends a REPL solve: asciichart's line chart, the trace
// thinned to at most WIDTH points (every k-th step, the last one always kept).

import * as asciichart from 'asciichart';
import { fmtNumber } from './repl_print.js';

const WIDTH = 60;
const HEIGHT = 8;

export function traceChart(trace: readonly number[], label = 'objective'): string | null {
  const finite = trace.filter((x) => Number.isFinite(x));
  if (finite.length < 3) return null;
  const k = Math.ceil(finite.length / WIDTH);
  const pts = finite.filter((_, i) => i % k === 0);
  if ((finite.length - 1) % k !== 0) pts.push(finite[finite.length - 1]!);
  const labels = pts.map((x) => fmtNumber(x));
  const w = Math.min(12, Math.max(...labels.map((l) => l.length), 6));
  const chart = asciichart.plot(pts, {
    height: HEIGHT,
    format: (x: number) => fmtNumber(Number(x.toPrecision(4))).padStart(w),
  });
  const per = k === 1 ? 'per step' : `every ${k} steps`;
  return `${label} over ${finite.length} steps (${per}):\n${chart}`;
}
