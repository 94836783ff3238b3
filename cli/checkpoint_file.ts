// Checkpoint files: written atomically (a temporary file in the same folder, then rename, so a
// kill never leaves a torn file), and guarded by a fingerprint of program, data, seed and
// options: resuming with a different fingerprint is an error.

import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface CheckpointFile<S> {
  proxima: string;
  fingerprint: string;
  state: S;
}

export class CheckpointError extends Error {}

export function writeCheckpoint<S>(path: string, fingerprint: string, version: string, state: S): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ proxima: version, fingerprint, state } satisfies CheckpointFile<S>));
  renameSync(tmp, path);
}

export function readCheckpoint<S>(path: string, fingerprint: string): S {
  let file: CheckpointFile<S>;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as CheckpointFile<S>;
  } catch {
    throw new CheckpointError(
      `--resume: cannot read the checkpoint ${path} (run once with --checkpoint ${path} to create it)`,
    );
  }
  if (file.fingerprint !== fingerprint) {
    throw new CheckpointError(
      `--resume: the checkpoint ${path} was written for a different program, data, seed or options; rerun without --resume, or restore the original inputs`,
    );
  }
  return file.state;
}
