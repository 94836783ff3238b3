// Bayesian linear regression by variational inference, from TypeScript: the data live in typed
// arrays (a row-major Float64Array with its shape for X, a Float64Array for y) and are
// interpolated into an `opt` template as data. N and D are bound by the declared data X.
//   npx tsx examples/ts/vi_regression.ts
import { opt } from 'proxima';

// Synthetic data from a fixed seed: y = X w + b + noise, w = [1.5, -2], b = 0.5, sigma = 0.3.
const N = 100;
const D = 2;
let seed = 7;
const uniform = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
const X = new Float64Array(N * D).map(normal);
const y = Float64Array.from({ length: N }, (_, i) => 1.5 * X[i * D]! - 2 * X[i * D + 1]! + 0.5 + 0.3 * normal());

const model = opt<{ w: number[]; b: number; sigma: number }>`
data { X: real[N, D] = ${{ data: X, shape: [N, D] }} }
param { w: real[D]; b: real; sigma: real > 0 }
model {
  w ~ Normal(0, 5)
  b ~ Normal(0, 5)
  sigma ~ HalfNormal(1)
  ${y} ~ Normal(X @ w + b, sigma)
}`;

const r = await model.infer({ options: { guide: 'full_rank', samples: 4, steps: 2000 }, seed: 1 });
console.log('status', r.status);
for (const name of ['w', 'b', 'sigma'] as const) {
  const s = r.posterior![name];
  console.log(name.padEnd(5), 'mean', s.mean, 'sd', s.sd);
}
