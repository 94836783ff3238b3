// `proxima repl` driven as a person would, through a real pseudo-terminal (tmux): each entry is
// typed, and the screen it leaves (from its prompt line to the next prompt) is compared with the
// expected screen. Covered: multi-line entry, tab completion (unique, and the list of
// candidates), an error and the recovery after it, :grad, :load and :run, Ctrl-C during a long
// solve (status stopped, the iterate kept), the history file, and Ctrl-D (exit status 0).
// Timings and the progress line vary from run to run and are checked by pattern only.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tmux, hasTmux } from '../helpers/tmux.js';

const ROOT = join(import.meta.dirname, '../..');
const HISTORY = join(mkdtempSync(join(tmpdir(), 'proxima-repl-')), 'history');
const start = () =>
  Tmux.start(`${process.execPath} cli/proxima.js repl`, {
    cwd: ROOT,
    cols: 100,
    rows: 150,
    env: { PROXIMA_HISTORY: HISTORY, TERM: 'xterm' },
  });

/** The screen from the entry's prompt line to the next bare prompt, after typing `lines`. */
async function enter(t: Tmux, ...lines: string[]): Promise<string> {
  const before = t.screen().split('\n');
  for (const l of lines) t.line(l);
  const after = await t.waitFor((s) => {
    const ls = s.split('\n');
    return ls.length > before.length && ls[ls.length - 1] === 'proxima>';
  });
  return after
    .split('\n')
    .slice(before.length - 1, -1)
    .join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasTmux())('proxima repl in a terminal', () => {
  let t: Tmux;
  beforeAll(async () => {
    t = start();
    await t.waitFor(/^proxima>/m, 60_000);
  });
  afterAll(() => t?.kill());

  it('greets, then continues an entry while a bracket is open', async () => {
    expect(t.screen()).toBe('Proxima 0.1.0: :help for help, Ctrl-D to quit\nproxima>');
    expect(await enter(t, 'let A = [1, 2;', '  3, 4]')).toBe(
      ['proxima> let A = [1, 2;', '     ...   3, 4]', 'A: int[2, 2]', '  [1  2', '   3  4]'].join('\n'),
    );
  });

  it('completes a unique name with Tab, and lists the candidates on a second Tab', async () => {
    t.type('sums');
    t.keys('Tab');
    await t.waitFor(/^proxima> sumsq$/m);
    expect(await enter(t, '(A)')).toBe('proxima> sumsq(A)\nreal  30');
    t.type('su');
    t.keys('Tab');
    await sleep(200);
    t.keys('Tab');
    const s = await t.waitFor(/subject to +sum +sumsq/);
    expect(s.split('\n').slice(-3)).toEqual(['subject to  sum         sumsq', '', 'proxima> su']);
    t.keys('C-c');
    await t.waitFor((x) => x.endsWith('proxima> ^C\nproxima>'));
  });

  it('completes a method option inside its parentheses', async () => {
    t.type('solve lbfgs(hi');
    t.keys('Tab');
    await t.waitFor(/^proxima> solve lbfgs\(history$/m);
    t.keys('C-c');
    await t.waitFor((x) => x.endsWith('^C\nproxima>'));
  });

  it('shows an error with its caret on the entry, and carries on', async () => {
    expect(await enter(t, 'A @ y')).toBe(
      ['proxima> A @ y', '[3]:1:5: error: unknown name `y`', ' 1 | A @ y', '   |     ^'].join('\n'),
    );
    expect(await enter(t, 'A @ [1, 1]')).toBe('proxima> A @ [1, 1]\nreal[2]  [3, 7]');
  });

  it(':grad e wrt x differentiates at the current point', async () => {
    expect(await enter(t, 'var x: real[2]')).toBe('proxima> var x: real[2]');
    expect(await enter(t, 'start x = [1, 1]')).toBe('proxima> start x = [1, 1]');
    expect(await enter(t, ':grad sumsq(A @ x) wrt x')).toBe(
      ['proxima> :grad sumsq(A @ x) wrt x', 'value: 58', 'd/dx = real[2]  [48, 68]'].join('\n'),
    );
  });

  it(':load adds a file (its data from its directory), :run solves it, and the values stay', async () => {
    expect(await enter(t, ':reset')).toBe('proxima> :reset\nsession cleared');
    expect(await enter(t, ':load tests/repl/fixtures/ls.opt')).toBe(
      [
        'proxima> :load tests/repl/fixtures/ls.opt',
        'data: A [3 x 2], b [3]',
        'loaded tests/repl/fixtures/ls.opt: 4 statements (A, b, x); :run runs its solve',
      ].join('\n'),
    );
    const out = (await enter(t, ':run')).split('\n');
    expect(out.slice(0, 2)).toEqual(['proxima> :run', expect.stringMatching(/^status: +converged \(/)]);
    expect(out[2]).toBe('objective: 0.444444');
    expect(out[3]).toMatch(/^steps: +\d+ +time \d+ ms +backend js$/);
    expect(out[4]).toBe('x = real[2]  [1.44444, 1.11111]');
    expect(out[5]).toMatch(/^objective over \d+ steps \(per step\):$/);
    expect(out.slice(6)).toHaveLength(9); // the chart's rows
    expect(await enter(t, 'A @ x - b')).toBe('proxima> A @ x - b\nreal[3]  [0.444444, 0.222222, -0.444444]');
  });

  it('Ctrl-C stops a long solve: status stopped, the iterate kept, the REPL still there', async () => {
    const before = t.screen().split('\n').length;
    t.line('solve adam(steps = 100000000, tol = 1e-300, lr = 1e-4)');
    await t.waitFor(/step \d+\/100000000 \[/);
    await sleep(300);
    t.keys('C-c');
    const s = await t.waitFor((x) => x.split('\n').length > before + 2 && x.endsWith('\nproxima>'));
    const out = s.split('\n').slice(before - 1, -1);
    expect(out[0]).toBe('proxima> solve adam(steps = 100000000, tol = 1e-300, lr = 1e-4)');
    // The status says why it stopped and, in numbers, that the method's own test did not hold.
    expect(out[1]).toMatch(/^status: {4}stopped \(stopped by the user; gradient norm \S+ > /);
    expect(out.some((l) => /^steps: +\d+ /.test(l))).toBe(true);
    const x = out.find((l) => l.startsWith('x = '))!;
    expect(x).toMatch(/^x = real\[2\]  \[/);
    // The note points at the objective, in the file it was loaded from.
    expect(
      out.some((l) => l.startsWith('tests/repl/fixtures/ls.opt:7:1: note: adam stopped: stopped by the user')),
    ).toBe(true);
    // The stopped iterate is the session's point now.
    expect(await enter(t, 'x')).toBe(`proxima> x\n${x.slice('x = '.length)}`);
  });

  it('Ctrl-D quits with status 0, and the history file keeps the entries', async () => {
    t.keys('C-d');
    await t.waitFor(() => t.exited().dead);
    expect(t.exited().status).toBe(0);
    const history = readFileSync(HISTORY, 'utf8').split('\n');
    expect(history).toContain(':grad sumsq(A @ x) wrt x');
    expect(history.filter((l) => l).at(-1)).toBe('x');
    // A new session recalls them with the up arrow.
    const u = start();
    try {
      await u.waitFor(/^proxima>/m, 60_000);
      u.keys('Up');
      await u.waitFor(/^proxima> x$/m);
      u.keys('Up');
      await u.waitFor(/^proxima> solve adam\(steps = 100000000/m);
    } finally {
      u.kill();
    }
  });
});
