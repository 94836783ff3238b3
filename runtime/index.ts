// The runtime's public surface: tracing, transforms, the primitive table, backends, host values.
export * as ops from './ops/index.js';
export { Tracer, TraceError, inline, traceSub } from './ir/tracer.js';
export type { TLike } from './ops/core.js';
export type { RefArray } from './prims/rule.js';
export { Graph, Var } from './ir/graph.js';
export * from './ir/types.js';
export { trace, vjp, grad, grads, valueAndGrad, jvp, hvp, jacobian, hessian } from './transforms/api.js';
export { jvpGraph } from './transforms/jvp.js';
export { vjpGraph } from './transforms/vjp.js';
export { primTable, primNames } from './prims/table.js';
export { runRef } from './backends/ref.js';
export { mulberry32, mulberry32Step, boxMuller, normals } from './kernels/seeded.js';
export { threefry2x32, keyFromSeed, foldIn, randomBits64, uniform01 } from './kernels/threefry.js';
export { cholesky as choleskyKernel } from './kernels/cholesky.js';
export { toRefArray, toNested, type HostValue } from './values/host.js';
export { printGraph, countEqns, varName } from './ir/print.js';
export { simplify, dce, cse, constantFold, algebraic } from './transforms/simplify.js';
export {
  initBackend,
  availableBackends,
  compile,
  compileSync,
  jit,
  estimateCost,
  chooseBackend,
  chooseExact,
  jsSource,
  GpuUnavailable,
  isGpuBackend,
  type Jitted,
} from './backends/index.js';
export type { BackendName, BackendCompileOptions, Executable, HostArray, DeviceArray } from './backends/types.js';
export { eigh } from './kernels/eigh.js';
export { buildPlan, planSummary } from './plan/plan.js';
export { platform, type Platform, type Hash } from './platform/index.js';
export { backquote } from './text.js';
// The PyTorch emitter (compiler/export writes the package around it).
export {
  torchFunction,
  torchUnsupported,
  safeName,
  pyNumber,
  TorchExportError,
  TORCH_PRELUDE,
} from './export/torch.js';
