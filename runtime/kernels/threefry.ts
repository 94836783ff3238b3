// Threefry-2x32 (20 rounds) and the splittable key API built on it. These
// functions ARE the definition of Proxima's random numbers: every backend must
// reproduce them bit for bit, so the scheme follows current JAX
// (jax_threefry_partitionable=True, the default since JAX 0.5) exactly:
//   - a key is two uint32 words (k0, k1), stored as int32 bit patterns in an
//     Int32Array of length 2;
//   - keyFromSeed(s) = [hi32(s), lo32(s)] of s as a 64-bit two's-complement
//     integer, i.e. [0, s] for 0 <= s < 2^32 (jax.random.PRNGKey);
//   - counters: element i of a flat request uses the 64-bit counter i split
//     as (hi, lo) = (floor(i / 2^32), i mod 2^32), hashed as
//     (o0, o1) = threefry2x32(k0, k1, hi, lo);
//   - split(key, n)[i] = (o0, o1) for counter i;
//   - foldIn(key, d) = threefry2x32(k0, k1, 0, d mod 2^32);
//   - randomBits(key, count)[i] = o0 ^ o1 for counter i (JAX 32-bit bits);
//   - randomBits64(key, count) gives [o0, o1] pairs for counter i, i.e. the
//     high and low words of JAX's 64-bit bits;
//   - uniform01(bits, 'float32') = (w >>> 9) / 2^23, one word per number;
//     uniform01(bits, 'float64') = (hi * 2^20 + (lo >>> 12)) / 2^52 over
//     consecutive word pairs (hi, lo): the top 52 of 64 bits, as JAX's
//     mantissa trick. Both land in [0, 1) on a grid of 2^-23 / 2^-52, and
//     uniform01(randomBits(key, n), 'float32') and
//     uniform01(randomBits64(key, n), 'float64') equal jax.random.uniform.

/** Threefry-2x32, 20 rounds, on uint32 words; returns the two output words. */
export function threefry2x32(k0: number, k1: number, x0: number, x1: number): [number, number] {
  hashInto(k0 | 0, k1 | 0, x0 | 0, x1 | 0);
  return [OUT[0] >>> 0, OUT[1] >>> 0];
}

// Scratch for the hot path: the core writes here instead of allocating.
const OUT = new Int32Array(2);

// All arithmetic is on int32 bit patterns: `| 0` after addition is addition
// mod 2^32, and `>>>`/`<<` give the rotations.
function hashInto(k0: number, k1: number, c0: number, c1: number): void {
  const k2 = k0 ^ k1 ^ 0x1bd11bda;
  let x0 = (c0 + k0) | 0;
  let x1 = (c1 + k1) | 0;
  // Rounds 1-4: rotations 13, 15, 26, 6.
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 13) | (x1 >>> 19);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 15) | (x1 >>> 17);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 26) | (x1 >>> 6);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 6) | (x1 >>> 26);
  x1 ^= x0;
  x0 = (x0 + k1) | 0;
  x1 = (x1 + k2 + 1) | 0;
  // Rounds 5-8: rotations 17, 29, 16, 24.
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 17) | (x1 >>> 15);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 29) | (x1 >>> 3);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 16) | (x1 >>> 16);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 24) | (x1 >>> 8);
  x1 ^= x0;
  x0 = (x0 + k2) | 0;
  x1 = (x1 + k0 + 2) | 0;
  // Rounds 9-12.
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 13) | (x1 >>> 19);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 15) | (x1 >>> 17);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 26) | (x1 >>> 6);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 6) | (x1 >>> 26);
  x1 ^= x0;
  x0 = (x0 + k0) | 0;
  x1 = (x1 + k1 + 3) | 0;
  // Rounds 13-16.
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 17) | (x1 >>> 15);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 29) | (x1 >>> 3);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 16) | (x1 >>> 16);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 24) | (x1 >>> 8);
  x1 ^= x0;
  x0 = (x0 + k1) | 0;
  x1 = (x1 + k2 + 4) | 0;
  // Rounds 17-20.
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 13) | (x1 >>> 19);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 15) | (x1 >>> 17);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 26) | (x1 >>> 6);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 6) | (x1 >>> 26);
  x1 ^= x0;
  x0 = (x0 + k2) | 0;
  x1 = (x1 + k0 + 5) | 0;
  OUT[0] = x0;
  OUT[1] = x1;
}

function checkKey(key: Int32Array): void {
  if (key.length !== 2) throw new RangeError(`PRNG key must have length 2, got ${key.length}`);
}

