// The progress line for long runs: step, objective (MCMC: each chain's percentage, `w` while in
// warmup, and the divergences so far), rate and ETA, redrawn at most 10 times a
// second on a TTY (stderr). In a pipe it prints nothing, so scripts see only results.

export interface ProgressLine {
  update(step: number, total: number, f: number, chains?: readonly ChainLine[]): void;
  done(): void;
}

/** MCMC: one chain's progress. */
export interface ChainLine {
  chain: number;
  iteration: number;
  total: number;
  warmup: boolean;
  divergences: number;
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr, label = 'step'): ProgressLine {
  if (!stream.isTTY) return { update() {}, done() {} };
  const start = performance.now();
  let last = 0;
  let drawn = false;
  return {
    update(step, total, f, chains) {
      const now = performance.now();
      if (now - last < 100 && step < total) return;
      last = now;
      const secs = (now - start) / 1000;
      const rate = step / Math.max(secs, 1e-9);
      const frac = total > 0 ? Math.min(1, step / total) : 0;
      const width = 24;
      const fill = Math.round(frac * width);
      const eta = rate > 0 ? (total - step) / rate : Infinity;
      const what = chains
        ? chains
            .map((c) => `${c.chain}:${Math.floor((100 * c.iteration) / c.total)}%${c.warmup ? 'w' : ''}`)
            .join(' ') +
          (chains.some((c) => c.divergences) ? ` div ${chains.reduce((a, c) => a + c.divergences, 0)}` : '')
        : `f=${f.toPrecision(6)}`;
      const line = `${chains ? 'chains' : label} ${step}/${total} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${what} ${rate.toFixed(0)}/s ETA ${fmtSecs(eta)}`;
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
