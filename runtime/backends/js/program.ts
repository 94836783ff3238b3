// Code generation for the js backend: a lowered plan (lower.ts) becomes one JavaScript function
// per stage over preallocated typed arrays, made with `new Function` from generated code only
// (names, numbers and the rules' code templates; no user string is ever spliced in).
// Memory: every buffer is allocated here, once. Intermediates share buffers by liveness (a
// buffer is reused once its last reader has run; a step's outputs never share its inputs'
// buffers); values that later stages read, the inputs, the bound data and the outputs have their
// own. So a call allocates nothing: it writes its inputs' buffers, runs the step-stage function
// and reads its outputs' buffers.
// Stages: 0 (constants only) runs here, once; 1 (data only) on every bind; 2 on every call. A
// control-flow body is a sub-program of its own (`JsProgram`), whose loop-invariant inputs read
// the caller's buffers in place.

import type { AnyEqn, Graph } from '../../ir/graph.js';
import type { AVal, DType } from '../../ir/types.js';
import { sizeOf, stridesOf } from '../../ir/types.js';
import { buildPlan, type Plan } from '../../plan/plan.js';
import type { Access, JsBuffer, JsContext, JsProgram, RefArray } from '../../prims/rule.js';
import { ruleOf } from '../../prims/table.js';
import { runRef } from '../ref.js';
import { emitLoopNest, type LoopNode, type LoopNest } from './loops.js';
import { lowerPlan, type JsStep, type Lowered } from './lower.js';

export type { JsBuffer, JsProgram };

/** The typed array a dtype lives in on the js backend (float32 computes in float64, as on ref). */
export function allocBuffer(dtype: DType, n: number): JsBuffer {
  return dtype === 'int32' ? new Int32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Float64Array(n);
}
const bufferKind = (d: DType) => (d === 'int32' ? 'i' : d === 'bool' ? 'u' : 'f');

/** Identities on js: stop_gradient and converts between float dtypes (both are float64 here). */
export function jsAlias(e: AnyEqn): number | null {
  if (e.prim === 'stop_gradient') return 0;
  if (e.prim === 'convert' && bufferKind(e.inputs[0]!.aval.dtype) === 'f' && bufferKind(e.params.dtype) === 'f')
    return 0;
  return null;
}

/**
 * Values that only expand smaller ones (a broadcast, and elementwise results of broadcasts and
 * single elements), by output variable id. They stay in the step stage even when their inputs
 * are static: computing one inside its consumer's loop costs a hoisted register, while hoisting
 * it into the constant or data stage would store the whole expanded array and read it back.
 */
function expandedValues(graph: Graph): Set<number> {
  const small = new Set<number>();
  const out = new Set<number>();
  for (const e of graph.eqns) {
    if (e.outputs.length !== 1) continue;
    const o = e.outputs[0]!;
    const n = sizeOf(o.aval.shape);
    const thin = (v: { id: number; aval: AVal }) =>
      small.has(v.id) || sizeOf(v.aval.shape) < n || sizeOf(v.aval.shape) === 1;
    if (
      e.prim === 'broadcast_in_dim'
        ? sizeOf(e.inputs[0]!.aval.shape) < n
        : !!ruleOf(e.prim).elementwise && e.inputs.every(thin)
    ) {
      small.add(o.id);
      if (n > 1) out.add(o.id);
    }
  }
  return out;
}

export function jsPlan(graph: Graph, dataInputs: readonly number[] = []): Plan {
  const expanded = expandedValues(graph);
  return buildPlan(graph, {
    dataInputs,
    aliasOf: (e) => jsAlias(e),
    keepInStep: (e) => e.outputs.length === 1 && expanded.has(e.outputs[0]!.id),
  });
}

/** A compiled plan: its buffers and its stage functions. */
export interface JsCompiled {
  readonly lowered: Lowered;
  /** Buffers of the step inputs (plan.stepInputs order), the data inputs and the outputs. */
  readonly inputs: readonly JsBuffer[];
  readonly data: readonly JsBuffer[];
  readonly outputs: readonly JsBuffer[];
  /** Stage functions: constants, data, step. */
  readonly stages: readonly [() => void, () => void, () => void];
  /** The generated source (for `proxima graph --format js`). */
  readonly source: string;
  /** Bytes of all buffers this program allocated. */
  readonly bytes: number;
}

