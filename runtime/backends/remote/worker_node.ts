// The WebGPU server thread's entry in Node (a worker_threads Worker started by the platform).

import { parentPort } from 'node:worker_threads';
import { serveGpu } from './worker_main.js';
import type { Message } from './protocol.js';

serveGpu((handler) => parentPort!.on('message', (m: Message) => handler(m)));
