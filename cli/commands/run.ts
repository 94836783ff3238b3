// `proxima run`: data binding, compilation, the run with progress, Ctrl-C and checkpoints, and
// the result as text or one JSON object. User errors become a result with status "error" (also
// in --json mode, so scripts always get exactly one object). Every file the run will write is
// checked before it starts; a write that fails after the run still prints the result, with an
// error message, and exits 1 (output_files.ts).

import { existsSync, writeFileSync } from 'node:fs';
import {
  compile,
  run,
  fingerprint,
  CompileError,
  PROXIMA_VERSION,
  BACKENDS,
  type CheckpointHooks,
  type CompiledProgram,
  type RunResult,
} from '../../compiler/index.js';
import { DEFAULT_SEED, runResult } from '../../compiler/index.js';
import { fileMessage, type Message } from '../../compiler/index.js';
import { RUN_HELP } from '../help.js';
import { parseOptions, intOption, sizeOption, UsageError } from '../options.js';
import { progressBar } from '../progress.js';
import { readCheckpoint, writeCheckpoint, CheckpointError } from '../checkpoint_file.js';
import { exitCodeForStatus } from '../exit_codes.js';
import { drawsFormat, writeDraws } from '../draws_file.js';
import { checkWritable, ioMessage } from '../output_files.js';
import { interrupted, setLastWord } from '../interrupts.js';
import type { DrawTable } from '../../compiler/index.js';
import { printResult } from '../result_text.js';

const OPTIONS = {
  data: { type: 'string', multiple: true },
  set: { type: 'string', multiple: true },
  backend: { type: 'string' },
  seed: { type: 'string' },
  steps: { type: 'string' },
  draws: { type: 'string' },
  'draws-out': { type: 'string' },
  json: { type: 'boolean' },
  out: { type: 'string' },
  checkpoint: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  resume: { type: 'boolean' },
  'max-memory': { type: 'string' },
} as const;