interface StorageInfo {
  buf: JsBuffer;
  name: string;
}

/** Chunk size of generated functions: V8 stops optimizing very large functions. */
const CHUNK_CHARS = 24_000;

export function compileJs(
  graph: Graph,
  dataInputs: readonly number[] = [],
  bind?: readonly (JsBuffer | null)[],
): JsCompiled {
  const plan = jsPlan(graph, dataInputs);
  const low = lowerPlan(plan);
  const { base, access } = low;
  const avalOf = (s: number) => plan.avals[s]!;
  const nSteps = low.stageStart[3];

  // ---- buffers ----
  const storage = new Map<number, StorageInfo>();
  const all: JsBuffer[] = [];
  const names = new Map<JsBuffer, string>();
  const byName = new Map<string, JsBuffer>();
  const roles: string[] = [];
  const named = (buf: JsBuffer, role: string): StorageInfo => {
    let name = names.get(buf);
    if (!name) {
      name = `b${all.length}`;
      names.set(buf, name);
      byName.set(name, buf);
      all.push(buf);
      roles.push(role);
    }
    return { buf, name };
  };
  const aText = (a: AVal) => `${a.dtype}[${a.shape.join(',')}]`;
  const fresh = (a: AVal, role: string) => named(allocBuffer(a.dtype, sizeOf(a.shape)), `${role} ${aText(a)}`);

  const inputs: JsBuffer[] = [];
  const data: JsBuffer[] = [];
  const constValue = new Map<number, JsBuffer>();
  plan.stepInputs.forEach((gi, k) => {
    const s = plan.inputSlots[gi]!;
    const b = bind?.[k] ?? allocBuffer(avalOf(s).dtype, sizeOf(avalOf(s).shape));
    inputs.push(b);
    if (!storage.has(s)) storage.set(s, named(b, `input ${gi} ${aText(avalOf(s))}`));
  });
  plan.dataInputs.forEach((gi) => {
    const s = plan.inputSlots[gi]!;
    const info = fresh(avalOf(s), `data input ${gi}`);
    data.push(info.buf);
    if (!storage.has(s)) storage.set(s, info);
  });
  for (const st of plan.stages)
    for (const step of st.steps)
      if (step.eqn.prim === 'constant') {
        const e = step.eqn;
        const s = low.slotOf.get(e.outputs[0]!.id)!;
        const buf = constantBuffer(e.params.value, e.params.dtype);
        constValue.set(s, buf);
        storage.set(s, named(buf, `constant ${aText(avalOf(s))}`));
      }

  // Definition step and last reader of each stored slot.
  const defAt = new Map<number, number>();
  let g = 0;
  for (const steps of low.stages)
    for (const st of steps) {
      for (const s of definedBy(st, low)) defAt.set(s, g);
      g++;
    }
  const stageOfStep = (k: number) => (k < low.stageStart[1] ? 0 : k < low.stageStart[2] ? 1 : 2);
  const outputCopy: boolean[] = [];
  const outputs: JsBuffer[] = [];
  const promoted = new Set<number>();
  plan.outputs.forEach((o, k) => {
    const b = base[o.slot]!;
    const d = defAt.get(b);
    const own = access[o.slot] === null && d !== undefined && stageOfStep(d) === 2 && !promoted.has(b);
    if (own) {
      promoted.add(b);
      const info = fresh(avalOf(b), `output ${k}`);
      storage.set(b, info);
      outputs.push(info.buf);
    } else outputs.push(fresh(avalOf(o.slot), `output ${k}`).buf);
    outputCopy.push(!own);
  });
  const lastRead = new Map<number, number>();
  for (const [s, d] of defAt) lastRead.set(s, Math.max(d, ...low.readers[s]!));
  plan.outputs.forEach((o, k) => {
    if (outputCopy[k]) lastRead.set(base[o.slot]!, nSteps); // read by the copy after the last step
  });
  // Values read by a later stage stay resident: buffers of their own.
  for (const [s, d] of defAt) {
    if (storage.has(s)) continue;
    const last = lastRead.get(s)!;
    if (last >= low.stageStart[stageOfStep(d) + 1]!)
      storage.set(s, fresh(avalOf(s), `resident (stage ${stageOfStep(d)})`));
  }
  // Intermediates share pooled buffers by liveness.
  const pool = new Map<string, JsBuffer[]>();
  const keyOf = (a: AVal) => `${bufferKind(a.dtype)}${sizeOf(a.shape)}`;
  const dyingAt = new Map<number, number[]>();
  for (const [s, last] of lastRead)
    if (!storage.has(s)) (dyingAt.get(last) ?? dyingAt.set(last, []).get(last)!).push(s);
  g = 0;
  for (const steps of low.stages)
    for (const st of steps) {
      for (const s of definedBy(st, low)) {
        if (storage.has(s)) continue;
        const free = pool.get(keyOf(avalOf(s)));
        storage.set(s, free?.length ? named(free.pop()!, 'temporary') : fresh(avalOf(s), 'temporary'));
      }
      for (const s of dyingAt.get(g) ?? []) {
        const key = keyOf(avalOf(s));
        (pool.get(key) ?? pool.set(key, []).get(key)!).push(storage.get(s)!.buf);
      }
      g++;
    }

  // ---- code ----
  const refs: unknown[] = [];
  const refNames = new Map<unknown, string>();
  const ref = (v: unknown): string => {
    let nm = refNames.get(v);
    if (!nm) {
      nm = `r${refs.length}`;
      refs.push(v);
      refNames.set(v, nm);
    }
    return nm;
  };
  const bufName = (s: number) => storage.get(base[s]!)!.name;
  /**
   * A kernel's operand: its base buffer, or a subarray of it made once (a contiguous view at an
   * offset). A null access is row-major from offset 0 but may cover only a prefix of its base (a
   * leading slice, `alpha` of a packed parameter vector): a kernel sees whole buffers (scan copies
   * a carry with `set`), so such an operand is a subarray too, never the longer base.
   */
  const kernelBuf = (s: number): string => {
    const a = access[s];
    const whole = storage.get(base[s]!)!.buf;
    const n = sizeOf(avalOf(s).shape);
    const offset = a?.offset ?? 0;
    if (offset === 0 && whole.length === n) return bufName(s);
    const key = `${bufName(s)}@${offset}:${n}`;
    let nm = subarrays.get(key);
    if (!nm) {
      nm = named(whole.subarray(offset, offset + n), `view of ${bufName(s)} at ${offset}`).name;
      subarrays.set(key, nm);
    }
    return nm;
  };
  const subarrays = new Map<string, string>();
  /** A single-element constant as a literal, so the generated code reads (and V8 folds) the number. */
  const literal = (s: number): string | null => {
    const v = constValue.get(base[s]!);
    if (!v || v.length !== 1) return null;
    const x = v[0]!;
    return Number.isNaN(x)
      ? 'NaN'
      : x === Infinity
        ? 'Infinity'
        : x === -Infinity
          ? '(-Infinity)'
          : x < 0 || Object.is(x, -0)
            ? `(${x === 0 ? '-0' : x})`
            : `${x}`;
  };
  let uid = 0;
  const ctx: JsContext = {
    ref,
    buffers: (bufNames) => ref(bufNames.map((nm) => byName.get(nm)!)),
    sub: (graph2, bindNames) =>
      ref(
        compileSub(
          graph2,
          bindNames?.map((nm) => (nm ? byName.get(nm)! : null)),
        ),
      ),
    copy: (src, from, dst, to, shape) =>
      emitLoopNest(
        {
          shape,
          nodes: [{ kind: 'load', buf: src, acc: from }],
          stores: [{ node: 0, buf: dst, acc: to }],
          reductions: [],
        },
        `${uid++}`,
      ),
  };
  const emitStep = (st: JsStep): string => {
    const code = emitCode(st);
    return `  // ${describeStep(st)}\n${code.startsWith('  ') ? code : code.replace(/^/gm, '  ')}`;
  };
  const describeStep = (st: JsStep): string => {
    if (st.kind === 'copy') return `copy a view of ${storage.get(st.from)!.name} into ${storage.get(st.slot)!.name}`;
    const written = (vs: readonly { id: number }[]) =>
      vs.flatMap((v) => {
        const sl = low.slotOf.get(v.id)!;
        return low.stored.has(sl) && storage.has(sl) ? [storage.get(sl)!.name] : [];
      });
    if (st.kind === 'call')
      return `${st.eqn.prim}(${st.eqn.inputs.map((v) => kernelBuf(low.slotOf.get(v.id)!)).join(', ')}) -> ${written(st.eqn.outputs).join(', ')}`;
    const outs = written(st.members.flatMap((m) => m.outputs));
    return `loop over [${st.shape.join(',')}]: ${st.members.map((m) => m.prim).join(' ')}${outs.length ? ` -> ${outs.join(', ')}` : ''}`;
  };
  const emitCode = (st: JsStep): string => {
    if (st.kind === 'loop') return emitRegion(st.members, st.shape, low, storage, bufName, literal, `${uid++}`);
    if (st.kind === 'copy') {
      const nest: LoopNest = {
        shape: avalOf(st.slot).shape,
        nodes: [{ kind: 'load', buf: storage.get(st.from)!.name, acc: st.access }],
        stores: [{ node: 0, buf: storage.get(st.slot)!.name, acc: rowMajor(avalOf(st.slot).shape) }],
        reductions: [],
      };
      return emitLoopNest(nest, `${uid++}`);
    }
    const e = st.eqn;
    const ins = e.inputs.map((v) => kernelBuf(low.slotOf.get(v.id)!));
    const outs = e.outputs.map((v) => storage.get(low.slotOf.get(v.id)!)!.name);
    const rule = ruleOf(e.prim);
    const inAvals = e.inputs.map((v) => v.aval);
    const outAvals = e.outputs.map((v) => v.aval);
    const code = rule.js?.emit(ins, outs, e.params, inAvals, outAvals, ctx);
    if (code != null) return code;
    return `${ref(
      refKernel(
        e,
        ins.map((n) => byName.get(n)!),
        outs.map((n) => byName.get(n)!),
      ),
    )}();`;
  };
  const stageCode = low.stages.map((steps) => steps.map(emitStep));
  plan.outputs.forEach((o, k) => {
    if (!outputCopy[k]) return;
    const a = avalOf(o.slot);
    const nest: LoopNest = {
      shape: a.shape,
      nodes: [{ kind: 'load', buf: bufName(o.slot), acc: access[o.slot] ?? rowMajor(a.shape) }],
      stores: [{ node: 0, buf: names.get(outputs[k]!)!, acc: rowMajor(a.shape) }],
      reductions: [],
    };
    stageCode[2]!.push(`  // output ${k}: a copy\n${emitLoopNest(nest, `${uid++}`)}`);
  });
  const fns: string[] = [];
  const stageFns = stageCode.map((parts, st) => {
    const chunks: string[][] = [[]];
    let len = 0;
    for (const p of parts) {
      if (len > CHUNK_CHARS) {
        chunks.push([]);
        len = 0;
      }
      chunks[chunks.length - 1]!.push(p);
      len += p.length;
    }
    const chunkNames = chunks.map((c, j) => {
      const nm = `stage${st}_${j}`;
      fns.push(`function ${nm}() {\n${c.join('\n')}\n}`);
      return nm;
    });
    if (chunkNames.length === 1) return chunkNames[0]!;
    const nm = `stage${st}`;
    fns.push(`function ${nm}() {\n${chunkNames.map((c) => `  ${c}();`).join('\n')}\n}`);
    return nm;
  });
  const header = [
    ...all.map((_, i) => `const b${i} = S[${i}]; // ${roles[i]}`),
    ...refs.map((v, i) => `const r${i} = R[${i}]; // ${refText(v)}`),
  ];
  const source = [...header, ...fns, `return [${stageFns.join(', ')}];`].join('\n');
  const stages = new Function('S', 'R', source)(all, refs) as [() => void, () => void, () => void];
  const bytes = all.reduce((t, b) => t + b.byteLength, 0);
  return { lowered: low, inputs, data, outputs, stages, source, bytes };
}

