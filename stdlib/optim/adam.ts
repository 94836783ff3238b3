// Adam (Kingma & Ba) with bias correction: its update rule is `rules.adam` (a graph, one
// definition), run by the first-order host loop. Kept as a module for the names it exported.

import type { Objective, SolveOptions } from './driver.js';
import { firstOrderInit, firstOrderStep, type FirstOrderState } from './first_order.js';

export type AdamState = FirstOrderState;

export const adamInit = (obj: Objective, x0: Float64Array, o?: Partial<SolveOptions>): AdamState =>
  firstOrderInit(obj, x0, { steps: 0, tol: 0, ...o, method: 'adam' });

export const adamStep = (obj: Objective, s: AdamState, o: SolveOptions): string | null => firstOrderStep(obj, s, o);
