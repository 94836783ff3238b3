// The plan interpreter shared by every backend: runs a Plan's stages over a Device, frees each
// intermediate right after its last use, keeps constant and data stages resident, and hands
// outputs to the caller as fresh host arrays or owned device values.
// Invariants: after any call (successful or not) the only live device values are the resident
// ones (constant/data stages, bound data) plus whatever the caller explicitly kept; a call never
// frees a value the caller passed in.

import type { AVal } from '../ir/types.js';
import { avalString, sameAVal } from '../ir/types.js';
import type { Plan } from '../plan/plan.js';
import type { Device } from './device.js';
import { isDeviceArray, toHostArray } from './host_args.js';
import type { Arg, BackendName, DeviceArray, Executable, ExecStats, HostArray, Stepper } from './types.js';

class KeptValue<T> implements DeviceArray {
  released = false;
  constructor(
    readonly device: Device<T>,
    readonly value: T,
    readonly aval: AVal,
  ) {}
  get backend(): BackendName {
    return this.device.name;
  }
  read(): HostArray {
    if (this.released) throw new Error('DeviceArray.read: the array was released');
    return this.device.download(this.value, this.aval);
  }
  release(): void {
    if (this.released) return;
    this.released = true;
    this.device.free(this.value);
  }
}

export class PlanExecutable<T> implements Executable {
  readonly inAvals: AVal[];
  readonly outAvals: AVal[];
  private readonly vals: (T | undefined)[];
  /** Resident slots this executable owns (constant/data stage results, bound data). */
  private readonly resident = new Set<number>();
  private bound: boolean;
  private running = false;
  private disposed = false;
  private readonly runs = { constRuns: 0, dataRuns: 0, stepRuns: 0 };

  constructor(
    readonly plan: Plan,
    readonly device: Device<T>,
  ) {
    device.prepare(plan);
    this.inAvals = plan.stepInputs.map((i) => plan.graph.inputs[i]!.aval);
    this.outAvals = plan.outputs.map((o) => plan.avals[o.slot]!);
    this.vals = new Array(plan.avals.length);
    device.activate();
    this.runStage(0, true);
    this.runs.constRuns++;
    this.bound = plan.dataInputs.length === 0;
  }

  get backend(): BackendName {
    return this.device.name;
  }

  get stats(): ExecStats {
    const s = this.plan.stages;
    return {
      ...this.runs,
      constEqns: s[0].steps.length,
      dataEqns: s[1].steps.length,
      stepEqns: s[2].steps.length,
      ...this.device.counters,
    };
  }

  private runStage(st: 0 | 1 | 2, residentResults: boolean): void {
    const stage = this.plan.stages[st];
    const vals = this.vals;
    const made: number[] = [];
    try {
      for (const step of stage.steps) {
        const ins = step.ins.map((s) => vals[s]!);
        const outs = this.device.exec(step, ins);
        for (let i = 0; i < outs.length; i++) {
          vals[step.outs[i]!] = outs[i];
          made.push(step.outs[i]!);
        }
        for (const s of step.free) {
          this.device.free(vals[s]!);
          vals[s] = undefined;
        }
      }
    } catch (err) {
      for (const s of made)
        if (vals[s] !== undefined) {
          this.device.free(vals[s]!);
          vals[s] = undefined;
        }
      throw err;
    }
    if (residentResults) for (const s of stage.exports) this.resident.add(s);
  }

  private checkLive(): void {
    if (this.disposed) throw new Error('this executable was disposed');
    if (this.running) throw new Error('an executable cannot be re-entered while it runs');
  }

  /** Uploads (or copies) a user argument into a value this executable owns. */
  private own(x: Arg, a: AVal, what: string): T {
    if (isDeviceArray(x)) return this.device.copy(this.fromDevice(x, a, what));
    return this.device.upload(toHostArray(x, a, what), a, true);
  }

  private fromDevice(x: DeviceArray, a: AVal, what: string): T {
    if (x.released) throw new Error(`${what}: the DeviceArray was released`);
    if (!(x instanceof KeptValue) || x.backend !== this.backend)
      throw new Error(`${what}: a DeviceArray of backend ${x.backend} cannot be used on ${this.backend}`);
    if (!sameAVal(x.aval, a)) throw new Error(`${what}: expected ${avalString(a)}, got ${avalString(x.aval)}`);
    return (x as KeptValue<T>).value;
  }

  bind(data: readonly Arg[]): void {
    this.checkLive();
    const p = this.plan;
    if (data.length !== p.dataInputs.length)
      throw new Error(`bind: expected ${p.dataInputs.length} data values, got ${data.length}`);
    this.device.activate();
    // Release the previous binding: data inputs and everything the data stage computed.
    for (const s of [...p.dataInputs.map((i) => p.inputSlots[i]!), ...p.stages[1].exports]) {
      if (this.vals[s] !== undefined && this.resident.has(s)) {
        this.device.free(this.vals[s]!);
        this.vals[s] = undefined;
        this.resident.delete(s);
      }
    }
    this.bound = false;
    p.dataInputs.forEach((gi, k) => {
      const s = p.inputSlots[gi]!;
      this.vals[s] = this.own(data[k]!, p.avals[s]!, `data input ${gi}`);
      this.resident.add(s);
    });
    this.runStage(1, true);
    this.runs.dataRuns++;
    this.bound = true;
  }

