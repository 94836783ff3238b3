// Compiling graphs and traced functions for a backend: `compile(graph, opts)` gives an
// Executable; `jit(fn)` traces per input signature and caches the compiled plans (counted).
// tfjs backends must be initialized (asynchronously, once) before synchronous compilation:
// `compile` does it; `compileSync`/`jit` require `initBackend` to have run.

import type { Graph } from '../ir/graph.js';
import type { AVal, DType } from '../ir/types.js';
import { aval } from '../ir/types.js';
import type { Tracer } from '../ir/tracer.js';
import { trace } from '../transforms/api.js';
import { simplify } from '../transforms/simplify.js';
import { buildPlan } from '../plan/plan.js';
import { PlanExecutable } from './executable.js';
import { RefDevice } from './ref_device.js';
import { JsExecutable } from './js/executable.js';
import { compileJs } from './js/program.js';
import { TfDevice, tfPlanOptions } from './tfjs.js';
import { initTfBackend, type TfBackendName } from './tfjs_load.js';
import { GpuConnection, RemoteDevice } from './remote/client.js';
import { openWebgpu } from './remote/open.js';
import { chooseBackend } from './auto.js';
import { isDeviceArray } from './host_args.js';
import type * as TF from '@tensorflow/tfjs';
import type { Arg, BackendName, BackendCompileOptions, DeviceArray, Executable, HostArray } from './types.js';

export type * from './types.js';
export { estimateCost, chooseBackend, chooseExact } from './auto.js';
export { GpuUnavailable, isGpuBackend } from './tfjs_load.js';

const tfReady = new Map<Exclude<TfBackendName, 'webgpu'>, typeof TF>();
let gpuConnection: GpuConnection | null = null;

/**
 * Initializes a backend (loads tfjs and its wasm module when needed). 'auto' initializes wasm.
 * A GPU backend that cannot run here rejects with a GpuUnavailable error naming the cause.
 */
export async function initBackend(name: BackendName | 'auto'): Promise<void> {
  if (name === 'ref' || name === 'js') return;
  if (name === 'webgpu') {
    gpuConnection ??= await openWebgpu();
    return;
  }
  const b = name === 'auto' ? 'wasm' : name;
  if (!tfReady.has(b)) tfReady.set(b, await initTfBackend(b));
}

/** Backends usable synchronously now. */
export function availableBackends(): BackendName[] {
  return ['ref', 'js', ...tfReady.keys(), ...(gpuConnection ? (['webgpu'] as const) : [])];
}

/** The tfjs module as the runtime uses it, once a tfjs backend is initialized (for tests/interop). */
export function tfModule(): typeof TF | null {
  return tfReady.values().next().value ?? null;
}

export function compileSync(graph: Graph, opts: BackendCompileOptions = {}): Executable {
  const g = opts.simplify === false ? graph : simplify(graph);
  const want = opts.backend ?? 'auto';
  const backend = want === 'auto' ? chooseBackend(g, availableBackends()) : want;
  let exe: Executable;
  if (backend === 'ref') exe = new PlanExecutable(buildPlan(g, { dataInputs: opts.dataInputs }), new RefDevice());
  else if (backend === 'js') exe = new JsExecutable(g, opts.dataInputs);
  else if (backend === 'webgpu') {
    if (!gpuConnection)
      throw new Error(`backend 'webgpu' is not initialized: await initBackend('webgpu') (or use compile)`);
    const fuse = opts.fuse ?? true;
    exe = new PlanExecutable(
      buildPlan(g, { ...tfPlanOptions('webgpu', fuse), dataInputs: opts.dataInputs }),
      new RemoteDevice(gpuConnection, fuse),
    );
  } else {
    const tf = tfReady.get(backend);
    if (!tf)
      throw new Error(`backend '${backend}' is not initialized: await initBackend('${backend}') (or use compile)`);
    const fuse = opts.fuse ?? true;
    exe = new PlanExecutable(
      buildPlan(g, { ...tfPlanOptions(backend, fuse), dataInputs: opts.dataInputs }),
      new TfDevice(tf, backend, fuse),
    );
  }
  if (opts.data) exe.bind(opts.data);
  return exe;
}

