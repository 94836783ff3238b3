// `proxima serve [--port N] [--host H]`: the playground (web/) on http://localhost:N/, or
// `--build DIR` to write it as static files. The playground is built from the sources with
// esbuild, so it needs a clone of the repository (an installed package ships no web/ sources);
// web/ is loaded through tsx at run time, not bundled into the CLI.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SERVE_HELP } from '../help.js';
import { intOption, parseOptions, UsageError } from '../options.js';

type WebServe = typeof import('../../web/serve.js');

/** The repository root holding web/serve.ts, searched upward from this module (the CLI may run
 * from a bundle under node_modules/.cache). */
function findWebRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'web', 'serve.ts')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

async function loadWeb(): Promise<WebServe> {
  const root = findWebRoot();
  if (!root)
    throw new UsageError(
      'proxima serve: the playground is built from the sources in web/, which this installation lacks; ' +
        'run it from a clone of the repository (npm ci && npx proxima serve)',
    );
  const { tsImport } = (await import('tsx/esm/api')) as { tsImport(url: string, parent: string): Promise<unknown> };
  return (await tsImport(pathToFileURL(join(root, 'web', 'serve.ts')).href, import.meta.url)) as WebServe;
}

export async function serveCommand(argv: readonly string[]): Promise<number> {
  const { values: o, positionals } = parseOptions('serve', argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    build: { type: 'string' },
  } as const);
  if (o.help) {
    console.log(SERVE_HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`proxima serve: unexpected argument \`${positionals[0]}\``);
  const web = await loadWeb();
  if (o.build !== undefined) {
    const dir = await web.buildPlayground(resolve(o.build));
    console.log(`playground written to ${dir}`);
    return 0;
  }
  const port = intOption('serve', 'port', o.port, 0) ?? 8080;
  const host = o.host ?? '127.0.0.1';
  console.error('building the playground…');
  const s = await web.servePlayground({ port, host });
  console.log(`Proxima playground: http://${host === '127.0.0.1' ? 'localhost' : host}:${s.port}/  (Ctrl-C stops)`);
  await new Promise<void>((done) => {
    const stop = () => void s.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
