// A program driven through a real pseudo-terminal, as a person would: tmux runs it in a detached
// pane of a fixed size on a private server (its own socket, no user config), keys go in with
// send-keys, and the screen comes back with capture-pane. `waitFor` polls the screen until a
// pattern shows, so tests wait for the program rather than for fixed delays.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Tmux {
  private static n = 0;
  readonly socket: string;
  readonly name = 'main';
  readonly statusFile: string;

  private constructor(socket: string) {
    this.socket = socket;
    this.statusFile = join(tmpdir(), `${socket}.status`);
  }

  /**
   * Starts `command` (a shell line) in a cols x rows pane; the pane stays when the program exits.
   * The shell that runs it writes its exit status to a file: tmux sometimes leaves an exited pane
   * process unreaped (a zombie, with no `pane_dead_status`), so the status is taken from the file.
   */
  static start(
    command: string,
    opts: { cols?: number; rows?: number; cwd?: string; env?: Record<string, string> } = {},
  ) {
    const t = new Tmux(`proxima-test-${process.pid}-${Tmux.n++}`);
    const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const line = `${env.length ? `env ${env.join(' ')} ` : ''}${command}; echo $? > ${shellQuote(t.statusFile)}`;
    t.tmux(
      'new-session',
      '-d',
      '-s',
      t.name,
      '-x',
      String(opts.cols ?? 100),
      '-y',
      String(opts.rows ?? 40),
      ...(opts.cwd ? ['-c', opts.cwd] : []),
      line,
      ';',
      'set-option',
      '-t',
      t.name,
      'remain-on-exit',
      'on',
    );
    return t;
  }

  /** Types text literally (no key names). */
  type(text: string): void {
    // tmux reads an argument that ends in `;` as a command separator unless it is escaped.
    this.tmux('send-keys', '-t', this.name, '-l', text.replace(/;$/, '\\;'));
  }

  /** Sends key names: Enter, Tab, C-c, C-d, ... */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  /** Types a line and presses Enter. */
  line(text: string): void {
    this.type(text);
    this.keys('Enter');
  }

  /** The visible screen, trailing blanks trimmed. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name)
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .replace(/\n+$/, '');
  }

  /** Whether the program has exited, and its exit status (from the file its shell writes). */
  exited(): { dead: boolean; status: number | null } {
    if (!existsSync(this.statusFile)) return { dead: false, status: null };
    const text = readFileSync(this.statusFile, 'utf8').trim();
    // The shell may not have finished writing: no status yet means not exited yet.
    return text ? { dead: true, status: Number(text) } : { dead: false, status: null };
  }

  /** Polls the screen until `test` holds; returns the screen, or throws with it after `ms`. */
  async waitFor(test: RegExp | ((screen: string) => boolean), ms = 20_000): Promise<string> {
    const ok = typeof test === 'function' ? test : (s: string) => test.test(s);
    const end = Date.now() + ms;
    let s = '';
    while (Date.now() < end) {
      s = this.screen();
      if (ok(s)) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${String(test)}; the screen was:\n${s}`);
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(this.statusFile, { force: true });
  }

  private tmux(...args: string[]): string {
    // CI may run with no TERM at all; the tmux client wants one even when detached.
    const env = { ...process.env, TERM: process.env.TERM || 'xterm' };
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
  }
}

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
