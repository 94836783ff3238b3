// Small seeded host-side randomness for tests, benchmarks, data generators and the host loops
// that need a JSON-safe sampler state (sketch_newton's sketches, adaptive batches): mulberry32
// (one uint32 of state, so it fits a checkpoint) and the Box-Muller transform. Graphs draw their
// randomness from Threefry keys (threefry.ts), never from here.

/** One mulberry32 step from `state`: the next state and a uniform draw in [0, 1). */
export function mulberry32Step(state: number): { state: number; u: number } {
  const s = (state + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: s, u: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}

/** A uniform stream in [0, 1) from a seed. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    const r = mulberry32Step(s);
    s = r.state;
    return r.u;
  };
}

/** A standard normal from two uniforms by Box-Muller: u1 in (0, 1] (e.g. 1 - u for u in [0, 1)), u2 in [0, 1). */
export const boxMuller = (u1: number, u2: number): number => Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);

/** A standard normal stream from a uniform stream on [0, 1). */
export const normals =
  (u: () => number): (() => number) =>
  () =>
    boxMuller(1 - u(), u());
