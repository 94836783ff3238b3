// Execution plans: a graph compiled into stages of steps over numbered slots, with buffer
// liveness. Stage 0 holds equations that depend only on constants (computed once per plan),
// stage 1 those that depend only on data inputs and constants (computed once per data binding),
// stage 2 everything else (computed on every call).
// Invariants: every slot is written once; a step lists the slots whose last use it is, and only
// slots it may free (never a graph input, never a value of an earlier stage, never an output of
// its own stage); dead equations are dropped; a backend may declare an equation an alias of one
// of its inputs (an identity on that backend), which is resolved here at compile time.

import type { AnyEqn, Graph, Var } from '../ir/graph.js';
import type { AVal } from '../ir/types.js';
import { fuseRegions } from './fuse.js';

export interface Step {
  readonly eqn: AnyEqn;
  readonly ins: readonly number[];
  readonly outs: readonly number[];
  /** Slots whose last use is this step (including dead outputs of this step). */
  readonly free: readonly number[];
  /** A fused elementwise region (in order; `eqn` is its last member): `ins`/`outs` are the
   * region's external operands and the member values read outside it. */
  readonly fused?: readonly AnyEqn[];
}

export interface Stage {
  readonly steps: readonly Step[];
  /** Slots this stage computes that later stages (or the plan outputs) read: kept resident. */
  readonly exports: readonly number[];
}

export interface PlanOutput {
  readonly slot: number;
  /** True when the slot is computed by the step stage and handed out here for the first time: the
   * caller may take ownership. False for inputs, resident values and repeated outputs: copy. */
  readonly fresh: boolean;
}

export interface Plan {
  readonly graph: Graph;
  readonly avals: readonly AVal[];
  /** The variable of each slot (after alias resolution). */
  readonly vars: readonly Var[];
  /** Graph input index -> slot. */
  readonly inputSlots: readonly number[];
  readonly dataInputs: readonly number[];
  readonly stepInputs: readonly number[];
  /** [constants, data, step]. */
  readonly stages: readonly [Stage, Stage, Stage];
  readonly outputs: readonly PlanOutput[];
  /** The equations reading each slot. */
  readonly consumers: readonly (readonly AnyEqn[])[];
}

export interface PlanOptions {
  /** Graph input indices bound once per data binding rather than passed on every call. */
  dataInputs?: readonly number[];
  /**
   * For a single-output equation that is an identity on the backend, the index of the input it
   * forwards (or null). `consumers` are the equations reading its output; `isOutput` says it is
   * a graph output.
   */
  aliasOf?: (e: AnyEqn, consumers: readonly AnyEqn[], isOutput: boolean) => number | null;
  /** Equations that must never be hoisted (cheap expanders that are better fused into consumers). */
  keepInStep?: (e: AnyEqn, consumers: readonly AnyEqn[], isOutput: boolean) => boolean;
  /**
   * Backend rewrites of one equation into several (new variables allowed), given which values are
   * static (constants or data only, so computed once per binding): e.g. transposing a data matrix
   * once so that a per-step product avoids a transposed operand.
   */
  rewrite?: (e: AnyEqn, isStatic: (v: Var) => boolean) => AnyEqn[] | null;
  /** Equations the backend can fuse into elementwise regions (see fuse.ts). */
  fusible?: (e: AnyEqn) => boolean;
  /** The most distinct values a fused region may read (longer regions are cut). */
  maxRegionInputs?: number;
  /** Whether a region (with its numbers of external operands and results) is worth fusing. */
  fuseWorthIt?: (members: readonly AnyEqn[], ins: number, outs: number) => boolean;
}

