// A test page that runs its test code in a Web Worker (/worker.js) and exposes callWorker.

import { startWorker } from './worker_calls.js';

Object.assign(globalThis, { callWorker: startWorker('/worker.js'), crossOriginIsolatedPage: crossOriginIsolated });
