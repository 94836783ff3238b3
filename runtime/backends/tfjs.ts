// The tfjs device (cpu and wasm): runs each plan step through the primitive table's tfjs
// lowering, with no gradient tape (the gradient graph was built by our own autodiff), and
// primitives declared 'host' through their float64 ref rule on downloaded data. Graph float64
// values live as float32 tensors.
// Plan-level decisions made here: converts between float32 and float64 and stop_gradient are
// identities (aliased away at compile time); broadcast_in_dim feeding only elementwise
// consumers is not materialized: tfjs's elementwise kernels broadcast natively, so a scalar
// broadcast costs nothing and other broadcasts only a reshape. An elementwise result that comes
// out smaller than its aval (all of its operands were lazy) is expanded on the spot.

import type * as TF from '@tensorflow/tfjs';
import { Var, type AnyEqn, type Graph } from '../ir/graph.js';
import type { AVal } from '../ir/types.js';
import { aval, sizeOf } from '../ir/types.js';
import { buildPlan, type Plan, type Step } from '../plan/plan.js';
import { ELEMENTWISE, ruleOf } from '../prims/table.js';
import type { RefArray, TfContext } from '../prims/rule.js';
import type { Device } from './device.js';
import { PlanExecutable } from './executable.js';
import { typedCopy } from './host_args.js';
import type { ExecStats, HostArray } from './types.js';
import { activateTf, webgpuUtil, type TfBackendName } from './tfjs_load.js';
import { compileGpuRegion, gpuFusible, type GpuRegion } from './fused_gpu.js';
import { fastTf } from './tf_kernels.js';
import { compileRegion, type FusedKernel } from './fused_js.js';
import { regionShapeOk } from '../plan/fuse.js';
import { foldable, foldOnHost, MIRROR_MAX } from './host_fold.js';

type Tensor = TF.Tensor;

export const tfDtype = (a: AVal): TF.DataType => (a.dtype === 'float64' ? 'float32' : a.dtype);

/** An identity on tfjs: float32 <-> float64 converts and stop_gradient. */
function isIdentity(e: AnyEqn): boolean {
  if (e.prim === 'stop_gradient') return true;
  if (e.prim !== 'convert') return false;
  return tfDtype(e.inputs[0]!.aval) === tfDtype(e.outputs[0]!.aval);
}

/** A broadcast whose operand already lines up with the target from the right (numpy rules). */
function rightAligned(e: AnyEqn & { prim: 'broadcast_in_dim' }): boolean {
  const x = e.inputs[0]!.aval.shape;
  const { shape, dims } = e.params;
  return dims.every((d, i) => d === shape.length - x.length + i);
}

/**
 * Elementwise kernels whose native broadcasting is fast. `select` is not among them: tfjs's
 * `where` broadcasts by tiling every operand, which costs more than materializing once.
 */
const natively = (cs: readonly AnyEqn[], scalarSelect: boolean) =>
  cs.length > 0 && cs.every((c) => ELEMENTWISE.has(c.prim) && (c.prim !== 'select' || scalarSelect));

/**
 * Whether a broadcast stays lazy on this backend. wasm and the GPU backends broadcast any operand
 * natively at a small cost (on a GPU, index arithmetic in the shader); tfjs's cpu kernels are only
 * fast for scalar operands (a [1, n] row is ~10x slower than materializing), so there only size-1
 * broadcasts stay lazy.
 */
export function lazyBroadcast(
  name: TfBackendName,
  e: AnyEqn,
  consumers: readonly AnyEqn[],
  isOutput: boolean,
  fuse: boolean,
): boolean {
  if (e.prim !== 'broadcast_in_dim' || isOutput) return false;
  // A fused region reads a single element as a scalar, select included.
  const one = sizeOf(e.inputs[0]!.aval.shape) === 1;
  if (!natively(consumers, fuse && one)) return false;
  return name !== 'cpu' || one;
}

/**
 * Largest region fused into a JavaScript loop. tfjs's cpu kernels are JavaScript loops too, so
 * fusing always wins there; on wasm a kernel's per-element cost is lower than a JS loop's, and
 * fusion pays while dispatches dominate (measured on the benchmark machine, docs/benchmarks.md).
 * The GPU backends fuse into generated shaders instead (fused_gpu.ts), at any size.
 */
