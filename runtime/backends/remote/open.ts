// Starting the WebGPU backend: the server thread (worker) and the connection to it. WebGPU reads
// back asynchronously, so this thread must be allowed to block on shared memory while the server
// reads: that takes SharedArrayBuffer (in a page: cross-origin isolation) and Atomics.wait (in a
// page: a Web Worker, never the main thread). Each missing piece is a GpuUnavailable that says so.

import { platform } from '../../platform/index.js';
import { GpuUnavailable } from '../tfjs_load.js';
import { GpuConnection } from './client.js';

export async function openWebgpu(): Promise<GpuConnection> {
  if (typeof SharedArrayBuffer === 'undefined')
    throw new GpuUnavailable(
      'webgpu',
      'it needs SharedArrayBuffer, which a page has only when cross-origin isolated (COOP/COEP headers; `proxima serve` sends them)',
    );
  if (platform.name === 'browser' && typeof (globalThis as { document?: unknown }).document !== 'undefined')
    throw new GpuUnavailable(
      'webgpu',
      "a page's main thread may not wait for the GPU: run Proxima in a Web Worker (as the playground does)",
    );
  const port = platform.startGpuWorker();
  try {
    return await GpuConnection.open(port);
  } catch (e) {
    port.terminate();
    const msg = (e as Error).message.replace(/^webgpu: /, '');
    // The server reports a GpuUnavailable's full text; keep it, and name the backend otherwise.
    if (msg.startsWith("backend 'webgpu' is not available")) {
      const err = new GpuUnavailable('webgpu', '');
      err.message = msg;
      throw err;
    }
    throw new GpuUnavailable('webgpu', msg);
  }
}
