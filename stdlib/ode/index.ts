// Ordinary differential equations: adaptive Dormand-Prince 5(4) with forward sensitivities.
export { odeRk45, ODE_DEFAULTS, DEPTH, type OdeOptions } from './rk45.js';