export const FUSE_MAX: Record<'cpu' | 'wasm', number> = { cpu: Infinity, wasm: 1 << 20 };

/**
 * Matrix products with a static (constant or data) operand, rewritten so the per-step kernel is
 * the fast one; the transposes are static too, so they run once per data binding:
 * - op(A) = A^T with A static: transpose A once (tfjs-wasm copies a transposed operand on every
 *   call otherwise); likewise op(B) = B^T with B static;
 * - X w with X static and w a column: tfjs-wasm multiplies a row by a matrix far faster than a
 *   matrix by a column, so compute (w^T X^T)^T.
 */
function staticMatmul(e: AnyEqn, isStatic: (v: Var) => boolean): AnyEqn[] | null {
  if (e.prim !== 'matmul') return null;
  let [a, b] = e.inputs as [Var, Var];
  let { transA, transB } = e.params;
  const out = e.outputs[0]!;
  if (a.aval.shape.length !== 2 || b.aval.shape.length !== 2) return null;
  const mk = (prim: string, params: object, inputs: Var[], outputs: Var[]) =>
    ({ prim, params, inputs, outputs }) as unknown as AnyEqn;
  const pre: AnyEqn[] = [];
  const transposed = (x: Var): Var => {
    const t = new Var(aval([x.aval.shape[1]!, x.aval.shape[0]!], x.aval.dtype));
    pre.push(mk('transpose', { perm: [1, 0] }, [x], [t]));
    return t;
  };
  if (transA && isStatic(a) && !isStatic(b)) [a, transA] = [transposed(a), false];
  if (transB && isStatic(b) && !isStatic(a)) [b, transB] = [transposed(b), false];
  if (!transA && !transB && b.aval.shape[1] === 1 && isStatic(a) && !isStatic(b)) {
    const [m, k] = a.aval.shape as [number, number];
    const dt = a.aval.dtype;
    const row = new Var(aval([1, k], dt)),
      prod = new Var(aval([1, m], dt));
    return [
      ...pre,
      mk('transpose', { perm: [1, 0] }, [a], [(a = new Var(aval([k, m], dt)))]),
      mk('reshape', { shape: [1, k] }, [b], [row]),
      mk('matmul', { transA: false, transB: false }, [row, a], [prod]),
      mk('reshape', { shape: [m, 1] }, [prod], [out]),
    ];
  }
  if (!pre.length) return null;
  return [...pre, mk('matmul', { transA, transB }, [a, b], [out])];
}

/**
 * Whether a fused region beats its kernels on wasm: a JavaScript loop pays a download and an
 * upload per operand element, so large regions must do enough work per element to win back the
 * transfers (measured on the benchmark machine, docs/benchmarks.md).
 */
function regionPays(name: TfBackendName, n: number, ops: number, ins: number, outs: number): boolean {
  return name === 'cpu' || n <= 65536 || ops >= 2 * (ins + outs);
}

/**
 * Most operands of one generated GPU shader: WebGPU guarantees 8 storage buffers per shader stage
 * (one is the result), WebGL 2 at least 16 texture units.
 */
const GPU_REGION_INPUTS = { webgl: 15, webgpu: 7 } as const;

/** Plan options for a tfjs backend. */
export function tfPlanOptions(name: TfBackendName, fuse = true) {
  const gpu = name === 'webgl' || name === 'webgpu';
  return {
    rewrite: name === 'wasm' ? staticMatmul : undefined,
    maxRegionInputs: gpu ? GPU_REGION_INPUTS[name] : undefined,
    // On a GPU a region always pays: it saves dispatches and intermediate buffers.
    fuseWorthIt: (members: readonly AnyEqn[], ins: number, outs: number) =>
      gpu || regionPays(name, sizeOf(members[members.length - 1]!.outputs[0]!.aval.shape), members.length, ins, outs),
    fusible: !fuse
      ? undefined
      : gpu
        ? (e: AnyEqn) => gpuFusible(e) && regionShapeOk(e, Infinity)
        : (e: AnyEqn) => ELEMENTWISE.has(e.prim) && regionShapeOk(e, FUSE_MAX[name]),
    aliasOf: (e: AnyEqn, consumers: readonly AnyEqn[], isOutput: boolean): number | null => {
      if (isIdentity(e)) return 0;
      if (e.prim !== 'broadcast_in_dim' || !lazyBroadcast(name, e, consumers, isOutput, fuse)) return null;
      // No kernel at all when the operand already broadcasts as it is.
      const scalar = e.inputs[0]!.aval.shape.length === 0;
      return scalar || (name !== 'cpu' && rightAligned(e)) ? 0 : null;
    },
    // Lazy broadcasts cost (almost) nothing in the step stage, and hoisting one would materialize
    // it; a broadcast that is materialized anyway is hoisted like any other equation.
    keepInStep: (e: AnyEqn, consumers: readonly AnyEqn[], isOutput: boolean) =>
      lazyBroadcast(name, e, consumers, isOutput, fuse),
  };
}

