// Lowering a plan to the js backend's steps: which values are fused into loop nests, which are
// read through views, which get a buffer, and in what order the steps run.
// - Elementwise equations and reductions join a region keyed by their iteration shape (at most
//   one open region per shape); a region runs as one loop nest when it is closed. A region is
//   closed before anything reads one of its values in a way its own loop cannot (a kernel, a
//   view, another region, or a reduction's result), so running it at its closing point respects
//   every dependency.
// - Views (broadcast, transpose, slice, reshape) whose consumers all read element by element are
//   never materialized: they are an access (offset, strides) into their base's buffer. A
//   contiguous view (a reshape, a leading slice) of a buffer is that buffer or a fixed subarray of
//   it. Other views are copied once, where they are
//   defined (so a view of static data is copied once per binding).
// - Everything else is a kernel step on whole buffers (the rule's `js` kernel, else `ref`).
// Invariants: a value is stored when something outside its region reads it (directly or through
// views) or it is a graph output; each slot has a base slot (whose buffer holds its data) and an
// access (null: the base's buffer in row-major order).

import type { AnyEqn } from '../../ir/graph.js';
import { stridesOf } from '../../ir/types.js';
import type { Plan } from '../../plan/plan.js';
import type { Access } from '../../prims/rule.js';
import { ruleOf } from '../../prims/table.js';

export interface Region {
  readonly kind: 'loop';
  readonly shape: readonly number[];
  readonly members: AnyEqn[];
}
export interface Call {
  readonly kind: 'call';
  readonly eqn: AnyEqn;
}
/** Materializes a view: slot `slot` gets its own buffer, copied from `from` read through `access`. */
export interface Copy {
  readonly kind: 'copy';
  readonly slot: number;
  readonly from: number;
  readonly access: Access;
}
export type JsStep = Region | Call | Copy;

export interface Lowered {
  readonly plan: Plan;
  /** Steps of each stage, in run order. */
  readonly stages: readonly [JsStep[], JsStep[], JsStep[]];
  /** Where each slot's data lives. */
  readonly base: readonly number[];
  readonly access: readonly (Access | null)[];
  /** Slots with a buffer of their own (base of themselves). */
  readonly stored: ReadonlySet<number>;
  /** The slot each equation output belongs to, by variable id. */
  readonly slotOf: ReadonlyMap<number, number>;
  /** The steps (global indices over all stages) reading each slot's buffer, through views included. */
  readonly readers: readonly (readonly number[])[];
  /** Global index of the first step of each stage, and the total. */
  readonly stageStart: readonly [number, number, number, number];
  /** Slots the graph outputs (after following lazy views). */
  readonly outputSlots: readonly number[];
}

const rowMajor = (shape: readonly number[]): Access => ({ offset: 0, strides: stridesOf(shape) });

/** Row-major from its offset on: a slice of the base buffer (null access when the offset is 0). */
function contiguous(a: Access, shape: readonly number[]): boolean {
  const rm = stridesOf(shape);
  return shape.every((d, i) => d === 1 || a.strides[i] === rm[i]);
}
const aliasAccess = (a: Access, shape: readonly number[]): Access | null =>
  a.offset === 0 ? null : { offset: a.offset, strides: stridesOf(shape) };

/** The iteration shape of a fusible equation (its output's, or a reduction's operand's). */
function loopKey(e: AnyEqn): string | null {
  const r = ruleOf(e.prim);
  if (r.elementwise && e.outputs.length === 1) return e.outputs[0]!.aval.shape.join(',');
  if (r.reduction) return `${e.inputs[0]!.aval.shape.join(',')}`;
  return null;
}

