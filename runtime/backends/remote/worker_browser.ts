// The WebGPU server thread's entry in a browser (a module Web Worker; built as gpu_worker.js).

import { serveGpu } from './worker_main.js';
import type { Message } from './protocol.js';

serveGpu((handler) => {
  (globalThis as unknown as { onmessage: (e: MessageEvent<Message>) => void }).onmessage = (e) => handler(e.data);
});
