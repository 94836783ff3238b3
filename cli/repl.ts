// `proxima repl`: the terminal around a ReplSession (cli/repl_session.ts), on Node's readline:
// prompt and continuation prompt (an entry continues while a bracket is open or a line ends in an
// operator), tab completion (cli/repl_complete.ts), a persistent history file, Ctrl-C (stops a
// running solve, with its iterate kept; at the prompt it drops the entry being typed) and Ctrl-D
// (quits). Lines typed while an entry runs wait their turn. Piped input works too: no prompts.

import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROXIMA_VERSION } from '../compiler/index.js';
import { parseOptions, UsageError } from './options.js';
import { progressBar } from './progress.js';
import { complete } from './repl_complete.js';
import { ReplSession } from './repl_session.js';

export const REPL_HELP = `usage: proxima repl [FILE.opt] [--backend NAME] [--history FILE]

An interactive session: statements and expressions of the language, evaluated as you type them.
FILE.opt is loaded first (as :load FILE does). :help inside lists the commands.
  --backend auto|ref|cpu|wasm  the backend for solves (default auto; :backend changes it)
  --history FILE               the history file (default $PROXIMA_HISTORY, else ~/.proxima_history;
                               an empty value keeps no history)
docs: docs/repl.md`;

const PROMPT = 'proxima> ';
const MORE = '     ... ';

export async function replCommand(argv: readonly string[]): Promise<number> {
  const { values: o, positionals } = parseOptions('repl', argv, {
    backend: { type: 'string' },
    history: { type: 'string' },
  } as const);
  if (o.help) {
    console.log(REPL_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('proxima repl: give at most one .opt file to load');
  const tty = !!process.stdin.isTTY && !!process.stdout.isTTY;
  const historyFile = o.history ?? process.env.PROXIMA_HISTORY ?? join(homedir(), '.proxima_history');

  const session = new ReplSession({
    out: (t) => process.stdout.write(t + '\n'),
    err: (t) => process.stderr.write(t + '\n'),
    progress: () => progressBar(process.stderr),
  });
  if (o.backend) await session.entry(`:backend ${o.backend}`, { shouldStop: () => false });

  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: tty,
    prompt: PROMPT,
    completer: (line: string) => complete(line, session.names()),
    history: tty ? readHistory(historyFile) : [],
    historySize: 1000,
    removeHistoryDuplicates: true,
  });
  if (tty && historyFile) rl.on('history', (h: string[]) => saveHistory(historyFile, h));

  let buffer: string[] = [];
  const queue: string[] = [];
  let running = false;
  let stop = false;
  let closed = false;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));

  const prompt = () => {
    if (!tty || closed) return;
    rl.setPrompt(buffer.length ? MORE : PROMPT);
    rl.prompt();
  };
  const interrupt = () => {
    if (running) {
      stop = true;
      return;
    }
    // At the prompt: drop what is being typed.
    if (tty) {
      rl.write('', { ctrl: true, name: 'e' });
      rl.write('', { ctrl: true, name: 'u' });
      process.stdout.write('^C\n');
    }
    buffer = [];
    prompt();
  };
  rl.on('SIGINT', interrupt);
  process.on('SIGINT', interrupt);

  const pump = async () => {
    while (!running && queue.length) {
      buffer.push(queue.shift()!);
      const text = buffer.join('\n');
      if (ReplSession.incomplete(text)) {
        prompt();
        continue;
      }
      buffer = [];
      running = true;
      stop = false;
      try {
        await session.entry(text, { shouldStop: () => stop });
      } catch (e) {
        process.stderr.write(`internal error: ${(e as Error)?.message ?? String(e)}\n`);
        if (process.env.PROXIMA_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
      }
      running = false;
      if (session.quit) rl.close();
      prompt();
    }
    if (closed && !running && queue.length === 0) done();
  };
  rl.on('line', (line) => {
    queue.push(line);
    void pump();
  });
  rl.on('close', () => {
    closed = true;
    // Ctrl-D stops a running solve; the end of piped input lets the queued entries finish.
    if (tty) {
      stop = true;
      process.stdout.write('\n');
    }
    void pump();
  });

  if (tty) process.stdout.write(`Proxima ${PROXIMA_VERSION}: :help for help, Ctrl-D to quit\n`);
  if (positionals[0]) queue.push(`:load ${positionals[0]}`);
  if (queue.length) void pump();
  else prompt();
  await finished;
  process.off('SIGINT', interrupt);
  return 0;
}

function readHistory(file: string): string[] {
  if (!file) return [];
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse();
  } catch {
    return [];
  }
}

function saveHistory(file: string, h: readonly string[]): void {
  try {
    writeFileSync(file, [...h].reverse().join('\n') + '\n');
  } catch {
    // A history that cannot be written must not stop the session.
  }
}
