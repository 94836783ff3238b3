/// <reference types="@webgpu/types" />
// Loading tfjs on demand (ref-only programs never pay for it) and selecting one of its backends:
// cpu, wasm, webgl (WebGL 2: a browser, or a worker with OffscreenCanvas) and webgpu (a browser's
// navigator.gpu, or in Node the npm `webgpu` package's Dawn, through the platform seam). tfjs is
// put in production mode, which is what silences its Node.js banner ("Hi, looks like you are
// running TensorFlow.js in Node.js...") and its platform warnings: both go through tfjs's own
// warn(), which is muted in production mode. No console patching.
// A GPU backend that cannot start fails with a GpuUnavailable error that names the cause and
// `wasm` as the fallback; nothing falls back silently.

import type * as TF from '@tensorflow/tfjs';
import { platform } from '../platform/index.js';

export type TfBackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu';
export const GPU_BACKENDS = ['webgl', 'webgpu'] as const;
export type GpuBackendName = (typeof GPU_BACKENDS)[number];

export const isGpuBackend = (name: string): name is GpuBackendName => name === 'webgl' || name === 'webgpu';

/** A GPU backend cannot run here; the message names the cause and the fallback. */
export class GpuUnavailable extends Error {
  constructor(
    readonly backend: GpuBackendName,
    cause: string,
  ) {
    super(`backend '${backend}' is not available: ${cause}. Use --backend wasm (the fastest CPU backend) instead.`);
    this.name = 'GpuUnavailable';
  }
}

let tfPromise: Promise<typeof TF> | null = null;
const loading = new Map<TfBackendName, Promise<void>>();

/** The tfjs module, loaded once. */
export function loadTf(): Promise<typeof TF> {
  tfPromise ??= import('@tensorflow/tfjs').then((tf) => {
    tf.enableProdMode();
    return tf;
  });
  return tfPromise;
}

/** Loads and initializes a tfjs backend; afterwards `activate` switches to it synchronously. */
export async function initTfBackend(name: TfBackendName): Promise<typeof TF> {
  const tf = await loadTf();
  let p = loading.get(name);
  if (!p) {
    p = start(tf, name);
    loading.set(name, p);
    // A failed start may succeed later (e.g. after the user installs `webgpu`): do not cache it.
    p.catch(() => loading.delete(name));
  }
  await p;
  return tf;
}

async function start(tf: typeof TF, name: TfBackendName): Promise<void> {
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (name === 'webgpu') await prepareWebgpu();
  if (name === 'webgl' && !hasWebgl2()) {
    throw new GpuUnavailable(
      'webgl',
      platform.name === 'node'
        ? 'WebGL exists only in a browser (Node has none; for a GPU from Node use --backend webgpu with the npm package `webgpu`)'
        : 'this browser gives no WebGL 2 context',
    );
  }
  const prev = tf.getBackend();
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    if (name === 'webgl' || name === 'webgpu') throw new GpuUnavailable(name, (e as Error).message);
    throw e;
  }
  if (!ok) {
    if (name === 'webgl' || name === 'webgpu') throw new GpuUnavailable(name, 'tfjs could not initialize it');
    throw new Error(`tfjs backend '${name}' failed to initialize`);
  }
  await tf.ready();
  // Leave the global backend as it was; executables activate theirs when they run.
  if (prev && prev !== name) await tf.setBackend(prev);
}

function hasWebgl2(): boolean {
  const g = globalThis as { OffscreenCanvas?: new (w: number, h: number) => { getContext(k: string): unknown } };
  const doc = (globalThis as { document?: { createElement(t: string): { getContext(k: string): unknown } } }).document;
  try {
    if (g.OffscreenCanvas) return new g.OffscreenCanvas(1, 1).getContext('webgl2') != null;
    if (doc) return doc.createElement('canvas').getContext('webgl2') != null;
  } catch {
    return false;
  }
  return false;
}

/** WebGPU: navigator.gpu from the platform and an adapter, before tfjs's backend module loads. */
async function prepareWebgpu(): Promise<void> {
  const g = await platform.webgpu();
  if (!g.gpu) throw new GpuUnavailable('webgpu', g.reason);
  const adapter = await g.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new GpuUnavailable('webgpu', 'no WebGPU adapter was found (no GPU, or no driver for it)');
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (!nav) Object.defineProperty(globalThis, 'navigator', { value: { gpu: g.gpu }, configurable: true });
  else if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: g.gpu, configurable: true });
  webgpuModule = await import('@tensorflow/tfjs-backend-webgpu');
}

let webgpuModule: typeof import('@tensorflow/tfjs-backend-webgpu') | null = null;

/** tfjs-webgpu's dispatch helpers (for generated programs), once the backend is loaded. */
export function webgpuUtil(): (typeof import('@tensorflow/tfjs-backend-webgpu'))['webgpu_util'] {
  if (!webgpuModule) throw new Error('the webgpu backend is not loaded');
  return webgpuModule.webgpu_util;
}

/**
 * Switches tfjs's global backend. Synchronous for an initialized backend: tf.setBackend only
 * awaits when the backend still has to be initialized, which initTfBackend has already done.
 */
export function activateTf(tf: typeof TF, name: TfBackendName): void {
  if (tf.getBackend() !== name) void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`tfjs backend '${name}' is not initialized`);
}
