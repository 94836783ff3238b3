// `proxima run`: compilation (the compiler reads the --data files and --set values), the run with
// progress, Ctrl-C and checkpoints, and the result as text or one JSON object. User errors become
// a result with status "error" (also in --json mode, so scripts always get exactly one object).

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
import { parseOptions, intOption, UsageError } from '../options.js';
import { progressBar } from '../progress.js';
import { readCheckpoint, writeCheckpoint, CheckpointError } from '../checkpoint_file.js';
import { exitCodeForStatus } from '../exit_codes.js';
import { drawsFormat, writeDraws } from '../draws_file.js';
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
} as const;

export async function runCommand(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  let file = '';
  const emit = (r: RunResult, out?: string) => {
    if (out) writeFileSync(out, JSON.stringify(r, null, 2) + '\n');
    if (json) process.stdout.write(JSON.stringify(r) + '\n');
    else printResult(r);
    return exitCodeForStatus(r.status, r.diagnostics.stopped_by !== 'method');
  };
  const fail = (messages: Message[], seed = 1, backend = 'auto') =>
    emit(runResult({ status: 'error', messages, seed, backend }, file));
  try {
    const { values: o, positionals } = parseOptions('run', argv, OPTIONS);
    if (o.help) {
      console.log(RUN_HELP);
      return 0;
    }
    if (positionals.length !== 1)
      throw new UsageError('proxima run: give exactly one .opt file (see proxima run --help)');
    file = positionals[0]!;
    const seed = intOption('run', 'seed', o.seed, 0) ?? 1;
    const steps = intOption('run', 'steps', o.steps, 0);
    const draws = intOption('run', 'draws', o.draws, 1);
    const drawsOut = o['draws-out'];
    if (drawsOut && !drawsFormat(drawsOut))
      throw new UsageError(`proxima run: --draws-out writes .csv or .json files, not ${drawsOut}`);
    const every = intOption('run', 'checkpoint-every', o['checkpoint-every'], 1) ?? 100;
    const backend = o.backend ?? 'auto';
    if (!(BACKENDS as readonly string[]).includes(backend)) {
      throw new UsageError(`proxima run: unknown backend \`${backend}\`; choose one of ${BACKENDS.join(', ')}`);
    }
    if (o.resume && !o.checkpoint)
      throw new UsageError('proxima run: --resume needs --checkpoint FILE (the checkpoint to continue from)');
    if (!existsSync(file))
      return fail([fileMessage('error', file, `cannot read ${file}: no such file`)], seed, backend);

    const extra: Message[] = [];
    const t0 = performance.now();
    let compiled;
    try {
      compiled = await compile(file, { dataFiles: o.data, set: o.set, backend: backend as never, seed });
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
    let drawsError: string | null = null;
    const onDraws =
      drawsOut && compiled.checked.infer
        ? (t: DrawTable) => {
            try {
              writeDraws(drawsOut, t);
            } catch (e) {
              drawsError = `cannot write the draws to ${drawsOut}: ${(e as Error).message}`;
            }
          }
        : undefined;

    let checkpoint;
    if (o.checkpoint) {
      const path = o.checkpoint;
      const fp = fingerprint(compiled, { steps });
      let resume;
      if (o.resume) {
        try {
          resume = readCheckpoint<never>(path, fp);
        } catch (e) {
          if (e instanceof CheckpointError)
            return fail([...extra, fileMessage('error', file, e.message)], seed, backend);
          throw e;
        }
      }
      checkpoint = { every, save: (s: unknown) => writeCheckpoint(path, fp, PROXIMA_VERSION, s), resume };
    }

    let stop = false;
    const onSigint = () => {
      if (stop) process.exit(130); // a second Ctrl-C: leave at once
      stop = true;
    };
    process.on('SIGINT', onSigint);
    const bar = progressBar();
    let r: RunResult;
    try {
      r = await run(compiled, {
        steps,
        onProgress: (p) => bar.update(p.step, p.steps, p.objective, p.chains),
        shouldStop: () => stop,
        checkpoint,
        draws,
        onDraws,
      });
    } finally {
      bar.done();
      process.off('SIGINT', onSigint);
    }
    r.messages = [...extra, ...r.messages];
    if (drawsError) {
      r.messages.push(fileMessage('error', file, drawsError));
      r.status = 'error';
    }
    return emit(r, o.out);
  } catch (e) {
    if (e instanceof UsageError) {
      if (json) return fail([fileMessage('error', file || 'proxima', e.message)]);
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}
