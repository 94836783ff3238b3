/// <reference types="@webgpu/types" />
// The platform seam: everything Proxima needs from its host that differs between Node and a
// browser (reading files, paths, hashing, the package version, yielding to the event loop, the
// GPU). The rest of the code base imports no `node:` module on its main path: it asks this seam.
// Node's implementation is node.ts; the browser build swaps in browser.ts (web/build.ts), and a
// test fails if the browser bundle pulls in a `node:` module.

/** An incremental SHA-256 (hex digest). */
export interface Hash {
  update(data: string | Uint8Array): Hash;
  digest(): string;
}

/** POSIX-style path helpers (Node's on Node). */
export interface PathOps {
  join(...parts: string[]): string;
  dirname(p: string): string;
  resolve(p: string): string;
  isAbsolute(p: string): boolean;
}

/** A worker thread as its parent sees it (messages out; failures reported). */
export interface WorkerPort {
  post(msg: unknown, transfer?: ArrayBuffer[]): void;
  /** Called when the worker fails to start or exits. */
  onError(cb: (e: Error) => void): void;
  /** The worker no longer keeps the process alive (Node; a no-op in a browser). */
  unref(): void;
  terminate(): void;
}

export interface Platform {
  readonly name: 'node' | 'browser';
  /** The text of a file; throws an Error with `code: 'ENOENT'` when there is none. */
  readText(path: string): string;
  readonly path: PathOps;
  sha256(): Hash;
  /** Proxima's version (package.json). */
  version(): string;
  /** An environment setting, where the platform has them. */
  env(name: string): string | undefined;
  /** The machine's memory in bytes (the default size limit, compiler/front/size_check.ts). */
  totalMemory(): number;
  /** Resolves after pending events (signals, messages, timers due now) have run. */
  yieldToEventLoop(): Promise<void>;
  /** The WebGPU entry point (navigator.gpu), or null with the reason why there is none. */
  webgpu(): Promise<{ gpu: GPU } | { gpu: null; reason: string }>;
  /** Starts the worker thread that owns the WebGPU device (runtime/backends/remote/). */
  startGpuWorker(): WorkerPort;
}
