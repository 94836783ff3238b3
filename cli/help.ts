// Help texts of every command, one place; docs/cli.md documents the same options at length.

export const TOP_HELP = `proxima: models, objectives and constraints in .opt files, compiled and solved

usage: proxima <command> [options]

commands:
  run FILE      compile and run a program (solve or infer), print the result
  check FILE    check names, types and shapes; print the decomposition and the algorithm
  graph FILE    print the compiled graph (text, dot or json)
  export FILE   write the program as a PyTorch package (runs under torchrun)
  fmt FILE...   format .opt files in the canonical layout
  methods       the options table of every solve and infer method
  repl [FILE]   an interactive session (docs/repl.md)
  serve         the playground in a browser: editor, runs on WebGL/WebGPU, plots

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
  --draws N                   posterior draws behind the summaries (vi: default 4000; nuts/hmc:
                              draws per chain, default the draws option)
  --draws-out FILE.csv|.json  write the posterior draws (inference; MCMC adds the chain column
                              and the sampler's columns)
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

export const GRAPH_HELP = `usage: proxima graph FILE [--grad] [--format text|dot|json|js] [--data F] [--set k=v]

Compiles FILE with its data and prints the graph of its objective (or log density).
  --grad               the value-and-gradient graph instead of the value graph
  --format text|dot|json|js  output format (default text); js: the code the js backend generates
  --data, --set        as for proxima run`;

export const EXPORT_HELP = `usage: proxima export FILE --to torch [--out DIR] [--rows NAME|none] [--data F] [--set k=v]

Writes FILE as a self-contained Python package for PyTorch (float64): model.py (the objective,
or the log density with its transforms, and the values, generated from the compiled graph),
data.json (the bound data), program.json (layout, start point, method, the rows to shard) and
driver.py (runs the method with torch.optim, or VI with Adam; data-parallel under torchrun).
  --to torch       the target (the only one)
  --out DIR        the package's folder (default: FILE's name with _torch, in the current folder)
  --rows NAME      the data array whose leading dimension is the rows that data-parallel runs
                   shard (default: the largest array's); none: no sharding
  --data, --set    as for proxima run
A construct or method without an export is an error that lists every one. docs/scale-out.md`;

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

export const SERVE_HELP = `usage: proxima serve [--port N] [--host H] | proxima serve --build DIR

Builds the playground (web/) and serves it on http://localhost:N/ (default 8080; 0 picks a free
port): an editor with inline diagnostics, the example gallery, data upload, runs in a Web Worker
on any backend the browser has (webgpu, webgl, wasm, cpu, ref), plots and shareable links.
  --port N     the port (default 8080)
  --host H     the interface to listen on (default 127.0.0.1)
  --build DIR  write the playground as static files to DIR and exit (serve them with the
               COOP/COEP headers of docs/backends.md for WebGPU)
Needs a clone of the repository (the playground is built from its sources). docs/backends.md`;