/** What a reference is, for the listing: a kernel's name, a sub-program, or a small value. */
function refText(v: unknown): string {
  if (typeof v === 'function') return v.name ? `kernel ${v.name}` : 'kernel';
  if (v && typeof v === 'object' && 'run' in v && 'ins' in v) return 'compiled sub-graph';
  if (Array.isArray(v)) return `${v.length} buffers`;
  const t = JSON.stringify(v);
  return t && t.length < 80 ? t : 'options';
}

/** A control-flow body as a sub-program: its constants are computed now; `run` is its step stage. */
export function compileSub(graph: Graph, bind?: readonly (JsBuffer | null)[]): JsProgram {
  const c = compileJs(graph, [], bind);
  c.stages[0]();
  c.stages[1]();
  return { ins: c.inputs, outs: c.outputs, run: c.stages[2] };
}

const rowMajor = (shape: readonly number[]): Access => ({ offset: 0, strides: stridesOf(shape) });

/** Slots a step writes into buffers. */
function definedBy(st: JsStep, low: Lowered): number[] {
  if (st.kind === 'copy') return [st.slot];
  if (st.kind === 'call') return st.eqn.outputs.map((v) => low.slotOf.get(v.id)!);
  return st.members.map((m) => low.slotOf.get(m.outputs[0]!.id)!).filter((s) => low.stored.has(s));
}

