// The platform seam in a browser (or a Web Worker): files come from an in-memory map that the
// page fills (the program, its imports, its data), paths are POSIX, hashing is plain-JS SHA-256,
// the version is stamped by the build, and WebGPU is the page's navigator.gpu. See types.ts.

import { posixPath } from './path_posix.js';
import { sha256 } from './sha256.js';
import type { Platform, WorkerPort } from './types.js';

/** Replaced by the browser build (web/build.ts) with package.json's version. */
declare const PROXIMA_BUILD_VERSION: string | undefined;

/** The virtual file system: absolute POSIX path -> text. */
export const files = new Map<string, string>();

const yieldChannel = typeof MessageChannel === 'function' ? new MessageChannel() : null;
const waiting: (() => void)[] = [];
if (yieldChannel) yieldChannel.port1.onmessage = () => waiting.shift()?.();

export const platform: Platform = {
  name: 'browser',
  readText(p) {
    const text = files.get(posixPath.resolve(p));
    if (text === undefined) throw Object.assign(new Error(`no such file: ${p}`), { code: 'ENOENT' });
    return text;
  },
  path: posixPath,
  sha256,
  version: () => (typeof PROXIMA_BUILD_VERSION === 'string' ? PROXIMA_BUILD_VERSION : '0.0.0'),
  env: () => undefined,
  // navigator.deviceMemory is a coarse GiB figure (Chromium only); 4 GiB where it is absent.
  totalMemory: () => ((globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory ?? 4) * 2 ** 30,
  // A message round trip, not setTimeout(0): timers are clamped to 4 ms after a few nestings.
  yieldToEventLoop: () =>
    new Promise<void>((res) => {
      if (!yieldChannel) return void setTimeout(res, 0);
      waiting.push(res);
      yieldChannel.port2.postMessage(0);
    }),
  async webgpu() {
    const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    return gpu
      ? { gpu }
      : {
          gpu: null,
          reason: 'this browser has no WebGPU (navigator.gpu; it needs a secure context: https or localhost)',
        };
  },
  startGpuWorker,
};

/** The WebGPU server thread: gpu_worker.js, which every browser build puts beside its bundles. */
function startGpuWorker(): WorkerPort {
  const w = new Worker(new URL('./gpu_worker.js', import.meta.url), { type: 'module' });
  return {
    unref: () => undefined,
    post: (m, transfer) => w.postMessage(m, transfer ?? []),
    onError: (cb) =>
      w.addEventListener('error', (e) => cb(new Error(`the WebGPU worker failed: ${e.message || 'could not start'}`))),
    terminate: () => w.terminate(),
  };
}