/** The shape of a lazy broadcast's view of `x`: rank-aligned, size 1 where the target broadcasts. */
export function lazyViewShape(e: AnyEqn, x: readonly number[]): number[] {
  if (e.prim !== 'broadcast_in_dim') throw new Error('lazyViewShape: not a broadcast');
  if (sizeOf(x) === 1) return [];
  return e.params.shape.map((_, i) => {
    const k = e.params.dims.indexOf(i);
    return k < 0 ? 1 : x[k]!;
  });
}

/** A fused region's interface: external operand and result variable ids, result types, and which
 * operands are resident (constants, data). */
export interface Region {
  inIds: number[];
  outIds: number[];
  outAvals: AVal[];
  resident: boolean[];
}

export function regionOf(plan: Plan, step: Step, resident: ReadonlySet<number>): Region {
  return {
    inIds: step.ins.map((s) => plan.vars[s]!.id),
    outIds: step.outs.map((s) => plan.vars[s]!.id),
    outAvals: step.outs.map((s) => plan.avals[s]!),
    resident: step.ins.map((s) => resident.has(s)),
  };
}

/**
 * Host mirrors of small device values that came from the host (uploads, host-kernel results) on
 * the GPU backends, where a read-back stalls the pipeline: a host kernel or a download that needs
 * such a value reads the mirror instead (a chain of random-key splits never reads back). The
 * mirror holds exactly what was uploaded (float32-rounded), so it equals a read-back.
 */
const mirrors = new WeakMap<Tensor, ArrayLike<number>>();

/** The ops control-flow lowerings use to split and stack values, keeping host mirrors. */
function mirroringTf(tf: typeof TF): typeof TF {
  return {
    ...tf,
    unstack: (x: Tensor) => {
      const outs = tf.unstack(x);
      const m = mirrors.get(x);
      if (m && outs.length) {
        const n = m.length / outs.length;
        outs.forEach((o, k) => mirrors.set(o, Array.prototype.slice.call(m, k * n, (k + 1) * n) as number[]));
      }
      return outs;
    },
    stack: (xs: Tensor[]) => {
      const o = tf.stack(xs);
      const ms = xs.map((x) => mirrors.get(x));
      if (ms.every((m) => m))
        mirrors.set(
          o,
          ms.flatMap((m) => Array.from(m!)),
        );
      return o;
    },
    clone: (x: Tensor) => {
      const o = tf.clone(x);
      const m = mirrors.get(x);
      if (m) mirrors.set(o, m);
      return o;
    },
  } as typeof TF;
}

interface Counters {
  hostCalls: number;
  hostDownloads: number;
  hostUploads: number;
  hostBytes: number;
}

export class TfDevice implements Device<Tensor> {
  private readonly ftf: typeof TF;
  private readonly lazy = new Set<AnyEqn>();
  private readonly kernels = new Map<Step, { k: FusedKernel; outAvals: AVal[]; resident: boolean[] }>();
  private readonly gpuRegions = new Map<Step, GpuRegion>();
  /** Host copies of resident values (constants, data) read by fused regions: downloaded once. */
  private readonly hostCache = new WeakMap<Tensor, ArrayLike<number>>();
  private readonly subs = new Map<Graph, PlanExecutable<Tensor>>();
  private current: Step | null = null;
  private readonly ctx: TfContext;
  private readonly mirrored: boolean;

