// Autocovariances by FFT: zero-padded to a power of two at least 2N, so the circular
// correlation equals the linear one; the "biased" estimate acov[t] = sum_i yc_i yc_{i+t} / N that
// Geyer (1992) recommends and the posterior package uses.

/** In-place iterative radix-2 FFT (sign -1 forward, +1 inverse without the 1/m scaling). */
function fft(re: Float64Array, im: Float64Array, sign: number): void {
  const m = re.length;
  for (let i = 1, j = 0; i < m; i++) {
    let bit = m >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]!;
      re[i] = re[j]!;
      re[j] = t;
      t = im[i]!;
      im[i] = im[j]!;
      im[j] = t;
    }
  }
  const twr = new Float64Array(m >> 1);
  const twi = new Float64Array(m >> 1);
  for (let len = 2; len <= m; len <<= 1) {
    const half = len >> 1;
    // Twiddles from cos/sin directly (a recurrence would drift over long transforms).
    for (let k = 0; k < half; k++) {
      twr[k] = Math.cos((sign * 2 * Math.PI * k) / len);
      twi[k] = Math.sin((sign * 2 * Math.PI * k) / len);
    }
    for (let i = 0; i < m; i += len) {
      for (let k = 0; k < half; k++) {
        const a = i + k;
        const b = a + half;
        const cr = twr[k]!;
        const ci = twi[k]!;
        const xr = re[b]! * cr - im[b]! * ci;
        const xi = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

/** acov[t] = (1/N) sum_{i < N - t} (x_i - mean)(x_{i+t} - mean), t = 0..N-1. */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let m = 1;
  while (m < 2 * n) m <<= 1;
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  for (let i = 0; i < n; i++) re[i] = x[i]! - mean;
  fft(re, im, -1);
  for (let i = 0; i < m; i++) {
    re[i] = re[i]! * re[i]! + im[i]! * im[i]!;
    im[i] = 0;
  }
  fft(re, im, 1);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = re[t]! / m / n;
  return out;
}
