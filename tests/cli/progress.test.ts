// The progress line: drawn on a TTY (throttled, cleared at the end), silent in a pipe.
import { describe, expect, it } from 'vitest';
import { progressBar } from '../../cli/progress.js';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    stream: { isTTY, columns: 0, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream,
    chunks,
  };
}

describe('progressBar', () => {
  it('draws step, objective, rate and ETA on a TTY and clears the line when done', () => {
    const { stream, chunks } = fakeStream(true);
    const bar = progressBar(stream);
    bar.update(10, 100, 1.5);
    bar.update(11, 100, 1.4); // throttled: within 100 ms of the last draw
    bar.update(100, 100, 0.5); // the last step is always drawn
    bar.done();
    expect(chunks).toHaveLength(3);
    expect(chunks[0]).toMatch(/^\rstep 10\/100 \[##\.+\] f=1\.50000 \d+\/s ETA \d+s\x1b\[K$/);
    expect(chunks[1]).toMatch(/step 100\/100 \[#{24}\] f=0\.500000/);
    expect(chunks[2]).toBe('\r\x1b[K');
  });
  it('prints nothing in a pipe', () => {
    const { stream, chunks } = fakeStream(false);
    const bar = progressBar(stream);
    bar.update(1, 10, 1);
    bar.done();
    expect(chunks).toEqual([]);
  });
});
