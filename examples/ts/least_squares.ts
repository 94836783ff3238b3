// Least squares from TypeScript with a tagged template: the matrix and the vector are
// interpolated as data (never as source text), and n is inferred from A's columns.
//   npx tsx examples/ts/least_squares.ts
import { opt } from 'proxima';

const A = [
  [1, 0],
  [0, 2],
  [1, 1],
];
const b = [1, 2, 3];

const fit = (A: number[][], b: number[]) => opt<{ x: number[] }>`
var x: real[n]
minimize sumsq(${A} @ x - ${b})`;

const r = await fit(A, b).solve();
console.log(r.status, r.values.x);
