// The progress line for long runs: step, objective, rate and ETA, redrawn at most 10 times a
// second on a TTY (stderr). In a pipe it prints nothing, so scripts see only results.

export interface ProgressLine {
  update(step: number, total: number, f: number): void;
  done(): void;
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr, label = 'step'): ProgressLine {
  if (!stream.isTTY) return { update() {}, done() {} };
  const start = performance.now();
  let last = 0;
  let drawn = false;
  return {
    update(step, total, f) {
      const now = performance.now();
      if (now - last < 100 && step < total) return;
      last = now;
      const secs = (now - start) / 1000;
      const rate = step / Math.max(secs, 1e-9);
      const frac = total > 0 ? Math.min(1, step / total) : 0;
      const width = 24;
      const fill = Math.round(frac * width);
      const eta = rate > 0 ? (total - step) / rate : Infinity;
      const line = `${label} ${step}/${total} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] f=${f.toPrecision(6)} ${rate.toFixed(0)}/s ETA ${fmtSecs(eta)}`;
      stream.write(`\r${line.slice(0, (stream.columns || 100) - 1)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

function fmtSecs(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}