/** The JavaScript the js backend generates for a graph (after simplification), for reading. */
export function jsSource(graph: Graph, dataInputs: readonly number[] = []): string {
  return compileJs(simplify(graph), dataInputs).source;
}

/** Compiles, loading a tfjs backend first when it is asked for (or when `auto` picks one). */
export async function compile(graph: Graph, opts: BackendCompileOptions = {}): Promise<Executable> {
  let backend = opts.backend ?? 'auto';
  if (backend === 'auto') {
    const g = opts.simplify === false ? graph : simplify(graph);
    backend = chooseBackend(g, ['ref', 'js', 'cpu', 'wasm']);
    await initBackend(backend);
    return compileSync(g, { ...opts, backend, simplify: false });
  }
  await initBackend(backend);
  return compileSync(graph, opts);
}

function argAVal(x: Arg, i: number): AVal {
  if (isDeviceArray(x)) return (x as DeviceArray).aval;
  if (typeof x === 'number') return aval([], 'float64');
  if (typeof x === 'boolean') return aval([], 'bool');
  if (ArrayBuffer.isView(x)) return aval([x.length], dtypeOf(x));
  if (Array.isArray(x)) {
    const shape: number[] = [];
    let cur: unknown = x;
    while (Array.isArray(cur)) {
      shape.push(cur.length);
      cur = cur[0];
    }
    return aval(shape, typeof cur === 'boolean' ? 'bool' : 'float64');
  }
  const h = x as HostArray;
  if (h && h.data && h.shape) return aval(h.shape, dtypeOf(h.data));
  throw new Error(`jit: cannot infer the shape of argument ${i}`);
}

const dtypeOf = (d: HostArray['data']): DType =>
  d instanceof Float32Array
    ? 'float32'
    : d instanceof Int32Array
      ? 'int32'
      : d instanceof Uint8Array
        ? 'bool'
        : 'float64';

export interface JitOptions extends Omit<BackendCompileOptions, 'data'> {}

export interface Jitted {
  (...args: Arg[]): HostArray[];
  /** Plans compiled so far (one per distinct input signature) and calls served from the cache. */
  readonly stats: { compiles: number; cacheHits: number };
  /** The executable for the last signature called. */
  readonly last: Executable | null;
  dispose(): void;
}

/**
 * Traces `fn` per input signature (shapes and dtypes) and caches the compiled executable.
 * Data inputs (opts.dataInputs, positions among the arguments) are rebound only when a different
 * object is passed than at the previous call, so their hoisted work runs once per binding.
 */
export function jit(fn: (...args: Tracer[]) => Tracer | Tracer[], opts: JitOptions = {}): Jitted {
  const cache = new Map<string, { exe: Executable; data: Arg[] | null }>();
  const dataSet = new Set(opts.dataInputs ?? []);
  const stats = { compiles: 0, cacheHits: 0 };
  let last: Executable | null = null;
  const call = (...args: Arg[]): HostArray[] => {
    const avals = args.map(argAVal);
    const key = avals.map((a) => `${a.dtype}[${a.shape.join(',')}]`).join(';');
    let entry = cache.get(key);
    if (!entry) {
      const g = trace(fn, avals);
      entry = { exe: compileSync(g, { ...opts, data: undefined }), data: null };
      cache.set(key, entry);
      stats.compiles++;
    } else stats.cacheHits++;
    last = entry.exe;
    if (dataSet.size) {
      const data = args.filter((_, i) => dataSet.has(i));
      if (!entry.data || entry.data.some((d, k) => d !== data[k])) {
        entry.exe.bind(data);
        entry.data = data;
      }
    }
    return entry.exe.run(args.filter((_, i) => !dataSet.has(i)));
  };
  Object.defineProperty(call, 'last', { get: () => last });
  return Object.assign(call, {
    stats,
    dispose() {
      for (const e of cache.values()) e.exe.dispose();
      cache.clear();
    },
  }) as unknown as Jitted;
}
