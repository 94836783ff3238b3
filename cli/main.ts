// The CLI entry: dispatches to a command and maps failures to exit codes. A user error prints a
// message (never a stack trace); an unexpected exception is an internal error (exit 2) with a
// request to report it. PROXIMA_DEBUG=1 prints the stack of internal errors.

import { TOP_HELP } from './help.js';
import { UsageError } from './options.js';
import { EXIT } from './exit_codes.js';
import { PROXIMA_VERSION } from '../compiler/index.js';

type Command = (argv: readonly string[]) => Promise<number>;

// Commands load lazily: `--help`, `--version` and `fmt` should not pay for the compiler.
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  check: async () => (await import('./commands/check.js')).checkCommand,
  graph: async () => (await import('./commands/graph.js')).graphCommand,
  fmt: async () => (await import('./commands/fmt.js')).fmtCommand,
  methods: async () => (await import('./commands/methods.js')).methodsCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  repl: async () => (await import('./repl.js')).replCommand,
};

export async function main(argv: readonly string[]): Promise<number> {
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
  try {
    return await (
      await load()
    )(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      return EXIT.userError;
    }
    console.error(`proxima: internal error: ${(e as Error)?.message ?? String(e)}`);
    console.error('This is a bug in Proxima. Please report it with the command and the files that caused it.');
    if (process.env.PROXIMA_DEBUG) console.error((e as Error)?.stack);
    return EXIT.internal;
  }
}
