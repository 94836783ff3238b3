// A host random stream for the samplers: Threefry-2x32 in counter mode under one key, so the
// stream's whole state is one integer (the counter) and a chain saved to JSON resumes bit for
// bit. uniform() takes the top 53 bits of one 64-bit block; normal() is Box-Muller on two
// uniforms (one normal per pair: no cached second value to carry in the state).

import { boxMuller, threefry2x32 } from '../../runtime/index.js';

const TWO32 = 4294967296;
const INV53 = 2 ** -53;

export class Stream {
  /** Blocks drawn so far; the stream's complete state together with the key. */
  counter: number;
  private readonly k0: number;
  private readonly k1: number;

  constructor(key: Int32Array, counter = 0) {
    this.k0 = key[0]!;
    this.k1 = key[1]!;
    this.counter = counter;
  }

  /** Uniform on [0, 1), 53 bits. */
  uniform(): number {
    const c = this.counter++;
    const [hi, lo] = threefry2x32(this.k0, this.k1, (c / TWO32) | 0, c | 0);
    return ((hi >>> 5) * 67108864 + (lo >>> 6)) * INV53;
  }

  /** Standard normal. */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    return boxMuller(u1, this.uniform());
  }

  /** Fills `out` with standard normals. */
  normals(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }
}
