// Files the CLI writes (--out, --checkpoint, --draws-out): checked before a run starts, so a
// long run is never thrown away for an unwritable path, and written atomically (a temporary
// file in the same folder, then a rename) with the temporary file removed on every failure.
// Writing after the run can still fail (a full disk, a folder removed meanwhile): callers turn
// that into a user error next to the printed result, never an internal error.

import { accessSync, constants, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './options.js';

/** The reason `path` cannot be written as a file, or null when it can (it need not exist yet). */
export function unwritable(path: string): string | null {
  if (path.trim() === '') return 'the path is empty';
  let st;
  try {
    st = statSync(path);
  } catch {
    st = null;
  }
  if (st?.isDirectory()) return 'it is a directory';
  if (st) {
    if (!st.isFile()) return 'it is not a regular file';
    try {
      accessSync(path, constants.W_OK);
    } catch {
      return 'the file is not writable';
    }
  }
  const dir = dirname(resolve(path));
  let d;
  try {
    d = statSync(dir);
  } catch {
    return `the folder ${dir} does not exist`;
  }
  if (!d.isDirectory()) return `${dir} is not a folder`;
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    return `the folder ${dir} is not writable`;
  }
  return null;
}

/** Throws a UsageError naming the flag when `path` cannot be written. */
export function checkWritable(command: string, flag: string, path: string | undefined): void {
  if (path === undefined) return;
  const why = unwritable(path);
  if (why) throw new UsageError(`proxima ${command}: cannot write ${flag} ${path}: ${why}`);
}

/** Writes `text` to `path` atomically; on failure removes the temporary file and rethrows. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw e;
  }
}

/** The message of a failed write, without Node's `ENOENT: ` prefix noise. */
export function ioMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const text = err?.message ?? String(e);
  return err?.code ? text.replace(/^[A-Z]+: /, '') : text;
}
