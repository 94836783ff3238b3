// Shareable links: the program, its uploaded data and the run settings, as JSON compressed with
// deflate-raw (CompressionStream) and base64url-encoded in the URL's fragment (`#p=...`), so
// nothing is sent to a server. Example data that ships with the gallery is named, not copied.

export interface Shared {
  source: string;
  /** The gallery example whose data files to load, if any. */
  example?: string;
  /** Uploaded data files (virtual path -> JSON text), in override order. */
  uploads: Record<string, string>;
  backend: string;
  seed: number;
  steps?: number;
}

async function pipe(
  bytes: Uint8Array<ArrayBuffer>,
  t: CompressionStream | DecompressionStream,
): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(t);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const toBase64Url = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

const fromBase64Url = (s: string): Uint8Array<ArrayBuffer> => {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
};

export async function encodeShared(s: Shared): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(s));
  return `p=${toBase64Url(await pipe(bytes, new CompressionStream('deflate-raw')))}`;
}

/** The shared state in a URL fragment, or null when it has none (or it cannot be read). */
export async function decodeShared(hash: string): Promise<Shared | null> {
  const m = /(?:^#?|&)p=([A-Za-z0-9_-]+)/.exec(hash);
  if (!m) return null;
  try {
    const bytes = await pipe(fromBase64Url(m[1]!), new DecompressionStream('deflate-raw'));
    const s = JSON.parse(new TextDecoder().decode(bytes)) as Shared;
    return typeof s.source === 'string' ? { ...s, uploads: s.uploads ?? {} } : null;
  } catch {
    return null;
  }
}
