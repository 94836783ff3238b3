// The WebGPU server thread's main loop, shared by its Node and browser entries: on `init` it
// starts tfjs's webgpu backend (navigator.gpu from the platform: the page's, or Dawn in Node) and
// answers ok or the reason it cannot run; then it hands every batch to the GpuServer.

import { initTfBackend } from '../tfjs_load.js';
import { GpuServer } from './server.js';
import { CTRL, STATE, STATUS, type Message } from './protocol.js';

export function serveGpu(listen: (handler: (m: Message) => void) => void): void {
  let server: GpuServer | null = null;
  let starting: Promise<void> | null = null;
  listen((m) => {
    if (m.kind === 'init') {
      starting = start(m).then((s) => {
        server = s;
      });
      return;
    }
    if (server) server.handle(m);
    else void starting?.then(() => server?.handle(m));
  });
}

async function start(init: Extract<Message, { kind: 'init' }>): Promise<GpuServer | null> {
  const ctrl = new Int32Array(init.control);
  let status: number = STATUS.ok;
  let text = '';
  let server: GpuServer | null = null;
  try {
    const tf = await initTfBackend('webgpu');
    await tf.setBackend('webgpu');
    server = new GpuServer(tf, init);
  } catch (e) {
    status = STATUS.error;
    text = (e as Error).message ?? String(e);
  }
  const bytes = new TextEncoder().encode(text).slice(0, init.data.byteLength);
  new Uint8Array(init.data).set(bytes);
  Atomics.store(ctrl, CTRL.status, status);
  Atomics.store(ctrl, CTRL.length, bytes.byteLength);
  Atomics.store(ctrl, CTRL.state, STATE.ready);
  Atomics.notify(ctrl, CTRL.state);
  return server;
}
