// Quick start: trace a function, differentiate it, and run the gradient and a Hessian-vector
// product on the float64 reference backend.
//   npx tsx examples/ts/grad.ts
import { trace, grad, hvp, runRef, toRefArray, toNested, ops as P } from '../../runtime/index.js';

// f(x) = sum(tanh(x)^2) + log(sum(exp(x)))
const f = (x: P.Tracer) => P.add(P.sum(P.square(P.tanh(x))), P.logsumexp(x));

const g = trace((x, v) => [f(x), grad(f)(x), hvp(f, [x], [v])[0]!], [[3], [3]]);
const x = toRefArray([0.5, -1, 2], g.inputs[0]!.aval);
const v = toRefArray([1, 0, 0], g.inputs[1]!.aval);
const [value, gradient, hv] = runRef(g, [x, v]);
console.log('f(x)      =', toNested(value!));
console.log('grad f(x) =', toNested(gradient!));
console.log('H(x) v    =', toNested(hv!));
