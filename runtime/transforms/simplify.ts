// Graph simplification passes, each a function from graph to graph: dead-code elimination,
// common-subexpression elimination, constant folding (small results only, evaluated by the
// reference rules) and algebraic identities (x*1, x+0, x-0, x/1, x-x, --x, reshape chains,
// identity transposes, and A u + A v = A (u + v) for two products used only by their sum: the
// gradient of an objective that writes `X @ w` twice makes two passes over X without it). `simplify` runs them to a fixed point, inside sub-graphs too.
// Invariants: a pass never changes a graph's inputs or output avals; every primitive is pure
// (random numbers depend only on their key), so removing or merging equations is always safe.

import { Graph, Var, type AnyEqn } from '../ir/graph.js';
import { sizeOf } from '../ir/types.js';
import { ruleOf } from '../prims/table.js';
import type { RefArray } from '../prims/rule.js';
import type { PrimName } from '../prims/params.js';
import { runRef } from '../backends/ref.js';
import { typedFor } from '../ops/core.js';

type Eqn = AnyEqn;

/** Rebuilds a graph, renaming vars through `sub` (a var maps to its replacement). */
function rename(g: Graph, eqns: Eqn[], sub: Map<number, Var>): Graph {
  const r = (v: Var): Var => {
    let x = v;
    for (let s = sub.get(x.id); s; s = sub.get(x.id)) x = s;
    return x;
  };
  const out = eqns.map((e) => (e.inputs.some((v) => sub.has(v.id)) ? ({ ...e, inputs: e.inputs.map(r) } as Eqn) : e));
  return new Graph(g.inputs, out, g.outputs.map(r));
}

export function dce(g: Graph): Graph {
  const live = new Set(g.outputs.map((v) => v.id));
  const keep: Eqn[] = [];
  for (let i = g.eqns.length - 1; i >= 0; i--) {
    const e = g.eqns[i]!;
    if (!e.outputs.some((v) => live.has(v.id))) continue;
    keep.push(e);
    for (const v of e.inputs) live.add(v.id);
  }
  keep.reverse();
  return keep.length === g.eqns.length ? g : new Graph(g.inputs, keep, g.outputs);
}

function paramKey(e: Eqn, graphIds: Map<Graph, number>): string {
  return JSON.stringify(e.params, (_k, v) => {
    if (v instanceof Graph) {
      if (!graphIds.has(v)) graphIds.set(v, graphIds.size);
      return `#graph${graphIds.get(v)}`;
    }
    if (ArrayBuffer.isView(v)) {
      const a = v as unknown as ArrayLike<number>;
      return a.length <= 64 ? `${v.constructor.name}:${Array.from(a).join(',')}` : `#big${Math.random()}`;
    }
    return v;
  });
}

export function cse(g: Graph): Graph {
  const seen = new Map<string, Eqn>();
  const sub = new Map<number, Var>();
  const graphIds = new Map<Graph, number>();
  const keep: Eqn[] = [];
  for (const e0 of g.eqns) {
    const e = e0.inputs.some((v) => sub.has(v.id))
      ? ({ ...e0, inputs: e0.inputs.map((v) => sub.get(v.id) ?? v) } as Eqn)
      : e0;
    const key = `${e.prim}|${paramKey(e, graphIds)}|${e.inputs.map((v) => v.id).join(',')}`;
    const prev = seen.get(key);
    if (prev) {
      e.outputs.forEach((v, i) => sub.set(v.id, prev.outputs[i]!));
      continue;
    }
    seen.set(key, e);
    keep.push(e);
  }
  if (sub.size === 0) return g;
  return new Graph(
    g.inputs,
    keep,
    g.outputs.map((v) => sub.get(v.id) ?? v),
  );
}

const FOLD_LIMIT = 4096;
// Broadcasts and iotas stay symbolic: folding them would only trade one small equation for a
// large constant.
const NOT_FOLDABLE = new Set<PrimName>([
  'constant',
  'broadcast_in_dim',
  'iota',
  'scan',
  'fixed_point',
  'while_loop',
  'custom_vjp',
]);

