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
  type RunResult,
} from '../../compiler/index.js';
import { runResult } from '../../compiler/index.js';
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
  const json = argv.includes('--json');
  let file = '';
  let seed = 1;
  let backend = 'auto';
  const emit = (r: RunResult, out?: string) => {
    setLastWord(null);
    if (out) {
      try {
        writeFileSync(out, JSON.stringify(r, null, 2) + '\n');
      } catch (e) {
        r.messages.push(writeFailure(r, `the result to --out ${out}`, e));
        r.status = 'error';
      }
    }
    if (json) process.stdout.write(JSON.stringify(r) + '\n');
    else printResult(r);
    return exitCodeForStatus(r.status, r.diagnostics.stopped_by !== 'method');
  };
  const fail = (messages: Message[]) => emit(runResult({ status: 'error', messages, seed, backend }, file));
  const writeFailure = (r: RunResult, what: string, e: unknown): Message =>
    fileMessage(
      'error',
      file,
      `cannot write ${what}: ${ioMessage(e)}`,
      r.status === 'error' ? undefined : `the run itself ended ${r.status}; its result is printed here`,
    );
  // A second Ctrl-C leaves at once; under --json it still prints one object.
  if (json)
    setLastWord(() =>
      process.stdout.write(
        JSON.stringify(
          runResult(
            {
              status: 'stopped',
              messages: [fileMessage('warning', file || 'proxima', 'stopped at once by a second Ctrl-C; no result')],
              seed,
              backend,
            },
            file || 'proxima',
          ),
        ) + '\n',
      ),
    );
  try {
    const { values: o, positionals } = parseOptions('run', argv, OPTIONS);
    if (o.help) {
      setLastWord(null);
      console.log(RUN_HELP);
      return 0;
    }
    if (positionals.length !== 1)
      throw new UsageError('proxima run: give exactly one .opt file (see proxima run --help)');
    file = positionals[0]!;
    seed = intOption('run', 'seed', o.seed, 0) ?? 1;
    const steps = intOption('run', 'steps', o.steps, 0);
    const draws = intOption('run', 'draws', o.draws, 1);
    const maxMemory = sizeOption('run', 'max-memory', o['max-memory']);
    const drawsOut = o['draws-out'];
    if (drawsOut !== undefined && !drawsFormat(drawsOut))
      throw new UsageError(`proxima run: --draws-out writes .csv or .json files, not \`${drawsOut}\``);
    if (o['checkpoint-every'] !== undefined && o.checkpoint === undefined)
      throw new UsageError('proxima run: --checkpoint-every needs --checkpoint FILE (where to save)');
    const every = intOption('run', 'checkpoint-every', o['checkpoint-every'], 1) ?? 100;
    backend = o.backend ?? 'auto';
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
    if (!existsSync(file)) return fail([fileMessage('error', file, `cannot read ${file}: no such file`)]);

    const extra: Message[] = [];
    const t0 = performance.now();
    let compiled;
    try {
      compiled = await compile(file, {
        dataFiles: o.data,
        set: o.set,
        backend: backend as never,
        seed,
        maxMemory,
      });
    } catch (e) {
      if (e instanceof CompileError) {
        const r = runResult(
          { status: 'error', messages: [...extra, ...e.messages], seed, backend, compile_ms: performance.now() - t0 },
          file,
        );
        return emit(r, o.out);
      }
      throw e;
    }

    if ((o.draws || drawsOut) && !compiled.checked.infer)
      extra.push(
        fileMessage('warning', file, '--draws and --draws-out apply to inference (`infer`); this run ignores them'),
      );
    let drawsError: unknown = null;
    const onDraws =
      drawsOut && compiled.checked.infer
        ? (t: DrawTable) => {
            try {
              writeDraws(drawsOut, t);
            } catch (e) {
              drawsError = e;
            }
          }
        : undefined;

    let checkpoint;
    let checkpointError: unknown = null;
    if (o.checkpoint) {
      const path = o.checkpoint;
      const fp = fingerprint(compiled, { steps });
      let resume;
      if (o.resume) {
        try {
          resume = readCheckpoint<never>(path, fp, PROXIMA_VERSION, {
            n: compiled.n,
            method: compiled.algorithm?.name ?? null,
          });
        } catch (e) {
          if (e instanceof CheckpointError) return fail([...extra, fileMessage('error', file, e.message)]);
          throw e;
        }
      }
      // A failed save (a full disk, a folder removed meanwhile) must not end the run: the run
      // goes on without checkpoints and reports the failure with its result.
      const save = (s: unknown) => {
        if (checkpointError !== null) return;
        try {
          writeCheckpoint(path, fp, PROXIMA_VERSION, s);
        } catch (e) {
          checkpointError = e;
        }
      };
      checkpoint = { every, save, resume };
    }

    const bar = progressBar();
    let r: RunResult;
    try {
      r = await run(compiled, {
        steps,
        onProgress: (p) => bar.update(p.step, p.steps, p.objective, p.chains),
        shouldStop: interrupted,
        checkpoint,
        draws,
        onDraws,
      });
    } finally {
      bar.done();
    }
    r.messages = [...extra, ...r.messages];
    if (interrupted() && r.status === 'stopped' && r.steps === 0)
      r.messages.push(fileMessage('note', file, 'stopped by Ctrl-C before the first step'));
    if (checkpointError !== null) {
      r.messages.push(writeFailure(r, `the checkpoint ${o.checkpoint}`, checkpointError));
      r.status = 'error';
    }
    if (drawsError !== null) {
      r.messages.push(writeFailure(r, `the draws to ${drawsOut}`, drawsError));
      r.status = 'error';
    }
    return emit(r, o.out);
  } catch (e) {
    if (e instanceof UsageError) {
      if (json) return fail([fileMessage('error', file || 'proxima', e.message)]);
      setLastWord(null);
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}
