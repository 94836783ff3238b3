/// <reference types="@webgpu/types" />
// The server side of the remote device (protocol.ts): runs in the thread that owns the WebGPU
// device, executes the client's operation batches on tfjs's webgpu backend through the same
// TfDevice that runs cpu and wasm plans, and answers reads and syncs through shared memory.
// It never blocks: a read awaits the tensor's data and then wakes the client.

import type * as TF from '@tensorflow/tfjs';
import type { AnyEqn } from '../../ir/graph.js';
import type { Step } from '../../plan/plan.js';
import { TfDevice } from '../tfjs.js';
import { CTRL, STATE, STATUS, type Message, type Op, type StepSpec } from './protocol.js';

type Tensor = TF.Tensor;

export class GpuServer {
  private readonly vals = new Map<number, Tensor>();
  private readonly steps = new Map<number, Step>();
  private readonly device: TfDevice;
  private ctrl: Int32Array;
  private data: SharedArrayBuffer;
  private error: string | null = null;
  /** Batches run one after another, each after the previous one's reads have completed. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly tf: typeof TF,
    init: Extract<Message, { kind: 'init' }>,
  ) {
    this.device = new TfDevice(tf, 'webgpu');
    this.ctrl = new Int32Array(init.control);
    this.data = init.data;
    const dev = (tf.backend() as unknown as { device: GPUDevice }).device;
    dev.addEventListener('uncapturederror', (e) => {
      this.error ??= `WebGPU: ${(e as GPUUncapturedErrorEvent).error.message}`;
    });
    this.openScopes();
  }

  handle(msg: Message): void {
    if (msg.kind === 'buffer') this.data = msg.data;
    else if (msg.kind === 'batch') this.queue = this.queue.then(() => this.batch(msg.ops));
  }

  /** Runs a batch; never rejects (a rejected batch would stall every later one). */
  private async batch(ops: Op[]): Promise<void> {
    for (const op of ops) {
      try {
        if (op[0] === 'rd' || op[0] === 'sync') {
          await this.collectErrors();
          if (op[0] === 'rd') await this.read(op[1]);
          else this.answer(STATUS.ok, 0);
        } else this.run(op);
      } catch (e) {
        this.error ??= `${(e as Error).message ?? String(e)} (in ${op[0]})`;
        if (op[0] === 'rd' || op[0] === 'sync') this.answer(STATUS.error, 0);
      }
    }
  }

  /**
   * WebGPU reports invalid work (a shader over the device's limits, an out-of-memory buffer)
   * asynchronously and otherwise silently: the results would be whatever the buffers held. The
   * server keeps error scopes open around all work, and before answering a read it submits the
   * queued commands and closes the scopes: any error becomes the read's error.
   */
  private async collectErrors(): Promise<void> {
    const b = this.tf.backend() as unknown as {
      device: GPUDevice;
      commandEncoder: GPUCommandEncoder | null;
      submitQueue(): void;
      endComputePassEncoder(): void;
    };
    if (b.commandEncoder) {
      b.endComputePassEncoder();
      b.submitQueue();
    }
    const errs = [await b.device.popErrorScope(), await b.device.popErrorScope()];
    this.openScopes();
    for (const e of errs) if (e) this.error ??= `WebGPU: ${e.message}`;
  }

  private openScopes(): void {
    const dev = (this.tf.backend() as unknown as { device: GPUDevice }).device;
    dev.pushErrorScope('validation');
    dev.pushErrorScope('out-of-memory');
  }

  private get(id: number): Tensor {
    const t = this.vals.get(id);
    if (!t) throw new Error(`remote value ${id} does not exist`);
    return t;
  }

  private run(op: Exclude<Op, ['rd', number] | ['sync']>): void {
    const tf = this.tf;
    switch (op[0]) {
      case 'def':
        this.steps.set(op[1], this.define(op[2]));
        return;
      case 'up':
        this.vals.set(
          op[1],
          op[4] === 'bool'
            ? tf.tensor(Uint8Array.from(op[2]), op[3], 'bool')
            : tf.tensor(op[2], op[3], op[4] === 'int32' ? 'int32' : 'float32'),
        );
        return;
      case 'ex': {
        const step = this.steps.get(op[1]);
        if (!step) throw new Error(`remote step ${op[1]} is not defined`);
        const outs = this.device.exec(
          step,
          op[2].map((id) => this.get(id)),
        );
        outs.forEach((t, k) => this.vals.set(op[3][k]!, t));
        return;
      }
      case 'cp':
        this.vals.set(op[2], tf.clone(this.get(op[1])));
        return;
      case 'fr':
        this.get(op[1]).dispose();
        this.vals.delete(op[1]);
        return;
      case 'unstack':
        tf.unstack(this.get(op[1])).forEach((t, k) => this.vals.set(op[2][k]!, t));
        return;
      case 'stack':
        this.vals.set(op[2], tf.stack(op[1].map((id) => this.get(id))));
        return;
      case 'zeros':
        this.vals.set(op[1], tf.zeros(op[2], op[3] === 'float64' ? 'float32' : op[3]));
        return;
    }
  }

  private define(spec: StepSpec): Step {
    const eqn = spec.eqn as unknown as AnyEqn;
    const fused = spec.fused as unknown as AnyEqn[] | undefined;
    const step: Step = fused ? { eqn, ins: [], outs: [], free: [], fused } : { eqn, ins: [], outs: [], free: [] };
    this.device.defineStep(step, spec.lazy, spec.region);
    return step;
  }

  private async read(id: number): Promise<void> {
    if (this.error === null) {
      try {
        const t = this.get(id);
        const raw = (await t.data()) as Float32Array | Int32Array | Uint8Array;
        // Convert by the tensor's dtype, not the array's: tfjs-webgpu casts int32 and bool to
        // float32 without touching the buffer, so such a tensor reads back as an Int32Array.
        const words = t.dtype === 'float32' ? Float32Array.from(raw) : Int32Array.from(raw);
        const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
        if (bytes.byteLength > this.data.byteLength) throw new Error('the response buffer is too small');
        new Uint8Array(this.data).set(bytes);
        this.answer(STATUS.ok, bytes.byteLength);
        return;
      } catch (e) {
        this.error = (e as Error).message ?? String(e);
      }
    }
    const msg = new TextEncoder().encode(this.error!).slice(0, this.data.byteLength);
    new Uint8Array(this.data).set(msg);
    this.error = null;
    this.answer(STATUS.error, msg.byteLength);
  }

  private answer(status: number, length: number): void {
    if (this.error !== null) {
      const msg = new TextEncoder().encode(this.error).slice(0, this.data.byteLength);
      new Uint8Array(this.data).set(msg);
      this.error = null;
      status = STATUS.error;
      length = msg.byteLength;
    }
    Atomics.store(this.ctrl, CTRL.status, status);
    Atomics.store(this.ctrl, CTRL.length, length);
    Atomics.store(this.ctrl, CTRL.state, STATE.ready);
    Atomics.notify(this.ctrl, CTRL.state);
  }
}
