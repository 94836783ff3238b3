// The CLI entry: dispatches to a command and maps failures to exit codes. A user error prints a
// message (never a stack trace); an unexpected exception is an internal error (exit 2) with a
// request to report it. PROXIMA_DEBUG=1 prints the stack of internal errors. Under --json
// (`run`, `check`) every exit path prints exactly one JSON object on stdout: usage errors and
// internal errors included (docs/cli.md).

import { TOP_HELP } from './help.js';
import { UsageError } from './options.js';
import { EXIT } from './exit_codes.js';
import { installInterrupts } from './interrupts.js';
import { PROXIMA_VERSION } from '../compiler/index.js';

type Command = (argv: readonly string[]) => Promise<number>;

/** What the bin saw before the CLI loaded. */
export interface StartInfo {
  /** Ctrl-C presses during start-up. */
  interrupts?: number;
}

// Commands load lazily: `--help`, `--version` and `fmt` should not pay for the compiler.
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  check: async () => (await import('./commands/check.js')).checkCommand,
  graph: async () => (await import('./commands/graph.js')).graphCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  fmt: async () => (await import('./commands/fmt.js')).fmtCommand,
  methods: async () => (await import('./commands/methods.js')).methodsCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  repl: async () => (await import('./repl.js')).replCommand,
};

/** The commands whose --json promises one JSON object on every path. */
const JSON_COMMANDS = new Set(['run', 'check']);

export async function main(argv: readonly string[], start: StartInfo = {}): Promise<number> {
  installInterrupts(start.interrupts ?? 0);
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(TOP_HELP);
    return cmd === undefined ? EXIT.userError : EXIT.ok;
  }
  if (cmd === '--version' || cmd === '-v') {
    console.log(PROXIMA_VERSION);
    return EXIT.ok;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    const near = Object.keys(COMMANDS).find((c) => c.startsWith(cmd.slice(0, 2)));
    console.error(
      `proxima: unknown command \`${cmd}\`${near ? `; did you mean \`${near}\`?` : ''} (see proxima --help)`,
    );
    return EXIT.userError;
  }
  const json = JSON_COMMANDS.has(cmd) && rest.includes('--json');
  try {
    return await (
      await load()
    )(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      if (json) await printFailure(cmd, rest, e.message);
      else console.error(e.message);
      return EXIT.userError;
    }
    const message = `proxima: internal error: ${(e as Error)?.message ?? String(e)}`;
    const hint = 'This is a bug in Proxima. Please report it with the command and the files that caused it.';
    if (json) await printFailure(cmd, rest, message, hint);
    console.error(message);
    console.error(hint);
    if (process.env.PROXIMA_DEBUG) console.error((e as Error)?.stack);
    return EXIT.internal;
  }
}

/** The one JSON object of a failed `run` or `check`: a result with status `error` (ok: false). */
async function printFailure(cmd: string, args: readonly string[], message: string, hint?: string): Promise<void> {
  const { failureJson } = await import('./failure_json.js');
  process.stdout.write(JSON.stringify(failureJson(cmd, args, message, hint)) + '\n');
}
