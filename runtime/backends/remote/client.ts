// The client side of the remote device (protocol.ts): a Device whose values live in the WebGPU
// server's thread. Ordinary steps are queued as operations and sent in batches without waiting;
// host kernels (counted transfers, as on every tfjs backend) and the control-flow lowerings run
// here, on RemoteTensor handles, so everything that must read a value synchronously (a host
// kernel's operands, a fixed point's convergence test, the outputs of a call) blocks this thread
// on Atomics.wait while the server reads asynchronously.

import type * as TF from '@tensorflow/tfjs';
import type { AnyEqn, Graph } from '../../ir/graph.js';
import { sizeOf, type AVal, type DType } from '../../ir/types.js';
import type { Plan, Step } from '../../plan/plan.js';
import { primTable } from '../../prims/table.js';
import type { PrimRule, RefArray, TfContext } from '../../prims/rule.js';
import type { PrimName } from '../../prims/params.js';
import type { Device } from '../device.js';
import { PlanExecutable } from '../executable.js';
import { typedCopy } from '../host_args.js';
import { buildPlan } from '../../plan/plan.js';
import { lazyBroadcast, lazyViewShape, regionOf, tfPlanOptions } from '../tfjs.js';
import type { HostArray } from '../types.js';
import { foldable, foldOnHost, MIRROR_MAX } from '../host_fold.js';
import type { WorkerPort } from '../../platform/index.js';
import { CTRL, STATE, STATUS, type Message, type Op, type StepSpec, type EqnSpec } from './protocol.js';

const CONTROL = new Set<PrimName>(['scan', 'fixed_point', 'while_loop', 'custom_vjp']);
/** Flush a batch once this many operations are queued; sync every few flushes (back-pressure). */
const BATCH = 1024;
const SYNC_EVERY = 16;

export class GpuConnection {
  private readonly ctrl: Int32Array;
  private data: SharedArrayBuffer;
  private ops: Op[] = [];
  private transfer: ArrayBuffer[] = [];
  private nextId = 1;
  private flushes = 0;
  private dead: Error | null = null;

  private constructor(
    private readonly port: WorkerPort,
    control: SharedArrayBuffer,
    data: SharedArrayBuffer,
  ) {
    this.ctrl = new Int32Array(control);
    this.data = data;
    port.onError((e) => {
      this.dead = e;
      // Wake a waiting client so that it sees the failure.
      Atomics.store(this.ctrl, CTRL.state, STATE.ready);
      Atomics.notify(this.ctrl, CTRL.state);
    });
  }

  /** Starts the server on `port`; rejects with the server's reason when it cannot run. */
  static async open(port: WorkerPort): Promise<GpuConnection> {
    const control = new SharedArrayBuffer(16);
    const data = new SharedArrayBuffer(1 << 16);
    const c = new GpuConnection(port, control, data);
    port.post({ kind: 'init', control, data } satisfies Message);
    const wait = (
      Atomics as { waitAsync?: (a: Int32Array, i: number, v: number) => { value: Promise<string> | string } }
    ).waitAsync;
    if (wait) await wait(c.ctrl, CTRL.state, STATE.waiting).value;
    else while (Atomics.load(c.ctrl, CTRL.state) === STATE.waiting) await new Promise((r) => setTimeout(r, 5));
    c.answer();
    port.unref(); // an idle GPU thread must not keep a Node process alive
    return c;
  }

  id(): number {
    return this.nextId++;
  }

  push(op: Op, transfer?: ArrayBuffer): void {
    this.ops.push(op);
    if (transfer) this.transfer.push(transfer);
    if (this.ops.length >= BATCH) this.flush();
  }

  flush(): void {
    if (!this.ops.length) return;
    if (++this.flushes % SYNC_EVERY === 0) {
      this.ops.push(['sync']);
      this.roundTrip();
      return;
    }
    this.send();
  }

  private send(): void {
    if (this.dead) throw this.dead;
    const ops = this.ops,
      transfer = this.transfer;
    this.ops = [];
    this.transfer = [];
    this.port.post({ kind: 'batch', ops } satisfies Message, transfer);
  }

  /** Sends the queue (ending in a read or sync) and blocks until the server answers. */
  private roundTrip(): number {
    Atomics.store(this.ctrl, CTRL.state, STATE.waiting);
    this.send();
    while (Atomics.wait(this.ctrl, CTRL.state, STATE.waiting, 30_000) === 'timed-out') if (this.dead) break;
    return this.answer();
  }

  private answer(): number {
    if (this.dead) throw this.dead;
    const len = Atomics.load(this.ctrl, CTRL.length);
    if (Atomics.load(this.ctrl, CTRL.status) === STATUS.error) {
      const text = new TextDecoder().decode(new Uint8Array(this.data).slice(0, len));
      throw new Error(`webgpu: ${text}`);
    }
    return len;
  }

