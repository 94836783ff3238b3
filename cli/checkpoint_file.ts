// Checkpoint files: written atomically (output_files.ts), guarded by a fingerprint of program,
// data, seed and options (resuming under a different one is an error), and validated on read
// with a message for each way a file can be wrong: missing, truncated or not JSON, not a
// checkpoint, written by another version, edited or corrupted (a SHA-256 checksum of the state
// text), holding null or a non-number where the state has numbers, or sized for another
// program. Non-finite numbers in the state (an initial merit of Infinity, say) are written as
// the strings "NaN", "Infinity" and "-Infinity" and read back exactly; JSON's own `null` never
// stands in an array we write (arrays hold numbers), so a null there means the file was damaged.
// A field may be null: a state's "no value yet" (VI's stopping checks before a window closes).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeAtomic } from './output_files.js';

export interface CheckpointFile {
  proxima: string;
  fingerprint: string;
  checksum: string;
  state: unknown;
}

/** What the state must match: the program's decision-vector length and its method. */
export interface CheckpointExpect {
  n: number;
  method: string | null;
}

export class CheckpointError extends Error {}

const NONFINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function encode(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

const checksumOf = (stateText: string) => createHash('sha256').update(stateText).digest('hex');

export function writeCheckpoint(path: string, fingerprint: string, version: string, state: unknown): void {
  const stateText = JSON.stringify(state, encode);
  const head = JSON.stringify({ proxima: version, fingerprint, checksum: checksumOf(stateText) });
  writeAtomic(path, `${head.slice(0, -1)},"state":${stateText}}\n`);
}

export function readCheckpoint<S>(
  path: string,
  fingerprint: string,
  version: string,
  expect: CheckpointExpect | null = null,
): S {
  const bad = (why: string, hint = `delete it and rerun without --resume`) =>
    new CheckpointError(`--resume: the checkpoint ${path} ${why}; ${hint}`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new CheckpointError(
        `--resume: the checkpoint ${path} does not exist (run once with --checkpoint ${path} to create it)`,
      );
    throw new CheckpointError(`--resume: cannot read the checkpoint ${path}: ${(e as Error).message}`);
  }
  if (text.trim() === '') throw bad('is empty');
  let file: Partial<CheckpointFile>;
  try {
    file = JSON.parse(text) as Partial<CheckpointFile>;
  } catch (e) {
    throw bad(`is truncated or corrupt (not valid JSON: ${(e as Error).message})`);
  }
  if (!file || typeof file !== 'object' || Array.isArray(file) || typeof file.fingerprint !== 'string')
    throw bad('is not a Proxima checkpoint (no fingerprint)');
  if (file.proxima !== version)
    throw bad(`was written by Proxima ${String(file.proxima)}, not ${version}`, 'rerun without --resume');
  if (typeof file.checksum !== 'string' || !('state' in file)) throw bad('is not a Proxima checkpoint (no state)');
  if (file.fingerprint !== fingerprint) {
    throw new CheckpointError(
      `--resume: the checkpoint ${path} was written for a different program, data, seed or options; rerun without --resume, or restore the original inputs`,
    );
  }
  if (checksumOf(JSON.stringify(file.state)) !== file.checksum)
    throw bad('was modified or corrupted (its state does not match its checksum)');
  const problem = stateProblem(file.state, 'state');
  if (problem) throw bad(`is corrupt: ${problem}`);
  const state = decode(file.state);
  if (expect) {
    const s = state as { x?: unknown; method?: unknown };
    if (expect.method && typeof s.method === 'string' && s.method !== expect.method)
      throw bad(`holds the state of ${s.method}, but this run uses ${expect.method}`);
    if (Array.isArray(s.x) && s.x.length !== expect.n)
      throw bad(`holds ${s.x.length} unknowns, but this program has ${expect.n}`);
  }
  return state as S;
}

/** The first null array entry or unexpected leaf of a state, by its path, or null when every leaf is sound. */
function stateProblem(v: unknown, path: string, inArray = false): string | null {
  if (v === null) return inArray ? `${path} is null where a value was saved` : null;
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = stateProblem(v[i], `${path}[${i}]`, true);
      if (p) return p;
    }
    return null;
  }
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = stateProblem(x, `${path}.${k}`);
      if (p) return p;
    }
    return null;
  }
  return `${path} has an unexpected value`;
}

/** The strings "NaN", "Infinity", "-Infinity" back to numbers where they stand in an array of numbers or a field. */
function decode(v: unknown): unknown {
  if (typeof v === 'string' && v in NONFINITE) return NONFINITE[v];
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = decode(x);
    return out;
  }
  return v;
}
