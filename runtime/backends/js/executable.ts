// The js backend behind the common Executable interface. A call copies its inputs into the
// program's input buffers, runs the generated step-stage function and reads the output buffers;
// a stepper keeps its state in the input buffers (each step copies the state outputs back), so
// `advance` allocates nothing at all. Values handed to the caller are fresh copies.

import type { AVal } from '../../ir/types.js';
import { avalString, sameAVal } from '../../ir/types.js';
import type { Graph } from '../../ir/graph.js';
import { isDeviceArray, toHostArray, typedCopy } from '../host_args.js';
import type { Arg, DeviceArray, Executable, ExecStats, HostArray, HostData, Stepper } from '../types.js';
import { compileJs, type JsBuffer, type JsCompiled } from './program.js';

class JsKept implements DeviceArray {
  readonly backend = 'js' as const;
  released = false;
  constructor(
    readonly data: JsBuffer,
    readonly aval: AVal,
  ) {}
  read(): HostArray {
    if (this.released) throw new Error('DeviceArray.read: the array was released');
    return { data: typedCopy(this.data, this.aval), shape: [...this.aval.shape] };
  }
  release(): void {
    this.released = true;
  }
}

/** Writes a user argument into a program buffer (converting element types as `typedCopy` does). */
function writeInto(buf: JsBuffer, x: Arg, a: AVal, what: string): void {
  if (isDeviceArray(x)) {
    if (x.released) throw new Error(`${what}: the DeviceArray was released`);
    if (!(x instanceof JsKept)) throw new Error(`${what}: a DeviceArray of backend ${x.backend} cannot be used on js`);
    if (!sameAVal(x.aval, a)) throw new Error(`${what}: expected ${avalString(a)}, got ${avalString(x.aval)}`);
    buf.set(x.data);
    return;
  }
  const d: HostData = toHostArray(x, a, what).data;
  if (buf instanceof Uint8Array && !(d instanceof Uint8Array)) for (let i = 0; i < d.length; i++) buf[i] = d[i] ? 1 : 0;
  else buf.set(d);
}

export class JsExecutable implements Executable {
  readonly backend = 'js' as const;
  readonly inAvals: AVal[];
  readonly outAvals: AVal[];
  readonly program: JsCompiled;
  private bound: boolean;
  private disposed = false;
  private readonly runs = { constRuns: 0, dataRuns: 0, stepRuns: 0 };

  constructor(graph: Graph, dataInputs: readonly number[] = []) {
    const c = (this.program = compileJs(graph, dataInputs));
    const p = c.lowered.plan;
    this.inAvals = p.stepInputs.map((i) => p.graph.inputs[i]!.aval);
    this.outAvals = p.graph.outputs.map((v) => v.aval);
    c.stages[0]();
    this.runs.constRuns++;
    this.bound = p.dataInputs.length === 0;
    if (this.bound) c.stages[1]();
  }

  get stats(): ExecStats {
    const s = this.program.lowered.plan.stages;
    return {
      ...this.runs,
      constEqns: s[0].steps.length,
      dataEqns: s[1].steps.length,
      stepEqns: s[2].steps.length,
      hostCalls: 0,
      hostDownloads: 0,
      hostUploads: 0,
      hostBytes: 0,
    };
  }

  private live(): void {
    if (this.disposed) throw new Error('this executable was disposed');
  }

  bind(data: readonly Arg[]): void {
    this.live();
    const p = this.program.lowered.plan;
    if (data.length !== p.dataInputs.length)
      throw new Error(`bind: expected ${p.dataInputs.length} data values, got ${data.length}`);
    p.dataInputs.forEach((gi, k) =>
      writeInto(this.program.data[k]!, data[k]!, p.graph.inputs[gi]!.aval, `data input ${gi}`),
    );
    this.program.stages[1]();
    this.runs.dataRuns++;
    this.bound = true;
  }

  /** Writes the step inputs (those not in `skip`), then runs the step stage. */
  private call(inputs: readonly Arg[], skip: ReadonlySet<number>): void {
    this.live();
    const p = this.program.lowered.plan;
    if (!this.bound) throw new Error(`this executable has data inputs [${p.dataInputs}]: call bind(...) first`);
    const n = this.inAvals.length - skip.size;
    if (inputs.length !== n) throw new Error(`expected ${n} inputs, got ${inputs.length}`);
    let a = 0;
    for (let j = 0; j < this.inAvals.length; j++) {
      if (skip.has(j)) continue;
      writeInto(this.program.inputs[j]!, inputs[a++]!, this.inAvals[j]!, `input ${p.stepInputs[j]}`);
    }
    this.program.stages[2]();
    this.runs.stepRuns++;
  }

  run(inputs: readonly Arg[]): HostArray[] {
    this.call(inputs, NONE);
    return this.outAvals.map((a, k) => ({ data: typedCopy(this.program.outputs[k]!, a), shape: [...a.shape] }));
  }

  runKeep(inputs: readonly Arg[]): DeviceArray[] {
    this.call(inputs, NONE);
    return this.outAvals.map((a, k) => new JsKept(this.program.outputs[k]!.slice(), a));
  }

  stepper(state: readonly (readonly [number, number])[], init: readonly Arg[]): Stepper {
    this.live();
    if (init.length !== state.length)
      throw new Error(`stepper: ${state.length} state pairs but ${init.length} initial values`);
    for (const [i, o] of state) {
      if (!(i >= 0 && i < this.inAvals.length) || !(o >= 0 && o < this.outAvals.length))
        throw new Error(`stepper: bad state pair [${i}, ${o}]`);
      if (!sameAVal(this.inAvals[i]!, this.outAvals[o]!))
        throw new Error(
          `stepper: input ${i} is ${avalString(this.inAvals[i]!)} but output ${o} is ${avalString(this.outAvals[o]!)}`,
        );
    }
    const c = this.program;
    state.forEach(([i], k) => writeInto(c.inputs[i]!, init[k]!, this.inAvals[i]!, `stepper init ${k}`));
    const skip = new Set(state.map(([i]) => i));
    const stateOut = new Set(state.map(([, o]) => o));
    const others = this.outAvals.map((_, k) => k).filter((k) => !stateOut.has(k));
    let released = false;
    const once = (inputs: readonly Arg[]) => {
      if (released) throw new Error('stepper: released');
      this.call(inputs, skip);
      for (const [i, o] of state) c.inputs[i]!.set(c.outputs[o]!);
    };
    return {
      step: (inputs = []) => {
        once(inputs);
        return others.map((k) => ({
          data: typedCopy(c.outputs[k]!, this.outAvals[k]!),
          shape: [...this.outAvals[k]!.shape],
        }));
      },
      advance: (n, inputs = []) => {
        for (let i = 0; i < n; i++) once(inputs);
      },
      read: () => {
        if (released) throw new Error('stepper: released');
        return state.map(([i]) => ({
          data: typedCopy(c.inputs[i]!, this.inAvals[i]!),
          shape: [...this.inAvals[i]!.shape],
        }));
      },
      release: () => {
        released = true;
      },
    };
  }

  dispose(): void {
    this.disposed = true;
  }
}

const NONE: ReadonlySet<number> = new Set();
