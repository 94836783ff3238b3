// Coefficients shared by lgamma and digamma: zeta(k) - 1 for k >= 2, computed once at load by a
// direct sum plus the Euler-Maclaurin tail (error far below 1e-18 for every k used), and the
// Bernoulli numbers B_2k of the Stirling series.

function zetaMinusOne(k: number): number {
  const N = 40;
  let s = 0;
  for (let n = N - 1; n >= 2; n--) s += Math.pow(n, -k);
  // Tail sum_{n >= N} n^-k by Euler-Maclaurin.
  const t =
    Math.pow(N, 1 - k) / (k - 1) +
    0.5 * Math.pow(N, -k) +
    (k / 12) * Math.pow(N, -k - 1) -
    ((k * (k + 1) * (k + 2)) / 720) * Math.pow(N, -k - 3) +
    ((k * (k + 1) * (k + 2) * (k + 3) * (k + 4)) / 30240) * Math.pow(N, -k - 5);
  return s + t;
}

/** ZM1[k] = zeta(k) - 1 for k = 2..40 (ZM1[0], ZM1[1] unused). */
export const ZM1: readonly number[] = Array.from({ length: 41 }, (_, k) => (k < 2 ? NaN : zetaMinusOne(k)));

/** B_2, B_4, ..., B_16. */
export const BERNOULLI_2K: readonly number[] = [
  1 / 6,
  -1 / 30,
  1 / 42,
  -1 / 30,
  5 / 66,
  -691 / 2730,
  7 / 6,
  -3617 / 510,
];