  constructor(
    readonly tf: typeof TF,
    readonly name: TfBackendName,
    readonly fuse = true,
    readonly counters: Counters = { hostCalls: 0, hostDownloads: 0, hostUploads: 0, hostBytes: 0 },
  ) {
    this.ftf = fastTf(tf);
    this.mirrored = name === 'webgl' || name === 'webgpu';
    this.ctx = {
      tf: this.mirrored ? mirroringTf(this.ftf) : this.ftf,
      run: (g, ins) => this.sub(g).callDevice(ins),
      host: (ins) => this.host(this.current!, ins),
    };
  }

  prepare(plan: Plan): void {
    const resident = new Set([
      ...plan.stages[0].exports,
      ...plan.stages[1].exports,
      ...plan.dataInputs.map((i) => plan.inputSlots[i]!),
    ]);
    for (const st of plan.stages)
      for (const step of st.steps) {
        if (step.fused) {
          this.defineStep(step, false, regionOf(plan, step, resident));
          continue;
        }
        const s = step.outs[0]!;
        const lazy = lazyBroadcast(
          this.name,
          step.eqn,
          plan.consumers[s] ?? [],
          plan.outputs.some((o) => o.slot === s),
          this.fuse,
        );
        this.defineStep(step, lazy);
      }
  }

  /**
   * Readies one plan step: a broadcast the plan leaves lazy becomes a reshaped view; a fused
   * region is compiled. The remote WebGPU server defines its steps through here too.
   */
  defineStep(step: Step, lazy: boolean, region?: Region): void {
    if (step.fused && region && this.mirrored) {
      const lang = this.name === 'webgl' ? 'glsl' : 'wgsl';
      this.gpuRegions.set(
        step,
        compileGpuRegion(
          this.tf,
          lang,
          step.fused,
          region.inIds,
          region.outIds,
          region.outAvals,
          lang === 'wgsl' ? webgpuUtil() : undefined,
        ),
      );
    } else if (step.fused && region) {
      const k = compileRegion(step.fused, region.inIds, region.outIds, (d) =>
        d === 'int32' ? 'Int32Array' : d === 'bool' ? 'Uint8Array' : 'Float32Array',
      );
      this.kernels.set(step, { k, outAvals: region.outAvals, resident: region.resident });
    } else if (lazy) this.lazy.add(step.eqn);
  }

  activate(): void {
    activateTf(this.tf, this.name);
  }

  upload(x: HostArray, a: AVal, persist: boolean): Tensor {
    const dt = tfDtype(a);
    // tfjs's cpu backend keeps a Float32Array/Int32Array it is given by reference: copy values
    // that stay resident, so later changes to the caller's array cannot reach them.
    let d: HostArray['data'] = x.data;
    if (dt === 'float32' && !(d instanceof Float32Array)) d = Float32Array.from(d);
    else if (dt === 'int32' && !(d instanceof Int32Array)) d = Int32Array.from(d);
    else if (dt === 'bool' && !(d instanceof Uint8Array)) d = Uint8Array.from(d, (v) => (v ? 1 : 0));
    else if (persist && this.name === 'cpu') d = d.slice();
    const t = this.tf.tensor(d as Float32Array, [...a.shape], dt);
    if (this.mirrored && d.length <= MIRROR_MAX) mirrors.set(t, d === x.data ? d.slice() : d);
    return t;
  }

  /** A tensor's values: its host mirror when it has one, else read back from the device. */
  private read(t: Tensor): ArrayLike<number> {
    return mirrors.get(t) ?? (t.dataSync() as ArrayLike<number>);
  }

  download(t: Tensor, a: AVal): HostArray {
    return { data: typedCopy(this.read(t), a), shape: [...a.shape] };
  }

  copy(t: Tensor): Tensor {
    const c = this.tf.clone(t);
    const m = mirrors.get(t);
    if (m) mirrors.set(c, m);
    return c;
  }

  free(t: Tensor): void {
    t.dispose();
  }

