// The fingerprint that guards checkpoints: a hash of everything that determines a run's
// iterates (the program's sources, the bound data, the seed, the backend and the effective
// solver options). A resumed run with a different fingerprint would not be the same run.

import { platform } from '../../runtime/index.js';

export interface FingerprintInput {
  sources: ReadonlyMap<string, string>;
  data: ReadonlyMap<string, { data: ArrayLike<number>; shape: readonly number[] }>;
  seed: number;
  backend: string;
  options: Record<string, unknown>;
}

export function fingerprintOf(x: FingerprintInput): string {
  const h = platform.sha256();
  for (const f of [...x.sources.keys()].sort()) h.update(`file ${f}\n${x.sources.get(f)}\n`);
  for (const k of [...x.data.keys()].sort()) {
    const a = x.data.get(k)!;
    h.update(`data ${k} [${a.shape.join(',')}]\n`);
    h.update(new Uint8Array(Float64Array.from(a.data).buffer));
  }
  h.update(`seed ${x.seed}\nbackend ${x.backend}\noptions ${stable(x.options)}\n`);
  return h.digest();
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