export function constantFold(g: Graph): Graph {
  const consts = new Map<number, RefArray>();
  let changed = false;
  const out: Eqn[] = [];
  for (const e of g.eqns) {
    if (e.prim === 'constant') {
      consts.set(e.outputs[0]!.id, { data: e.params.value, shape: e.params.shape });
      out.push(e);
      continue;
    }
    const ins = e.inputs.map((v) => consts.get(v.id));
    const small = e.outputs.every((v) => sizeOf(v.aval.shape) <= FOLD_LIMIT);
    if (NOT_FOLDABLE.has(e.prim) || !small || ins.some((x) => !x) || e.inputs.length === 0) {
      out.push(e);
      continue;
    }
    const rule = ruleOf(e.prim);
    const vals = rule.ref(
      ins as RefArray[],
      e.params,
      e.outputs.map((v) => v.aval),
      { run: runRef },
    );
    e.outputs.forEach((v, i) => {
      const val = vals[i]!;
      consts.set(v.id, val);
      out.push({
        prim: 'constant',
        params: { value: val.data, shape: [...v.aval.shape], dtype: v.aval.dtype },
        inputs: [],
        outputs: [v],
      } as Eqn);
    });
    changed = true;
  }
  return changed ? new Graph(g.inputs, out, g.outputs) : g;
}

/** The single value of a constant (or a broadcast of one), if all its entries are equal. */
function uniformValue(v: Var, defs: Map<number, Eqn>): number | null {
  const e = defs.get(v.id);
  if (!e) return null;
  if (e.prim === 'broadcast_in_dim' || e.prim === 'reshape') return uniformValue(e.inputs[0]!, defs);
  if (e.prim !== 'constant') return null;
  const d = e.params.value;
  if (d.length === 0) return null;
  const x = d[0]!;
  for (let i = 1; i < d.length; i++) if (d[i] !== x) return null;
  return x;
}

export function algebraic(g: Graph): Graph {
  const uses = useCounts(g);
  const defs = new Map<number, Eqn>();
  const sub = new Map<number, Var>();
  const out: Eqn[] = [];
  const cur = (v: Var) => sub.get(v.id) ?? v;
  for (const e0 of g.eqns) {
    // An equation nothing changed stays the same object, so `simplify` sees its fixed point.
    const e = e0.inputs.some((v) => sub.has(v.id)) ? ({ ...e0, inputs: e0.inputs.map(cur) } as Eqn) : e0;
    const [a, b] = e.inputs;
    const o = e.outputs[0]!;
    let repl: Var | null = null;
    const val = (v: Var | undefined) => (v ? uniformValue(v, defs) : null);
    switch (e.prim) {
      case 'mul':
        if (val(b) === 1) repl = a!;
        else if (val(a) === 1) repl = b!;
        break;
      case 'add':
        if (val(b) === 0) repl = a!;
        else if (val(a) === 0) repl = b!;
        break;
      case 'sub':
        if (val(b) === 0) repl = a!;
        else if (a === b) {
          // x - x = 0 (for finite x, as every algebraic rule here assumes).
          for (const z of zerosOf(o)) {
            out.push(z);
            z.outputs.forEach((v) => defs.set(v.id, z));
          }
          continue;
        }
        break;
      case 'div':
        if (val(b) === 1) repl = a!;
        break;
      case 'neg': {
        const d = defs.get(a!.id);
        if (d?.prim === 'neg') repl = d.inputs[0]!;
        break;
      }
      case 'reshape': {
        const d = defs.get(a!.id);
        const src = d?.prim === 'reshape' ? d.inputs[0]! : a!;
        if (sameShape(src.aval.shape, o.aval.shape)) repl = src;
        else if (src !== a) {
          const r = { ...e, inputs: [src] } as Eqn;
          out.push(r);
          defs.set(o.id, r);
          continue;
        }
        break;
      }
      case 'transpose':
        if (e.params.perm.every((p, i) => p === i)) repl = a!;
        break;
      case 'convert':
        if (a!.aval.dtype === e.params.dtype) repl = a!;
        break;
    }
    if (e.prim === 'add' && !repl) {
      const merged = sharedMatmul(a!, b!, o, defs, uses);
      if (merged) {
        out.push(...merged);
        merged.forEach((m) => m.outputs.forEach((v) => defs.set(v.id, m)));
        continue;
      }
    }
    if (repl && sameShape(repl.aval.shape, o.aval.shape) && repl.aval.dtype === o.aval.dtype) {
      sub.set(o.id, repl);
      continue;
    }
    out.push(e);
    e.outputs.forEach((v) => defs.set(v.id, e));
  }
  return rename(new Graph(g.inputs, out, g.outputs), out, sub);
}

/** How many equations (and graph outputs) read each var. */
function useCounts(g: Graph): Map<number, number> {
  const n = new Map<number, number>();
  const use = (v: Var) => n.set(v.id, (n.get(v.id) ?? 0) + 1);
  for (const e of g.eqns) e.inputs.forEach(use);
  g.outputs.forEach(use);
  return n;
}

