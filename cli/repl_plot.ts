// The small plot of an objective trace that ends a REPL solve: asciichart's line chart, the trace
// thinned to at most WIDTH points (every k-th step, the last one always kept).

import * as asciichart from 'asciichart';

const WIDTH = 60;
const HEIGHT = 8;

export function traceChart(trace: readonly number[], title = 'objective'): string | null {
  const finite = trace.filter((x) => Number.isFinite(x));
  if (finite.length < 3) return null;
  const k = Math.ceil(finite.length / WIDTH);
  const pts = finite.filter((_, i) => i % k === 0);
  if ((finite.length - 1) % k !== 0) pts.push(finite[finite.length - 1]!);
  // Enough significant digits that neighbouring labels differ (a flat trace keeps 4).
  const lo = Math.min(...pts);
  const hi = Math.max(...pts);
  const scale = Math.max(Math.abs(lo), Math.abs(hi));
  const digits =
    hi > lo && scale > 0 ? Math.min(12, Math.max(4, Math.ceil(Math.log10(scale / ((hi - lo) / HEIGHT))) + 1)) : 4;
  const label = (x: number) => String(Number(x.toPrecision(digits)));
  const w = Math.max(...Array.from({ length: HEIGHT + 1 }, (_, i) => label(lo + ((hi - lo) * i) / HEIGHT).length));
  const chart = asciichart.plot(pts, { height: HEIGHT, format: (x: number) => label(x).padStart(w) });
  const per = k === 1 ? 'per step' : `every ${k} steps`;
  return `${title} over ${finite.length} steps (${per}):\n${chart}`;
}