export function buildPlan(graph: Graph, opts: PlanOptions = {}): Plan {
  const dataSet = new Set(opts.dataInputs ?? []);
  for (const i of dataSet)
    if (!(i >= 0 && i < graph.inputs.length)) throw new RangeError(`data input ${i} out of range`);

  // Dead-code elimination (all primitives are pure).
  const live = new Set<number>(graph.outputs.map((v) => v.id));
  const kept: AnyEqn[] = [];
  for (let k = graph.eqns.length - 1; k >= 0; k--) {
    const e = graph.eqns[k]!;
    if (e.outputs.some((v) => live.has(v.id))) {
      kept.push(e);
      for (const v of e.inputs) live.add(v.id);
    }
  }
  kept.reverse();

  const consumersById = new Map<number, AnyEqn[]>();
  for (const e of kept)
    for (const v of e.inputs) {
      let c = consumersById.get(v.id);
      if (!c) consumersById.set(v.id, (c = []));
      c.push(e);
    }
  const outIds = new Set(graph.outputs.map((v) => v.id));

  // Backend identities: substitute the output var by its source.
  const subst = new Map<number, Var>();
  const resolve = (v: Var): Var => subst.get(v.id) ?? v;
  const eqns: AnyEqn[] = [];
  const statics = new Set(graph.inputs.filter((_, i) => dataSet.has(i)).map((v) => v.id));
  const isStatic = (v: Var) => statics.has(v.id);
  const push = (e: AnyEqn) => {
    const rw = opts.rewrite?.(e, isStatic) ?? [e];
    for (const r of rw) {
      if (r.inputs.every(isStatic)) for (const v of r.outputs) statics.add(v.id);
      eqns.push(r);
    }
  };
  for (const e of kept) {
    const ins = e.inputs.map(resolve);
    const a =
      e.outputs.length === 1 && opts.aliasOf
        ? opts.aliasOf(e, consumersById.get(e.outputs[0]!.id) ?? [], outIds.has(e.outputs[0]!.id))
        : null;
    if (a !== null && a !== undefined && ins[a]!.aval.shape.length <= e.outputs[0]!.aval.shape.length) {
      subst.set(e.outputs[0]!.id, ins[a]!);
      continue;
    }
    push(ins.every((v, i) => v === e.inputs[i]) ? e : ({ ...e, inputs: ins } as AnyEqn));
  }
  const outVars = graph.outputs.map(resolve);

  // Slots.
  const slotOf = new Map<number, number>();
  const avals: AVal[] = [];
  const vars: Var[] = [];
  const slot = (v: Var): number => {
    let s = slotOf.get(v.id);
    if (s === undefined) {
      s = avals.length;
      slotOf.set(v.id, s);
      avals.push(v.aval);
      vars.push(v);
    }
    return s;
  };
  const inputSlots = graph.inputs.map(slot);

  // Stage of each slot: 0 constant, 1 data, 2 step.
  const level: number[] = [];
  graph.inputs.forEach((_, i) => (level[inputSlots[i]!] = dataSet.has(i) ? 1 : 2));
  const eqnLevel: number[] = eqns.map((e) => {
    let l = e.inputs.reduce((m, v) => Math.max(m, level[slot(v)]!), 0);
    if (opts.keepInStep?.(e, consumersById.get(e.outputs[0]!.id) ?? [], outIds.has(e.outputs[0]!.id))) l = 2;
    for (const v of e.outputs) level[slot(v)] = l;
    return l;
  });

  const outSlots = outVars.map(slot);
  const consumers: AnyEqn[][] = avals.map(() => []);
  for (const e of eqns) for (const v of e.inputs) consumers[slot(v)]!.push(e);

  const stages = [0, 1, 2].map((st) => {
    const mine = eqns.filter((_, k) => eqnLevel[k] === st);
    // Slots read by a later stage or by the outputs are exported: never freed here.
    const exported = new Set<number>();
    eqns.forEach((e, k) => {
      if (eqnLevel[k]! > st) for (const v of e.inputs) if (level[slot(v)] === st) exported.add(slot(v));
    });
    for (const s of outSlots) if (level[s] === st && !inputSlots.includes(s)) exported.add(s);
    const regionIO = (grp: readonly AnyEqn[]) => {
      const members = new Set(grp);
      const made = new Set(grp.flatMap((m) => m.outputs.map((v) => v.id)));
      const ins = [...new Set(grp.flatMap((m) => m.inputs.filter((v) => !made.has(v.id)).map(slot)))];
      const outs = grp
        .flatMap((m) => m.outputs.map(slot))
        .filter((s) => exported.has(s) || consumers[s]!.some((c) => !members.has(c)));
      return { ins, outs };
    };
    // A region reads at most maxRegionInputs distinct values (a GPU shader's buffer or texture
    // limit): longer runs are cut into consecutive regions, which keeps every dependency.
    const capped = (grp: AnyEqn[]): AnyEqn[][] => {
      const max = opts.maxRegionInputs;
      if (max === undefined || grp.length === 1) return [grp];
      const out: AnyEqn[][] = [];
      let cur: AnyEqn[] = [];
      let made = new Set<number>();
      let ins = new Set<number>();
      for (const m of grp) {
        const fresh = new Set(m.inputs.map(slot).filter((s) => !made.has(s) && !ins.has(s)));
        if (cur.length && ins.size + fresh.size > max) {
          out.push(cur);
          cur = [];
          made = new Set();
          ins = new Set();
        }
        for (const s of m.inputs.map(slot)) if (!made.has(s)) ins.add(s);
        for (const v of m.outputs) made.add(slot(v));
        cur.push(m);
      }
      if (cur.length) out.push(cur);
      return out;
    };
    const regions = opts.fusible ? fuseRegions(mine, opts.fusible).flatMap(capped) : mine.map((e) => [e]);
    const groups = regions.flatMap((grp) => {
      if (grp.length === 1 || !opts.fuseWorthIt) return [grp];
      const io = regionIO(grp);
      return opts.fuseWorthIt(grp, io.ins.length, io.outs.length) ? [grp] : grp.map((e) => [e]);
    });
    const shaped = groups.map((grp) => {
      const e = grp[grp.length - 1]!;
      if (grp.length === 1) return { eqn: e, ins: e.inputs.map(slot), outs: e.outputs.map(slot) };
      return { eqn: e, ...regionIO(grp), fused: grp };
    });
    const lastUse = new Map<number, number>();
    shaped.forEach((st2, k) => {
      for (const s of st2.ins) lastUse.set(s, k);
      for (const s of st2.outs) if (!lastUse.has(s)) lastUse.set(s, k); // dead outputs die at once
    });
    const freeAt: number[][] = shaped.map(() => []);
    for (const [s, k] of lastUse) {
      const own = level[s] === st && !inputSlots.includes(s);
      if (own && !exported.has(s)) freeAt[k]!.push(s);
    }
    const steps: Step[] = shaped.map((x, k) => ({ ...x, free: freeAt[k]! }));
    return { steps, exports: [...exported] } satisfies Stage;
  }) as unknown as [Stage, Stage, Stage];

  const seen = new Set<number>();
  const outputs = outSlots.map((s) => {
    const fresh = level[s] === 2 && !inputSlots.includes(s) && !seen.has(s);
    seen.add(s);
    return { slot: s, fresh };
  });

  return {
    graph,
    avals,
    vars,
    inputSlots,
    dataInputs: [...dataSet].sort((a, b) => a - b),
    stepInputs: graph.inputs.map((_, i) => i).filter((i) => !dataSet.has(i)),
    stages,
    outputs,
    consumers,
  };
}

/** Counts of a plan, for stats and tests. */
export function planSummary(p: Plan): { constEqns: number; dataEqns: number; stepEqns: number; slots: number } {
  return {
    constEqns: p.stages[0].steps.length,
    dataEqns: p.stages[1].steps.length,
    stepEqns: p.stages[2].steps.length,
    slots: p.avals.length,
  };
}