  /** The values of a remote tensor of `n` elements (float32 for floats, int32 otherwise). */
  read(id: number, n: number, dtype: DType): Float32Array | Int32Array {
    if (4 * n > this.data.byteLength) {
      this.data = new SharedArrayBuffer(Math.max(4 * n, 2 * this.data.byteLength));
      this.flush();
      this.port.post({ kind: 'buffer', data: this.data } satisfies Message);
    }
    this.ops.push(['rd', id]);
    const len = this.roundTrip();
    const bytes = new Uint8Array(this.data).slice(0, len);
    return dtype === 'float32' || dtype === 'float64' ? new Float32Array(bytes.buffer) : new Int32Array(bytes.buffer);
  }

  /** Waits until every queued operation has run; throws the first error among them. */
  sync(): void {
    this.ops.push(['sync']);
    this.roundTrip();
  }

  close(): void {
    this.port.terminate();
    this.dead = new Error('the WebGPU worker was closed');
  }
}

/** A value on the server: its id and shape (kept here so no call waits for the server). */
export class RemoteTensor {
  disposed = false;
  /** The values, when they came from this thread (an upload): reading them needs no round trip. */
  host: Float32Array | Int32Array | null = null;
  constructor(
    readonly conn: GpuConnection,
    readonly id: number,
    readonly shape: readonly number[],
    readonly dtype: DType,
  ) {}
  get size(): number {
    return sizeOf(this.shape);
  }
  get rank(): number {
    return this.shape.length;
  }
  dataSync(): Float32Array | Int32Array {
    return this.host ?? this.conn.read(this.id, this.size, this.dtype);
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.conn.push(['fr', this.id]);
  }
}

const wireDType = (d: DType): DType => (d === 'float64' ? 'float32' : d);

const spec = (e: AnyEqn): EqnSpec => ({
  prim: e.prim,
  params: e.params,
  inputs: e.inputs.map((v) => ({ id: v.id, aval: v.aval })),
  outputs: e.outputs.map((v) => ({ id: v.id, aval: v.aval })),
});

interface Counters {
  hostCalls: number;
  hostDownloads: number;
  hostUploads: number;
  hostBytes: number;
}

export class RemoteDevice implements Device<RemoteTensor> {
  readonly name = 'webgpu' as const;
  private readonly keys = new Map<Step, number>();
  private readonly views = new Map<Step, true>();
  private readonly fusedAvals = new Map<Step, AVal[]>();
  private readonly subs = new Map<Graph, PlanExecutable<RemoteTensor>>();
  private readonly ctx: TfContext;
  private static nextKey = 1;

  constructor(
    readonly conn: GpuConnection,
    readonly fuse: boolean,
    readonly counters: Counters = { hostCalls: 0, hostDownloads: 0, hostUploads: 0, hostBytes: 0 },
  ) {
    const make = (shape: readonly number[], dtype: DType) => new RemoteTensor(conn, conn.id(), [...shape], dtype);
    const tf = {
      unstack: (x: RemoteTensor) => {
        const outs = Array.from({ length: x.shape[0]! }, () => make(x.shape.slice(1), x.dtype));
        const m = x.host;
        if (m && outs.length) {
          const n = m.length / outs.length;
          outs.forEach((o, k) => (o.host = m.slice(k * n, (k + 1) * n)));
        }
        conn.push(['unstack', x.id, outs.map((o) => o.id)]);
        return outs;
      },
      stack: (xs: RemoteTensor[]) => {
        const o = make([xs.length, ...xs[0]!.shape], xs[0]!.dtype);
        if (xs.every((x) => x.host)) {
          const h = o.dtype === 'float32' ? new Float32Array(o.size) : new Int32Array(o.size);
          xs.forEach((x, k) => h.set(x.host!, k * x.size));
          o.host = h;
        }
        conn.push(['stack', xs.map((x) => x.id), o.id]);
        return o;
      },
      zeros: (shape: number[], dtype: DType) => {
        const o = make(shape, wireDType(dtype));
        conn.push(['zeros', o.id, shape, o.dtype]);
        return o;
      },
      clone: (x: RemoteTensor) => this.copy(x),
    };
    this.ctx = {
      tf: tf as unknown as typeof TF,
      run: (g, ins) => this.sub(g).callDevice(ins as unknown as RemoteTensor[]) as unknown as TF.Tensor[],
      host: () => {
        throw new Error('host kernels run through the plan step');
      },
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
        const rule = primTable[step.eqn.prim] as unknown as PrimRule<PrimName>;
        if (!step.fused && (rule.tfjs === 'host' || CONTROL.has(step.eqn.prim))) continue;
        const key = RemoteDevice.nextKey++;
        const s = step.outs[0]!;
        const lazy =
          !step.fused &&
          lazyBroadcast(
            'webgpu',
            step.eqn,
            plan.consumers[s] ?? [],
            plan.outputs.some((o) => o.slot === s),
            this.fuse,
          );
        if (lazy) this.views.set(step, true);
        let sp: StepSpec = { eqn: spec(step.eqn), lazy };
        if (step.fused) {
          const region = regionOf(plan, step, resident);
          this.fusedAvals.set(step, region.outAvals);
          sp = { eqn: spec(step.eqn), lazy: false, fused: step.fused.map(spec), region };
        }
        this.conn.push(['def', key, sp]);
        this.keys.set(step, key);
      }
  }