function constantBuffer(v: Float64Array | Int32Array | Uint8Array, dtype: DType): JsBuffer {
  if (dtype === 'int32') return v instanceof Int32Array ? v : Int32Array.from(v);
  if (dtype === 'bool')
    return v instanceof Uint8Array && v.every((x) => x <= 1) ? v : Uint8Array.from(v, (x) => (x ? 1 : 0));
  return v instanceof Float64Array ? v : Float64Array.from(v);
}

/** A region as a loop nest: member values in registers, external operands read through accesses. */
function emitRegion(
  members: readonly AnyEqn[],
  shape: readonly number[],
  low: Lowered,
  storage: ReadonlyMap<number, StorageInfo>,
  bufName: (s: number) => string,
  literal: (s: number) => string | null,
  uid: string,
): string {
  const nodes: LoopNode[] = [];
  const nodeOf = new Map<number, number>(); // slot -> node
  const mine = new Set(members.map((m) => low.slotOf.get(m.outputs[0]!.id)!));
  const operand = (s: number): number => {
    const known = nodeOf.get(s);
    if (known !== undefined) return known;
    const a = low.plan.avals[s]!;
    const lit = literal(s);
    if (lit !== null) nodes.push({ kind: 'op', args: [], js: () => lit });
    else nodes.push({ kind: 'load', buf: bufName(s), acc: low.access[s] ?? rowMajor(a.shape) });
    nodeOf.set(s, nodes.length - 1);
    return nodes.length - 1;
  };
  const stores: LoopNest['stores'][number][] = [];
  const reductions: LoopNest['reductions'][number][] = [];
  for (const e of members) {
    const ins = e.inputs.map((v) => low.slotOf.get(v.id)!);
    const out = low.slotOf.get(e.outputs[0]!.id)!;
    const rule = ruleOf(e.prim);
    const args = ins.map((s) => (mine.has(s) && nodeOf.has(s) ? nodeOf.get(s)! : operand(s)));
    if (rule.reduction) {
      const axes = rule.reduction.axes(e.params);
      const outShape = e.outputs[0]!.aval.shape;
      const os = stridesOf(outShape);
      let k = 0;
      const strides = shape.map((_, d) => (axes.includes(d) ? 0 : os[k++]!));
      const red = rule.reduction;
      reductions.push({
        node: args[0]!,
        buf: storage.get(out)!.name,
        acc: { offset: 0, strides },
        size: sizeOf(outShape),
        init: red.init,
        js: (a, x) => red.js(a, x),
      });
      continue;
    }
    const el = rule.elementwise!;
    const outAval = e.outputs[0]!.aval;
    nodes.push({ kind: 'op', args, js: (x) => el.js(x, e.params, outAval) });
    nodeOf.set(out, nodes.length - 1);
    if (low.stored.has(out)) stores.push({ node: nodes.length - 1, buf: storage.get(out)!.name, acc: rowMajor(shape) });
  }
  return emitLoopNest({ shape, nodes, stores, reductions }, uid);
}

/** The fallback kernel: the rule's ref implementation on the buffers, its results copied in. */
function refKernel(e: AnyEqn, ins: readonly JsBuffer[], outs: readonly JsBuffer[]): () => void {
  const rule = ruleOf(e.prim);
  const refIns: RefArray[] = ins.map((b, i) => ({ data: b, shape: e.inputs[i]!.aval.shape }));
  const outAvals = e.outputs.map((v) => v.aval);
  const ctx = { run: runRef };
  return () => {
    const res = rule.ref(refIns, e.params, outAvals, ctx);
    for (let i = 0; i < outs.length; i++) outs[i]!.set(res[i]!.data as never);
  };
}
