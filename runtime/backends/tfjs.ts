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
import { activateTf, type TfBackendName } from './tfjs_load.js';
import { fastTf } from './tf_kernels.js';
import { compileRegion, type FusedKernel } from './fused_js.js';
import { regionShapeOk } from '../plan/fuse.js';

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
 * Whether a broadcast stays lazy on this backend. wasm broadcasts any operand natively at a
 * small cost; tfjs's cpu kernels are only fast for scalar operands (a [1, n] row is ~10x slower
 * than materializing), so there only size-1 broadcasts stay lazy.
 */
function lazyBroadcast(
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
  return name === 'wasm' || one;
}

/**
 * Largest region fused into a JavaScript loop. tfjs's cpu kernels are JavaScript loops too, so
 * fusing always wins there; on wasm a kernel's per-element cost is lower than a JS loop's, and
 * fusion pays while dispatches dominate (measured on the benchmark machine, docs/benchmarks.md).
 */
export const FUSE_MAX: Record<TfBackendName, number> = { cpu: Infinity, wasm: 1 << 20 };

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

/** Plan options for a tfjs backend. */
export function tfPlanOptions(name: TfBackendName, fuse = true) {
  return {
    rewrite: name === 'wasm' ? staticMatmul : undefined,
    fuseWorthIt: (members: readonly AnyEqn[], ins: number, outs: number) =>
      regionPays(name, sizeOf(members[members.length - 1]!.outputs[0]!.aval.shape), members.length, ins, outs),
    fusible: fuse ? (e: AnyEqn) => ELEMENTWISE.has(e.prim) && regionShapeOk(e, FUSE_MAX[name]) : undefined,
    aliasOf: (e: AnyEqn, consumers: readonly AnyEqn[], isOutput: boolean): number | null => {
      if (isIdentity(e)) return 0;
      if (e.prim !== 'broadcast_in_dim' || !lazyBroadcast(name, e, consumers, isOutput, fuse)) return null;
      // No kernel at all when the operand already broadcasts as it is.
      const scalar = e.inputs[0]!.aval.shape.length === 0;
      return scalar || (name === 'wasm' && rightAligned(e)) ? 0 : null;
    },
    // Lazy broadcasts cost (almost) nothing in the step stage, and hoisting one would materialize
    // it; a broadcast that is materialized anyway is hoisted like any other equation.
    keepInStep: (e: AnyEqn, consumers: readonly AnyEqn[], isOutput: boolean) =>
      lazyBroadcast(name, e, consumers, isOutput, fuse),
  };
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
  /** Host copies of resident values (constants, data) read by fused regions: downloaded once. */
  private readonly hostCache = new WeakMap<Tensor, ArrayLike<number>>();
  private readonly subs = new Map<Graph, PlanExecutable<Tensor>>();
  private current: Step | null = null;
  private readonly ctx: TfContext;

  constructor(
    readonly tf: typeof TF,
    readonly name: TfBackendName,
    readonly fuse = true,
    readonly counters: Counters = { hostCalls: 0, hostDownloads: 0, hostUploads: 0, hostBytes: 0 },
  ) {
    this.ftf = fastTf(tf);
    this.ctx = {
      tf: this.ftf,
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
          const ids = (slots: readonly number[]) => slots.map((s) => plan.vars[s]!.id);
          const k = compileRegion(step.fused, ids(step.ins), ids(step.outs), (d) =>
            d === 'int32' ? 'Int32Array' : d === 'bool' ? 'Uint8Array' : 'Float32Array',
          );
          this.kernels.set(step, {
            k,
            outAvals: step.outs.map((s) => plan.avals[s]!),
            resident: step.ins.map((s) => resident.has(s)),
          });
          continue;
        }
        const s = step.outs[0]!;
        if (
          lazyBroadcast(
            this.name,
            step.eqn,
            plan.consumers[s] ?? [],
            plan.outputs.some((o) => o.slot === s),
            this.fuse,
          )
        )
          this.lazy.add(step.eqn);
      }
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
    return this.tf.tensor(d as Float32Array, [...a.shape], dt);
  }

  download(t: Tensor, a: AVal): HostArray {
    return { data: typedCopy(t.dataSync() as ArrayLike<number>, a), shape: [...a.shape] };
  }

  copy(t: Tensor): Tensor {
    return this.tf.clone(t);
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
      const x = ins[0]!;
      const mid =
        x.size === 1
          ? []
          : e.params.shape.map((_, i) => {
              const k = e.params.dims.indexOf(i);
              return k < 0 ? 1 : x.shape[k]!;
            });
      return [this.ftf.reshape(x, mid)];
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

  /** A fused region: one JavaScript loop over the operands' host data. */
  private execFused(step: Step, ins: Tensor[]): Tensor[] {
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
      c.hostDownloads++;
      c.hostBytes += t.size * 4;
      const raw = t.dataSync() as ArrayLike<number>;
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