  /**
   * Runs the step stage. `preset` maps step-input positions to device values the caller keeps;
   * the rest of `inputs` is uploaded for this call. `take(k)` says whether output k should be
   * handed over as an owned device value (otherwise only `read` sees it).
   */
  private call<R>(
    inputs: readonly Arg[],
    preset: ReadonlyMap<number, T>,
    finish: (get: (k: number) => T, own: (k: number) => T) => R,
  ): R {
    this.checkLive();
    const p = this.plan;
    if (!this.bound) throw new Error(`this executable has data inputs [${p.dataInputs}]: call bind(...) first`);
    const nArgs = p.stepInputs.length - preset.size;
    if (inputs.length !== nArgs) throw new Error(`expected ${nArgs} inputs, got ${inputs.length}`);
    this.device.activate();
    this.running = true;
    const vals = this.vals;
    const uploaded: number[] = [];
    const handed = new Set<number>();
    try {
      let a = 0;
      p.stepInputs.forEach((gi, j) => {
        const s = p.inputSlots[gi]!;
        const pre = preset.get(j);
        if (pre !== undefined) {
          vals[s] = pre;
          return;
        }
        const x = inputs[a++]!;
        if (isDeviceArray(x)) vals[s] = this.fromDevice(x, p.avals[s]!, `input ${gi}`);
        else {
          vals[s] = this.device.upload(toHostArray(x, p.avals[s]!, `input ${gi}`), p.avals[s]!, false);
          uploaded.push(s);
        }
      });
      this.runStage(2, false);
      this.runs.stepRuns++;
      const get = (k: number) => vals[p.outputs[k]!.slot]!;
      const own = (k: number) => {
        const o = p.outputs[k]!;
        if (o.fresh && !handed.has(o.slot)) {
          handed.add(o.slot);
          return vals[o.slot]!;
        }
        return this.device.copy(vals[o.slot]!);
      };
      return finish(get, own);
    } finally {
      for (const o of p.outputs) {
        if (o.fresh && !handed.has(o.slot) && vals[o.slot] !== undefined) this.device.free(vals[o.slot]!);
        if (o.fresh) {
          handed.add(o.slot);
          vals[o.slot] = undefined;
        }
      }
      for (const s of uploaded) this.device.free(vals[s]!);
      for (const gi of p.stepInputs) vals[p.inputSlots[gi]!] = undefined;
      this.running = false;
    }
  }

  run(inputs: readonly Arg[]): HostArray[] {
    return this.call(inputs, new Map(), (get) => this.outAvals.map((a, k) => this.device.download(get(k), a)));
  }

  runKeep(inputs: readonly Arg[]): DeviceArray[] {
    return this.call(inputs, new Map(), (_get, own) =>
      this.outAvals.map((a, k) => new KeptValue(this.device, own(k), a)),
    );
  }

  /** For control flow: runs on device values the caller keeps; returns values the caller owns. */
  callDevice(ins: readonly T[]): T[] {
    const preset = new Map<number, T>(ins.map((t, j) => [j, t]));
    return this.call([], preset, (_get, own) => this.outAvals.map((_a, k) => own(k)));
  }

  stepper(state: readonly (readonly [number, number])[], init: readonly Arg[]): Stepper {
    const p = this.plan;
    if (init.length !== state.length)
      throw new Error(`stepper: ${state.length} state pairs but ${init.length} initial values`);
    for (const [i, o] of state) {
      if (!(i >= 0 && i < p.stepInputs.length) || !(o >= 0 && o < p.outputs.length))
        throw new Error(`stepper: bad state pair [${i}, ${o}]`);
      if (!sameAVal(this.inAvals[i]!, this.outAvals[o]!))
        throw new Error(
          `stepper: input ${i} is ${avalString(this.inAvals[i]!)} but output ${o} is ${avalString(this.outAvals[o]!)}`,
        );
    }
    this.device.activate();
    let cur: T[] | null = state.map(([i], k) => this.own(init[k]!, this.inAvals[i]!, `stepper init ${k}`));
    const stateOut = new Set(state.map(([, o]) => o));
    const others = this.outAvals.map((_, k) => k).filter((k) => !stateOut.has(k));
    const once = (inputs: readonly Arg[], download: boolean): HostArray[] => {
      if (!cur) throw new Error('stepper: released');
      const preset = new Map<number, T>(state.map(([i], k) => [i, cur![k]!]));
      const { next, outs } = this.call(inputs, preset, (get, own) => ({
        next: state.map(([, o]) => own(o)),
        outs: download ? others.map((k) => this.device.download(get(k), this.outAvals[k]!)) : [],
      }));
      for (const t of cur) this.device.free(t);
      cur = next;
      return outs;
    };
    return {
      step: (inputs = []) => once(inputs, true),
      advance: (n, inputs = []) => {
        for (let i = 0; i < n; i++) once(inputs, false);
      },
      read: () => {
        if (!cur) throw new Error('stepper: released');
        return cur.map((t, k) => this.device.download(t, this.inAvals[state[k]![0]]!));
      },
      release: () => {
        if (cur) for (const t of cur) this.device.free(t);
        cur = null;
      },
    };
  }

  dispose(): void {
    if (this.disposed) return;
    for (const s of this.resident) if (this.vals[s] !== undefined) this.device.free(this.vals[s]!);
    this.resident.clear();
    this.vals.fill(undefined);
    this.disposed = true;
    this.device.dispose?.();
  }
}
