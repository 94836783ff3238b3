// Loads jax-js (a devDependency) on its wasm backend; null with a note when it cannot start,
// so the benchmarks skip it gracefully. jax-js asks for Node 22 but runs on Node 20 when only
// its wasm device is initialized.

let loaded: Promise<any | null> | null = null;

export function jaxReady(): Promise<any | null> {
  loaded ??= (async () => {
    try {
      const jax = await import('@jax-js/jax');
      await jax.init('wasm');
      jax.defaultDevice('wasm');
      return jax;
    } catch (err) {
      console.log(`  (jax-js peer skipped: ${(err as Error).message})`);
      return null;
    }
  })();
  return loaded;
}