export async function runCommand(argv: readonly string[]): Promise<number> {
  const out = new Output(argv.includes('--json'));
  // A second Ctrl-C leaves at once; under --json it still prints one object.
  if (out.json) out.armLastWord();
  try {
    const a = parseRunArgs(out, argv);
    if (a === 'help') {
      setLastWord(null);
      console.log(RUN_HELP);
      return 0;
    }
    const { o, file } = a;
    if (!existsSync(file)) return out.fail([fileMessage('error', file, `cannot read ${file}: no such file`)]);

    const extra: Message[] = [];
    const t0 = performance.now();
    let compiled;
    try {
      compiled = await compile(file, {
        dataFiles: o.data,
        set: o.set,
        backend: out.backend as never,
        seed: out.seed,
        maxMemory: a.maxMemory,
      });
    } catch (e) {
      if (e instanceof CompileError) {
        const r = runResult(
          {
            status: 'error',
            messages: [...extra, ...e.messages],
            seed: out.seed,
            backend: out.backend,
            compile_ms: performance.now() - t0,
          },
          file,
        );
        return out.emit(r, o.out);
      }
      throw e;
    }

    if ((o.draws || a.drawsOut) && !compiled.checked.infer)
      extra.push(
        fileMessage('warning', file, '--draws and --draws-out apply to inference (`infer`); this run ignores them'),
      );
    const drawsFile = drawsWriter(a.drawsOut && compiled.checked.infer ? a.drawsOut : undefined);
    let saves: CheckpointSaves | undefined;
    if (o.checkpoint) {
      try {
        saves = checkpointSaves(compiled, o.checkpoint, a);
      } catch (e) {
        if (e instanceof CheckpointError) return out.fail([...extra, fileMessage('error', file, e.message)]);
        throw e;
      }
    }
    return await runAndReport(out, a, compiled, extra, drawsFile, saves);
  } catch (e) {
    if (e instanceof UsageError) {
      if (out.json) return out.fail([fileMessage('error', out.file || 'proxima', e.message)]);
      setLastWord(null);
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

/** Where the result goes, and what a result made before the run knows: the file, seed, backend. */
class Output {
  file = '';
  seed = DEFAULT_SEED;
  backend = 'auto';
  constructor(readonly json: boolean) {}

  /** Writes --out, prints the result (text or one JSON object) and gives the exit code. */
  emit(r: RunResult, out?: string): number {
    setLastWord(null);
    if (out) {
      try {
        writeFileSync(out, JSON.stringify(r, null, 2) + '\n');
      } catch (e) {
        r.messages.push(this.writeFailure(r, `the result to --out ${out}`, e));
        r.status = 'error';
      }
    }
    if (this.json) process.stdout.write(JSON.stringify(r) + '\n');
    else printResult(r);
    return exitCodeForStatus(r.status, r.diagnostics.stopped_by !== 'method');
  }

  fail(messages: Message[]): number {
    return this.emit(
      runResult({ status: 'error', messages, seed: this.seed, backend: this.backend }, this.file),
      undefined,
    );
  }

  writeFailure(r: RunResult, what: string, e: unknown): Message {
    return fileMessage(
      'error',
      this.file,
      `cannot write ${what}: ${ioMessage(e)}`,
      r.status === 'error' ? undefined : `the run itself ended ${r.status}; its result is printed here`,
    );
  }

  /** Under --json, the one object a second Ctrl-C prints as it leaves. */
  armLastWord(): void {
    setLastWord(() =>
      process.stdout.write(
        JSON.stringify(
          runResult(
            {
              status: 'stopped',
              messages: [
                fileMessage('warning', this.file || 'proxima', 'stopped at once by a second Ctrl-C; no result'),
              ],
              seed: this.seed,
              backend: this.backend,
            },
            this.file || 'proxima',
          ),
        ) + '\n',
      ),
    );
  }
}

type Parsed = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

/** The command line, checked before anything runs (every file the run will write included). */
interface RunArgs {
  o: Parsed;
  file: string;
  steps: number | undefined;
  draws: number | undefined;
  maxMemory: ReturnType<typeof sizeOption>;
  drawsOut: string | undefined;
  every: number;
}

/** Parses and checks the options, setting the file, seed and backend on `out` as it goes. */
function parseRunArgs(out: Output, argv: readonly string[]): RunArgs | 'help' {
  const { values: o, positionals } = parseOptions('run', argv, OPTIONS);
  if (o.help) return 'help';
  if (positionals.length !== 1)
    throw new UsageError('proxima run: give exactly one .opt file (see proxima run --help)');
  const file = (out.file = positionals[0]!);
  out.seed = intOption('run', 'seed', o.seed, 0) ?? DEFAULT_SEED;
  const steps = intOption('run', 'steps', o.steps, 0);
  const draws = intOption('run', 'draws', o.draws, 1);
  const maxMemory = sizeOption('run', 'max-memory', o['max-memory']);
  const drawsOut = o['draws-out'];
  if (drawsOut !== undefined && !drawsFormat(drawsOut))
    throw new UsageError(`proxima run: --draws-out writes .csv or .json files, not \`${drawsOut}\``);
  if (o['checkpoint-every'] !== undefined && o.checkpoint === undefined)
    throw new UsageError('proxima run: --checkpoint-every needs --checkpoint FILE (where to save)');
  const every = intOption('run', 'checkpoint-every', o['checkpoint-every'], 1) ?? 100;
  const backend = (out.backend = o.backend ?? 'auto');
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(`proxima run: unknown backend \`${backend}\`; choose one of ${BACKENDS.join(', ')}`);
  }
  if (o.resume && !o.checkpoint)
    throw new UsageError('proxima run: --resume needs --checkpoint FILE (the checkpoint to continue from)');
  if (o.resume && !existsSync(o.checkpoint!))
    throw new UsageError(
      `proxima run: --resume: the checkpoint ${o.checkpoint} does not exist (run once with --checkpoint ${o.checkpoint} to create it)`,
    );
  checkWritable('run', '--out', o.out);
  checkWritable('run', '--checkpoint', o.checkpoint);
  checkWritable('run', '--draws-out', drawsOut);
  return { o, file, steps, draws, maxMemory, drawsOut, every };
}

/** The draws' writer for --draws-out (none without it); a failed write is kept for the result. */
function drawsWriter(path: string | undefined): { onDraws?: (t: DrawTable) => void; error: unknown } {
  const w: { onDraws?: (t: DrawTable) => void; error: unknown } = { error: null };
  if (path)
    w.onDraws = (t) => {
      try {
        writeDraws(path, t);
      } catch (e) {
        w.error = e;
      }
    };
  return w;
}

interface CheckpointSaves {
  checkpoint: CheckpointHooks;
  /** The first save that failed (later saves are skipped). */
  error: unknown;
}

/** --checkpoint: the resumed state (--resume; a bad file throws CheckpointError) and the saves. */
function checkpointSaves(compiled: CompiledProgram, path: string, a: RunArgs): CheckpointSaves {
  const fp = fingerprint(compiled, { steps: a.steps });
  const resume = !a.o.resume
    ? undefined
    : readCheckpoint<never>(path, fp, PROXIMA_VERSION, {
        n: compiled.n,
        method: compiled.algorithm?.name ?? null,
      });
  // A failed save (a full disk, a folder removed meanwhile) must not end the run: the run
  // goes on without checkpoints and reports the failure with its result.
  const saves: CheckpointSaves = {
    error: null,
    checkpoint: {
      every: a.every,
      resume,
      save: (s) => {
        if (saves.error !== null) return;
        try {
          writeCheckpoint(path, fp, PROXIMA_VERSION, s);
        } catch (e) {
          saves.error = e;
        }
      },
    },
  };
  return saves;
}

/** The run with its progress bar and Ctrl-C, then the result with what failed to be written. */
async function runAndReport(
  out: Output,
  a: RunArgs,
  compiled: CompiledProgram,
  extra: Message[],
  drawsFile: ReturnType<typeof drawsWriter>,
  saves: CheckpointSaves | undefined,
): Promise<number> {
  const { file, o } = a;
  const bar = progressBar();
  let r: RunResult;
  try {
    r = await run(compiled, {
      steps: a.steps,
      onProgress: (p) => bar.update(p.step, p.steps, p.objective, p.chains),
      shouldStop: interrupted,
      checkpoint: saves?.checkpoint,
      draws: a.draws,
      onDraws: drawsFile.onDraws,
    });
  } finally {
    bar.done();
  }
  r.messages = [...extra, ...r.messages];
  if (interrupted() && r.status === 'stopped' && r.steps === 0)
    r.messages.push(fileMessage('note', file, 'stopped by Ctrl-C before the first step'));
  if (saves && saves.error !== null) {
    r.messages.push(out.writeFailure(r, `the checkpoint ${o.checkpoint}`, saves.error));
    r.status = 'error';
  }
  if (drawsFile.error !== null) {
    r.messages.push(out.writeFailure(r, `the draws to ${a.drawsOut}`, drawsFile.error));
    r.status = 'error';
  }
  return out.emit(r, o.out);
}