/**
 * `matmul(A, u) + matmul(A, v)` (or `matmul(u, B) + matmul(v, B)`), same transposes, each product
 * read only by this sum, possibly each through a reshape to the sum's shape (autodiff writes
 * them so): the equations of `o = matmul(A, u + v)` (reshaped). One product instead of two; the
 * summation order changes within rounding.
 */
function sharedMatmul(a: Var, b: Var, o: Var, defs: Map<number, Eqn>, uses: Map<number, number>): Eqn[] | null {
  const once = (v: Var) => uses.get(v.id) === 1;
  /** The matmul behind v (through one reshape), with the product's var. */
  const product = (v: Var): { mm: Eqn; out: Var; reshaped: boolean } | null => {
    let e = defs.get(v.id);
    let out = v;
    let reshaped = false;
    if (e?.prim === 'reshape' && once(v)) {
      out = e.inputs[0]!;
      e = defs.get(out.id);
      reshaped = true;
    }
    return e?.prim === 'matmul' && once(out) ? { mm: e, out, reshaped } : null;
  };
  if (a === b) return null;
  const pa = product(a),
    pb = product(b);
  if (!pa || !pb || pa.reshaped !== pb.reshaped || !sameShape(pa.out.aval.shape, pb.out.aval.shape)) return null;
  const ea = pa.mm,
    eb = pb.mm;
  const ta = ea.params as { transA: boolean; transB: boolean },
    tb = eb.params as { transA: boolean; transB: boolean };
  if (ta.transA !== tb.transA || ta.transB !== tb.transB) return null;
  const [a0, a1] = ea.inputs,
    [b0, b1] = eb.inputs;
  const side = a0 === b0 ? 1 : a1 === b1 ? 0 : -1;
  if (side < 0) return null;
  const u = ea.inputs[side]!,
    v = eb.inputs[side]!;
  if (!sameShape(u.aval.shape, v.aval.shape) || u.aval.dtype !== v.aval.dtype) return null;
  if (!sameShape(a.aval.shape, o.aval.shape) || a.aval.dtype !== o.aval.dtype) return null;
  const s = new Var({ shape: [...u.aval.shape], dtype: u.aval.dtype });
  const sum = { prim: 'add', params: {}, inputs: [u, v], outputs: [s] } as unknown as Eqn;
  const ins = side === 1 ? [a0!, s] : [s, a1!];
  if (!pa.reshaped) return [sum, { ...ea, inputs: ins, outputs: [o] } as Eqn];
  const m = new Var({ shape: [...pa.out.aval.shape], dtype: pa.out.aval.dtype });
  return [sum, { ...ea, inputs: ins, outputs: [m] } as Eqn, { ...defs.get(a.id)!, inputs: [m], outputs: [o] } as Eqn];
}

/** Equations defining `o` as zeros: a scalar constant, broadcast when `o` is not a scalar. */
function zerosOf(o: Var): Eqn[] {
  const scalar = o.aval.shape.length === 0;
  const z = scalar ? o : new Var({ shape: [], dtype: o.aval.dtype });
  const c = {
    prim: 'constant',
    params: { value: typedFor(o.aval.dtype, 1), shape: [], dtype: o.aval.dtype },
    inputs: [],
    outputs: [z],
  } as Eqn;
  if (scalar) return [c];
  return [
    c,
    { prim: 'broadcast_in_dim', params: { shape: [...o.aval.shape], dims: [] }, inputs: [z], outputs: [o] } as Eqn,
  ];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Simplifies the sub-graphs held in an equation's params. */
function simplifyNested(g: Graph): Graph {
  let changed = false;
  const eqns = g.eqns.map((e) => {
    let ps: Record<string, unknown> | null = null;
    for (const [k, v] of Object.entries(e.params as object)) {
      if (v instanceof Graph) {
        const s = simplify(v);
        if (s !== v) (ps ??= { ...(e.params as object) })[k] = s;
      }
    }
    if (!ps) return e;
    changed = true;
    return { ...e, params: ps } as Eqn;
  });
  return changed ? new Graph(g.inputs, eqns, g.outputs) : g;
}

export function simplify(g: Graph): Graph {
  let cur = simplifyNested(g);
  for (let round = 0; round < 8; round++) {
    const next = dce(cse(algebraic(constantFold(cur))));
    if (next.eqns.length === cur.eqns.length && next === cur) break;
    const same = next.eqns.length === cur.eqns.length && next.eqns.every((e, i) => e === cur.eqns[i]);
    cur = next;
    if (same) break;
  }
  return cur;
}
