// The tracing API in one namespace: `import * as P from 'runtime/ops/index.js'`.
export * from './core.js';
export * from './elementwise.js';
export * from './reduce.js';
export * from './shape.js';
export * from './linalg.js';
export * from './sort.js';
export * from './random.js';
export * from './control.js';
export * from './math.js';