export function lowerPlan(plan: Plan): Lowered {
  const n = plan.avals.length;
  const slotOf = new Map<number, number>(plan.vars.map((v, s) => [v.id, s]));
  const slot = (id: number) => slotOf.get(id)!;
  const base: number[] = Array.from({ length: n }, (_, s) => s);
  const access: (Access | null)[] = new Array(n).fill(null);
  const stored = new Set<number>(plan.inputSlots);

  // A view is lazy when every consumer reads element by element (a loop or another view).
  const elementRead = (e: AnyEqn) => {
    const r = ruleOf(e.prim);
    return !!(r.elementwise || r.reduction || r.view);
  };
  const lazyView = (e: AnyEqn) =>
    !!ruleOf(e.prim).view && e.outputs.length === 1 && plan.consumers[slot(e.outputs[0]!.id)]!.every(elementRead);

  const regionOf = new Map<number, Region>(); // slot -> open or closed region that computes it
  const reductionOut = new Set<number>();
  const stages: [JsStep[], JsStep[], JsStep[]] = [[], [], []];

  plan.stages.forEach((stage, st) => {
    const steps = stages[st]!;
    const open = new Map<string, Region>();
    const close = (r: Region) => {
      for (const [k, v] of open)
        if (v === r) {
          open.delete(k);
          steps.push(r);
        }
    };
    const isOpen = (r: Region | undefined): r is Region => !!r && [...open.values()].includes(r);
    const direct = (s: number) => base[s] === s && access[s] === null && !reductionOut.has(s);
    /** The open regions `e` needs closed before it runs (its operands' regions it cannot join). */
    const mustClose = (e: AnyEqn): Region[] => {
      const r = ruleOf(e.prim);
      if (e.prim === 'constant' || (r.view && lazyView(e))) return [];
      const ins = e.inputs.map((v) => slot(v.id));
      const key = loopKey(e);
      const target = key === null ? undefined : open.get(key);
      const canJoin = !!target && ins.every((s) => regionOf.get(base[s]!) !== target || direct(s));
      const out: Region[] = [];
      for (const s of ins) {
        const src = regionOf.get(base[s]!);
        if (isOpen(src) && (src !== target || !canJoin) && !out.includes(src)) out.push(src);
      }
      return out;
    };
    const process = (e: AnyEqn) => {
      const r = ruleOf(e.prim);
      if (e.prim === 'constant') {
        stored.add(slot(e.outputs[0]!.id));
        return;
      }
      for (const reg of mustClose(e)) close(reg);
      if (r.view && lazyView(e)) {
        const i = slot(e.inputs[0]!.id);
        const o = slot(e.outputs[0]!.id);
        const src = access[i] ?? rowMajor(e.inputs[0]!.aval.shape);
        const a = r.view.view(src, e.inputs[0]!.aval.shape, e.params, e.outputs[0]!.aval.shape);
        if (a) {
          base[o] = base[i]!;
          access[o] = contiguous(a, e.outputs[0]!.aval.shape) ? aliasAccess(a, e.outputs[0]!.aval.shape) : a;
          return;
        }
      }
      const ins = e.inputs.map((v) => slot(v.id));
      const key = loopKey(e);
      if (key !== null) {
        let target = open.get(key);
        if (!target) {
          target = { kind: 'loop', shape: e.inputs[0]!.aval.shape, members: [] };
          open.set(key, target);
        }
        target.members.push(e);
        for (const v of e.outputs) regionOf.set(slot(v.id), target);
        if (r.reduction) {
          reductionOut.add(slot(e.outputs[0]!.id));
          stored.add(slot(e.outputs[0]!.id));
        }
        return;
      }
      if (r.view && e.outputs.length === 1) {
        // A view that must be copied: read through its operand's own access.
        const i = ins[0]!;
        const o = slot(e.outputs[0]!.id);
        const src = access[i] ?? rowMajor(e.inputs[0]!.aval.shape);
        const a = r.view.view(src, e.inputs[0]!.aval.shape, e.params, e.outputs[0]!.aval.shape);
        if (a && contiguous(a, e.outputs[0]!.aval.shape)) {
          base[o] = base[i]!;
          access[o] = aliasAccess(a, e.outputs[0]!.aval.shape);
          return;
        }
        if (a) {
          steps.push({ kind: 'copy', slot: o, from: base[i]!, access: a });
          stored.add(o);
          return;
        }
      }
      steps.push({ kind: 'call', eqn: e });
      for (const v of e.outputs) stored.add(slot(v.id));
    };
    // Equations that would close an open region wait (with everything that reads them) while
    // others can still join: a reduction's result is then read after its region's last member.
    let pending = stage.steps.map((x) => x.eqn);
    while (pending.length) {
      const waiting: AnyEqn[] = [];
      const late = new Set<number>();
      for (const e of pending) {
        if (e.inputs.some((v) => late.has(v.id)) || mustClose(e).length > 0) {
          waiting.push(e);
          for (const v of e.outputs) late.add(v.id);
        } else process(e);
      }
      if (waiting.length === pending.length) {
        process(waiting[0]!);
        waiting.shift();
      }
      pending = waiting;
    }
    for (const r of [...open.values()]) close(r);
  });

  // Global step indices, and which steps read each slot (through views, which are not steps).
  const stageStart: [number, number, number, number] = [0, 0, 0, 0];
  const stepOfEqn = new Map<AnyEqn, number>();
  let k = 0;
  stages.forEach((steps, st) => {
    stageStart[st] = k;
    for (const s of steps) {
      if (s.kind === 'loop') for (const m of s.members) stepOfEqn.set(m, k);
      else if (s.kind === 'call') stepOfEqn.set(s.eqn, k);
      k++;
    }
  });
  stageStart[3] = k;
  const readers: number[][] = Array.from({ length: n }, () => []);
  stages.forEach((steps, st) =>
    steps.forEach((s, j) => {
      if (s.kind === 'copy') readers[s.from]!.push(stageStart[st]! + j);
    }),
  );
  for (let s = 0; s < n; s++)
    for (const c of plan.consumers[s]!) {
      const at = stepOfEqn.get(c);
      if (at !== undefined) readers[s]!.push(at);
    }
  // A lazy slot's readers read its base.
  for (let s = 0; s < n; s++) if (base[s] !== s) readers[base[s]!]!.push(...readers[s]!);
  const viewed = new Set(base.filter((b, s) => b !== s));

  // Region members read outside their region are stored.
  for (const steps of stages)
    for (const st of steps) {
      if (st.kind !== 'loop') continue;
      const mine = new Set(st.members.map((m) => stepOfEqn.get(m)));
      for (const m of st.members) {
        const o = slot(m.outputs[0]!.id);
        if (stored.has(o)) continue;
        const outside =
          readers[o]!.some((r) => !mine.has(r)) || plan.outputs.some((p) => base[p.slot] === o) || viewed.has(o);
        if (outside) stored.add(o);
      }
    }

  return {
    plan,
    stages,
    base,
    access,
    stored,
    slotOf,
    readers,
    stageStart,
    outputSlots: plan.outputs.map((o) => o.slot),
  };
}