function checkCount(count: number, what: string): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${count}`);
  }
}

const TWO32 = 4294967296;

/** jax.random.PRNGKey(seed): [hi32, lo32] of the seed as a 64-bit integer. */
export function keyFromSeed(seed: number): Int32Array {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`PRNG seed must be a safe integer, got ${seed}`);
  }
  // Floor division gives two's-complement words for negative seeds too.
  const hi = Math.floor(seed / TWO32);
  const lo = seed - hi * TWO32;
  return Int32Array.of(hi | 0, lo | 0);
}

/** n new keys as an [n, 2] array; key i hashes counter i. */
export function split(key: Int32Array, n: number): Int32Array {
  checkKey(key);
  checkCount(n, 'split count');
  const k0 = key[0];
  const k1 = key[1];
  const out = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    hashInto(k0, k1, (i / TWO32) | 0, i | 0);
    out[2 * i] = OUT[0];
    out[2 * i + 1] = OUT[1];
  }
  return out;
}

/** Derive a key from `key` and an integer (taken mod 2^32, like uint32). */
export function foldIn(key: Int32Array, data: number): Int32Array {
  checkKey(key);
  if (!Number.isSafeInteger(data)) throw new RangeError(`foldIn data must be an integer, got ${data}`);
  const lo = data - Math.floor(data / TWO32) * TWO32;
  hashInto(key[0], key[1], 0, lo | 0);
  return Int32Array.of(OUT[0], OUT[1]);
}

/** `count` uint32 words: word i = o0 ^ o1 of the hash of counter i. */
export function randomBits(key: Int32Array, count: number): Uint32Array {
  checkKey(key);
  checkCount(count, 'randomBits count');
  const k0 = key[0];
  const k1 = key[1];
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    hashInto(k0, k1, (i / TWO32) | 0, i | 0);
    out[i] = OUT[0] ^ OUT[1];
  }
  return out;
}

/** `count` 64-bit words as [hi, lo] uint32 pairs: (o0, o1) of counter i. */
export function randomBits64(key: Int32Array, count: number): Uint32Array {
  checkKey(key);
  checkCount(count, 'randomBits64 count');
  const k0 = key[0];
  const k1 = key[1];
  const out = new Uint32Array(2 * count);
  for (let i = 0; i < count; i++) {
    hashInto(k0, k1, (i / TWO32) | 0, i | 0);
    out[2 * i] = OUT[0];
    out[2 * i + 1] = OUT[1];
  }
  return out;
}

/** split(key, n) written into `out` (length 2n), allocating nothing. */
export function splitInto(key: Int32Array, n: number, out: Int32Array): void {
  const k0 = key[0];
  const k1 = key[1];
  for (let i = 0; i < n; i++) {
    hashInto(k0, k1, (i / TWO32) | 0, i | 0);
    out[2 * i] = OUT[0];
    out[2 * i + 1] = OUT[1];
  }
}

/**
 * uniform01(randomBits(key, n), 'float32') or uniform01(randomBits64(key, n), 'float64')
 * written into `out`, allocating nothing: the same numbers, bit for bit.
 */
export function uniformInto(key: Int32Array, n: number, dtype: 'float32' | 'float64', out: Float64Array): void {
  const k0 = key[0];
  const k1 = key[1];
  for (let i = 0; i < n; i++) {
    hashInto(k0, k1, (i / TWO32) | 0, i | 0);
    out[i] =
      dtype === 'float32'
        ? ((OUT[0] ^ OUT[1]) >>> 9) * INV23
        : ((OUT[0] >>> 0) * TWO20 + ((OUT[1] >>> 0) >>> 12)) * INV52;
  }
}

const INV23 = 2 ** -23;
const INV52 = 2 ** -52;
const TWO20 = 2 ** 20;

/**
 * Map random words to [0, 1). float32: one word per value, 23 bits.
 * float64: two words (hi, lo) per value, 52 bits; bits.length must be even.
 */
export function uniform01(bits: Uint32Array, dtype: 'float32' | 'float64'): Float64Array {
  if (dtype === 'float32') {
    const out = new Float64Array(bits.length);
    for (let i = 0; i < bits.length; i++) out[i] = (bits[i] >>> 9) * INV23;
    return out;
  }
  if (bits.length % 2 !== 0) {
    throw new RangeError(`uniform01 float64 needs an even number of words, got ${bits.length}`);
  }
  const n = bits.length / 2;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = (bits[2 * i] * TWO20 + (bits[2 * i + 1] >>> 12)) * INV52;
  }
  return out;
}