  activate(): void {}

  upload(x: HostArray, a: AVal): RemoteTensor {
    const dt = wireDType(a.dtype);
    const data = dt === 'float32' ? Float32Array.from(x.data) : Int32Array.from(x.data);
    const t = new RemoteTensor(this.conn, this.conn.id(), [...a.shape], dt);
    // Small values keep a host copy (keys, host-kernel results): chains of host kernels, such as
    // random-key splits, then never wait for the device.
    const sent = data.length <= MIRROR_MAX ? ((t.host = data), data.slice()) : data;
    this.conn.push(['up', t.id, sent, [...a.shape], dt], sent.buffer as ArrayBuffer);
    return t;
  }

  download(t: RemoteTensor, a: AVal): HostArray {
    return { data: typedCopy(t.dataSync(), a), shape: [...a.shape] };
  }

  copy(t: RemoteTensor): RemoteTensor {
    const c = new RemoteTensor(this.conn, this.conn.id(), t.shape, t.dtype);
    c.host = t.host;
    this.conn.push(['cp', t.id, c.id]);
    return c;
  }

  free(t: RemoteTensor): void {
    t.dispose();
  }

  exec(step: Step, ins: RemoteTensor[]): RemoteTensor[] {
    const e = step.eqn;
    if (!step.fused && ins.length && ins.every((t) => t.host) && foldable(e)) {
      const outAvals = e.outputs.map((v) => v.aval);
      return foldOnHost(
        e,
        ins.map((t) => t.host!),
      ).map((r, i) => this.upload(r, outAvals[i]!));
    }
    const key = this.keys.get(step);
    if (key === undefined) {
      const rule = primTable[e.prim] as unknown as PrimRule<PrimName>;
      if (rule.tfjs === 'host') return this.host(e, ins);
      return rule.tfjs(
        ins as unknown as TF.Tensor[],
        e.params as never,
        e.outputs.map((v) => v.aval),
        this.ctx,
      ) as unknown as RemoteTensor[];
    }
    const avals = this.fusedAvals.get(step) ?? e.outputs.map((v) => v.aval);
    const outs = avals.map((a) => {
      const shape = this.views.has(step) ? lazyViewShape(e, ins[0]!.shape) : a.shape;
      return new RemoteTensor(this.conn, this.conn.id(), shape, wireDType(a.dtype));
    });
    this.conn.push(['ex', key, ins.map((t) => t.id), outs.map((t) => t.id)]);
    return outs;
  }

  /** A host kernel: operands read back (blocking), the float64 ref rule, results uploaded. */
  private host(e: AnyEqn, ins: RemoteTensor[]): RemoteTensor[] {
    const c = this.counters;
    c.hostCalls++;
    const refIns: RefArray[] = ins.map((t, i) => {
      const a = e.inputs[i]!.aval;
      if (!t.host) {
        c.hostDownloads++;
        c.hostBytes += t.size * 4;
      }
      const raw = t.dataSync();
      const data =
        a.dtype === 'int32' ? Int32Array.from(raw) : a.dtype === 'bool' ? Uint8Array.from(raw) : Float64Array.from(raw);
      return { data, shape: [...a.shape] };
    });
    const rule = primTable[e.prim] as unknown as PrimRule<PrimName>;
    const outAvals = e.outputs.map((v) => v.aval);
    const res = rule.ref(refIns, e.params as never, outAvals, {
      run: () => {
        throw new Error('host kernels do not run sub-graphs');
      },
    });
    return res.map((r, i) => {
      c.hostUploads++;
      c.hostBytes += r.data.length * 4;
      return this.upload({ data: r.data, shape: r.shape }, outAvals[i]!);
    });
  }

  private sub(g: Graph): PlanExecutable<RemoteTensor> {
    let x = this.subs.get(g);
    if (!x) {
      x = new PlanExecutable(
        buildPlan(g, tfPlanOptions('webgpu', this.fuse)),
        new RemoteDevice(this.conn, this.fuse, this.counters),
      );
      this.subs.set(g, x);
    }
    return x;
  }

  dispose(): void {
    for (const x of this.subs.values()) x.dispose();
    this.subs.clear();
    this.conn.flush();
  }
}