  exec(step: Step, ins: Tensor[]): Tensor[] {
    if (step.fused) return this.execFused(step, ins);
    const e = step.eqn;
    const outAvals = e.outputs.map((v) => v.aval);
    if (e.prim === 'broadcast_in_dim' && this.lazy.has(e)) {
      // Rank-aligned view for the elementwise consumers: sizes 1 where the target broadcasts.
      return [this.ftf.reshape(ins[0]!, lazyViewShape(e, ins[0]!.shape))];
    }
    if (this.mirrored && ins.length && ins.every((t) => mirrors.has(t)) && foldable(e)) {
      const outAvals = e.outputs.map((v) => v.aval);
      return foldOnHost(
        e,
        ins.map((t) => mirrors.get(t)!),
      ).map((r, i) => this.upload(r, outAvals[i]!, false));
    }
    const rule = ruleOf(e.prim);
    let outs: Tensor[];
    if (rule.tfjs === 'host') outs = this.host(step, ins);
    else {
      this.current = step;
      outs = rule.tfjs(ins, e.params, outAvals, this.ctx);
    }
    if (ELEMENTWISE.has(e.prim)) {
      const o = outs[0]!;
      const a = outAvals[0]!;
      if (o.size !== sizeOf(a.shape) || o.rank !== a.shape.length) {
        outs = [this.tf.broadcastTo(o, [...a.shape])];
        o.dispose();
      }
    }
    return outs;
  }

  /** A fused region: one generated shader per result on a GPU, else one JavaScript loop. */
  private execFused(step: Step, ins: Tensor[]): Tensor[] {
    const gpu = this.gpuRegions.get(step);
    if (gpu) return gpu.run(ins);
    const { k, outAvals, resident } = this.kernels.get(step)!;
    const arrays = ins.map((t, i) => {
      if (t.size === 1 || t.size === k.n) {
        if (!resident[i]) return t.dataSync() as ArrayLike<number>;
        let d = this.hostCache.get(t);
        if (!d) this.hostCache.set(t, (d = t.dataSync() as ArrayLike<number>));
        return d;
      }
      // A lazily broadcast operand of another size: expand it first.
      const shape = [...step.fused![step.fused!.length - 1]!.outputs[0]!.aval.shape];
      const b = this.tf.broadcastTo(t, shape);
      const d = b.dataSync() as ArrayLike<number>;
      b.dispose();
      return d;
    });
    const outs = k.run(arrays);
    return outs.map((d, i) => this.tf.tensor(d as Float32Array, [...outAvals[i]!.shape], tfDtype(outAvals[i]!)));
  }

  /** Runs an equation's ref rule on host copies of its inputs (counted transfers). */
  private host(step: Step, ins: Tensor[]): Tensor[] {
    const e = step.eqn;
    const c = this.counters;
    c.hostCalls++;
    const refIns: RefArray[] = ins.map((t, i) => {
      const a = e.inputs[i]!.aval;
      let raw = mirrors.get(t);
      if (!raw) {
        c.hostDownloads++;
        c.hostBytes += t.size * 4;
        raw = t.dataSync() as ArrayLike<number>;
      }
      const data =
        a.dtype === 'int32' ? Int32Array.from(raw) : a.dtype === 'bool' ? Uint8Array.from(raw) : Float64Array.from(raw);
      return { data, shape: [...a.shape] };
    });
    const rule = ruleOf(e.prim);
    const outAvals = e.outputs.map((v) => v.aval);
    const res = rule.ref(refIns, e.params, outAvals, {
      run: () => {
        throw new Error('host kernels do not run sub-graphs');
      },
    });
    return res.map((r, i) => {
      c.hostUploads++;
      c.hostBytes += r.data.length * 4;
      return this.upload({ data: r.data, shape: r.shape }, outAvals[i]!, false);
    });
  }

  /** The compiled plan of a control-flow sub-graph, cached for this executable's lifetime. */
  private sub(g: Graph): PlanExecutable<Tensor> {
    let x = this.subs.get(g);
    if (!x) {
      x = new PlanExecutable(
        buildPlan(g, tfPlanOptions(this.name, this.fuse)),
        new TfDevice(this.tf, this.name, this.fuse, this.counters),
      );
      this.subs.set(g, x);
    }
    return x;
  }

  dispose(): void {
    for (const x of this.subs.values()) x.dispose();
    this.subs.clear();
  }
}
