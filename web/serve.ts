// `proxima serve`: builds the playground (web/build.ts) into a cache folder and serves it on
// localhost, cross-origin isolated (web/static_server.ts). With `build` only, writes the static
// files to a folder and returns (for any static host; it must send the same COOP/COEP headers
// for WebGPU to run: docs/backends.md).

import { join } from 'node:path';
import { buildPlayground } from './build.js';
import { ROOT } from './browser_build.js';
import { serveFolder, type StaticServer } from './static_server.js';

export interface ServeOptions {
  port: number;
  host: string;
  /** Where the built files go (default: node_modules/.cache/proxima/playground). */
  out?: string;
}

export async function servePlayground(o: ServeOptions): Promise<StaticServer> {
  const dir = await buildPlayground(o.out ?? join(ROOT, 'node_modules', '.cache', 'proxima', 'playground'));
  return serveFolder(dir, o.port, o.host);
}

export { buildPlayground };
