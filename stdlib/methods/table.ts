// The method table: every `solve`, `infer` and hypergradient method, assembled from the family
// files. Adding a method is its rule file and one line here; `MethodName` and every consumer
// (check, the automatic choice, the options table, the run path) follow from this object. The
// `byName` builder keys each entry by its own `name`, so a key cannot disagree with its entry.

import { gaussNewton, lm } from '../optim/gauss_newton.js';
import { lbfgs } from '../optim/lbfgs.js';
import { newtonCg } from '../optim/newton_cg.js';
import {
  adagrad,
  adam,
  adamw,
  diffgrad,
  normalizedGd,
  normalizedMomentum,
  rmsprop,
  sgd,
} from '../optim/first_order_rules.js';
import { lion } from '../optim/lion.js';
import { fista, proxAdam, proxGrad } from '../optim/prox_methods.js';
import { auglag } from '../solvers/augmented_lagrangian.js';
import { projected } from '../solvers/bounded.js';
import { sketchNewton } from '../solvers/sketch_newton.js';
import { vi } from '../vi/method.js';
import { hmc, nuts } from '../mcmc/method.js';
import { sqp } from './planned.js';
import { bilevel } from '../bilevel/method.js';
import { implicit } from '../bilevel/implicit.js';
import { penalty } from '../bilevel/penalty.js';
import { unrolled } from '../bilevel/unrolled.js';
import type { AnyHypergrad, AnyMethod, AnyRunnable, MethodKind } from './rule.js';

const byName = <const T extends readonly AnyMethod[]>(...ms: T): { readonly [M in T[number] as M['name']]: M } =>
  Object.fromEntries(ms.map((m) => [m.name, m])) as never;

export const methodTable = byName(
  // solve: smooth
  lbfgs,
  newtonCg,
  gaussNewton,
  lm,
  // solve: first-order
  sgd,
  adam,
  adamw,
  adagrad,
  rmsprop,
  diffgrad,
  normalizedGd,
  normalizedMomentum,
  lion,
  // solve: prox terms, sets, constraints
  fista,
  proxGrad,
  proxAdam,
  projected,
  auglag,
  sketchNewton,
  sqp,
  bilevel,
  // infer
  vi,
  nuts,
  hmc,
  // hypergradients
  implicit,
  unrolled,
  penalty,
);

export type MethodTable = typeof methodTable;
export type MethodName = keyof MethodTable;
/** The names of the entries that run (the library's `solve` takes these). */
export type RunnableName = {
  [K in MethodName]: MethodTable[K] extends { available: true; init: unknown } ? K : never;
}[MethodName];

export const methodList: readonly AnyMethod[] = Object.values(methodTable);

/** An entry by name and kind (undefined when unknown or of another kind). */
export function methodOf(name: string, kind?: MethodKind): AnyMethod | undefined {
  const m = (methodTable as Readonly<Record<string, AnyMethod>>)[name];
  return m && (!kind || m.kind === kind) ? m : undefined;
}

/** A runnable entry by name (one the driver runs: not a hypergradient). */
export function runnableOf(name: string): AnyRunnable | undefined {
  const m = methodOf(name);
  return m?.available && m.kind !== 'hypergrad' ? (m as AnyRunnable) : undefined;
}

/** A hypergradient entry that runs, by name. */
export function hypergradOf(name: string): AnyHypergrad | undefined {
  const m = methodOf(name, 'hypergrad');
  return m?.available ? (m as AnyHypergrad) : undefined;
}
