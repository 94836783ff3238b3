// A small static HTTP server for the playground (`proxima serve`) and the browser tests: files
// from one folder, cross-origin isolated (COOP/COEP, so pages get SharedArrayBuffer, which the
// WebGPU backend's worker needs), never cached, on 127.0.0.1 only. Paths cannot leave the folder.

import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { join, normalize, resolve, sep, extname } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.opt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export const contentType = (file: string): string => TYPES[extname(file)] ?? 'application/octet-stream';

/** Cross-origin isolation (SharedArrayBuffer) and no caching. */
export const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

export interface StaticServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1:`port` (0: any free port). */
export function serveFolder(root: string, port = 0, host = '127.0.0.1'): Promise<StaticServer> {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (path.endsWith('/')) path += 'index.html';
      const file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      if (!(await stat(file)).isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': contentType(file), ...ISOLATION });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...ISOLATION });
      res.end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const addr = server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      ok({
        server,
        port: p,
        url: `http://localhost:${p}/`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
