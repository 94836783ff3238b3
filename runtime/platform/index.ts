// The platform seam's face (types.ts says what it is). This module binds Node's implementation;
// the browser build (web/build.ts) resolves './node.js' here to './browser.js' instead.

export type { Platform, Hash, PathOps, WorkerPort } from './types.js';
export { platform } from './node.js';
