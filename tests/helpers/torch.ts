// Shared by the torch export tests: Debian's python3 with PyTorch (`.ci/run` installs
// python3-torch when missing, so these tests always run in CI; without torch they fail with the
// reason), and writing a program's exported package into a fresh folder.
import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, exportTorch, type CompiledProgram, type TorchExportOptions } from '../../compiler/index.js';

/** Debian's interpreter: the one python3-torch installs into (a pyenv python on PATH may lack torch). */
export const PYTHON = '/usr/bin/python3';

export function assertTorch(): void {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`these tests need ${PYTHON} with PyTorch (apt-get install python3-torch): ${r.stderr.trim()}`);
}

export async function exportProgram(
  file: string,
  opts: TorchExportOptions & { set?: string[] } = {},
): Promise<{ c: CompiledProgram; dir: string }> {
  const c = await compile(file, { backend: 'ref', set: opts.set });
  const pkg = exportTorch(c, opts);
  const dir = mkdtempSync(join(tmpdir(), 'proxima-torch-'));
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(pkg.files)) writeFileSync(join(dir, name), text);
  return { c, dir };
}

/** Runs python3 with torch; throws with its stderr when it fails. */
export function python(
  args: string[],
  opts: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
) {
  const r = spawnSync(PYTHON, args, {
    encoding: 'utf8',
    input: opts.input,
    cwd: opts.cwd,
    env: { ...process.env, OMP_NUM_THREADS: '1', ...opts.env },
    timeout: opts.timeout ?? 600_000,
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`${PYTHON} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return r.stdout;
}

/** A free TCP port on loopback (the OS picks it; closed again before torchrun binds it). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((ok) => srv.close(ok));
  return port;
}

/**
 * torchrun with the static rendezvous on a free loopback port (torch 1.13's c10d rendezvous of
 * `--standalone` sometimes fails at shutdown with a broken pipe) and gloo. `--redirects 1 --tee
 * 1`: Debian's torch 1.13 on Python 3.11 cannot parse the default `0` (an IntFlag change), so
 * stdout is teed through log files instead.
 */
export async function torchrun(
  nproc: number,
  script: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; restarts?: number } = {},
) {
  return python(
    [
      '-m',
      'torch.distributed.run',
      '--master_addr',
      '127.0.0.1',
      '--master_port',
      String(await freePort()),
      '--redirects',
      '1',
      '--tee',
      '1',
      '--monitor_interval',
      '0.5',
      '--max_restarts',
      String(opts.restarts ?? 0),
      '--nproc_per_node',
      String(nproc),
      script,
      ...args,
    ],
    { env: { GLOO_SOCKET_IFNAME: 'lo', ...opts.env } },
  );
}
