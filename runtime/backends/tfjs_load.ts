// Loading tfjs on demand (ref-only programs never pay for it) and selecting its cpu or wasm
// backend. tfjs is put in production mode, which is what silences its Node.js banner ("Hi, looks
// like you are running TensorFlow.js in Node.js...") and its platform warnings: both go through
// tfjs's own warn(), which is muted in production mode. No console patching.

import type * as TF from '@tensorflow/tfjs';

export type TfBackendName = 'cpu' | 'wasm';

let tfPromise: Promise<typeof TF> | null = null;
let wasmLoaded: Promise<void> | null = null;
const ready = new Set<TfBackendName>();

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
  if (!ready.has(name)) {
    if (name === 'wasm') {
      wasmLoaded ??= import('@tensorflow/tfjs-backend-wasm').then(() => undefined);
      await wasmLoaded;
    }
    const prev = tf.getBackend();
    if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to initialize`);
    await tf.ready();
    ready.add(name);
    // Leave the global backend as it was; executables activate theirs when they run.
    if (prev && prev !== name) await tf.setBackend(prev);
  }
  return tf;
}

/**
 * Switches tfjs's global backend. Synchronous for an initialized backend: tf.setBackend only
 * awaits when the backend still has to be initialized, which initTfBackend has already done.
 */
export function activateTf(tf: typeof TF, name: TfBackendName): void {
  if (tf.getBackend() !== name) void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`tfjs backend '${name}' is not initialized`);
}
