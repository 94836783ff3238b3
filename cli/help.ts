// Help texts of every command, one place; docs/cli.md documents the same options at length.

export const TOP_HELP = `proxima: models, objectives and constraints in .opt files, compiled and solved

usage: proxima <command> [options]

commands:
  run FILE      compile and run a program (solve or infer), print the result
  check FILE    check names, types and shapes; print the decomposition and the algorithm
  graph FILE    print the compiled graph (text, dot or json)
  fmt FILE...   format .opt files in the canonical layout
  methods       the options table of every solve and infer method
  repl [FILE]   an interactive session (docs/repl.md)

options:
  --help        help for a command: proxima run --help
  --version     print the version

docs: docs/cli.md`;

export const RUN_HELP = `usage: proxima run FILE [options]

Compiles FILE with its data and runs its top-level solve (or infer), printing the result.

data:
  --data FILE.json|FILE.csv   data file (repeatable; later files override earlier ones, with a
                              warning per overridden key); default: the program's \`data from\`
  --set name=VALUE            set one data entry; VALUE is JSON (beats every --data)
run:
  --backend auto|ref|cpu|wasm the backend (default auto: ref for small graphs)
  --seed N                    random seed (default 1)
  --steps N                   override the step budget of the top-level solve or infer
  --draws N                   posterior draws behind the summaries (inference; default 4000)
  --draws-out FILE.csv|.json  write the posterior draws (inference)
output:
  --json                      print exactly one JSON object on stdout (also on errors)
  --out FILE                  write the same JSON object to FILE
checkpoints:
  --checkpoint FILE           save the complete solver state to FILE (atomically)
  --checkpoint-every N        save every N steps (default 100)
  --resume                    continue from the checkpoint FILE (same program, data, seed, options)

exit codes: 0 converged or max_steps, 1 user error, 2 internal error, 3 diverged or infeasible,
130 stopped (Ctrl-C: the result so far is reported with status "stopped").`;

export const CHECK_HELP = `usage: proxima check FILE [--json]

Checks names, types and shapes without data, and prints the objective's decomposition (smooth
part, prox-able terms, simple sets, general constraints) and the algorithm it implies.
  --json   print the check result as one JSON object
Exit code 1 when there are errors.`;

export const GRAPH_HELP = `usage: proxima graph FILE [--grad] [--format text|dot|json] [--data F] [--set k=v]

Compiles FILE with its data and prints the graph of its objective (or log density).
  --grad               the value-and-gradient graph instead of the value graph
  --format text|dot|json  output format (default text)
  --data, --set        as for proxima run`;

export const FMT_HELP = `usage: proxima fmt FILE... [--check] [--write]

Formats .opt files in the canonical layout (comments are kept).
  (default)   print the formatted text of each file to stdout
  --write     rewrite the files in place
  --check     exit 1 when any file would change (prints their names); writes nothing`;

export const METHODS_HELP = `usage: proxima methods [--json]

Prints the options table of every \`solve\` and \`infer\` method, generated from the method
table: what each method takes, its options (default, range), and what \`steps\` counts and
\`tol\` measures.
  --json   the entries as one JSON array`;
