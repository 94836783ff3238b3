// The PyTorch emitter: a graph as the source of a Python function over torch tensors, one line per
// equation, through the per-primitive table in torch_rules.ts. Sub-graphs (scan bodies) become
// nested functions, so they see the row symbol `n`. Invariants: the code computes what the `ref`
// backend computes (float64; int32 and bool exact); a graph with a primitive that has no export
// is refused with every such primitive listed (torchUnsupported), never emitted in part.

import { Graph, type Var } from '../ir/graph.js';
import type { AnyEqn } from '../ir/graph.js';
import type { DType } from '../ir/types.js';
import type { PrimName } from '../prims/params.js';
import { torchRules, TORCH_DTYPE, type TorchContext, type TorchRule } from './torch_rules.js';

export interface TorchFunctionSpec {
  /** The Python function's name. */
  name: string;
  /** Python identifiers of the graph's inputs, in order. */
  inputs: readonly string[];
  /** Names for slices of input 0 (the flat parameter vector), e.g. the program's vars. */
  slices?: readonly { name: string; offset: number; size: number }[];
  /**
   * The row count: every dimension equal to it is written as the function's argument `n`, so
   * the function runs on a subset of the rows (whether it then computes the subset's terms is
   * the caller's to check: a dimension can equal the row count by coincidence).
   */
  rows?: number | null;
}

export class TorchExportError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`no PyTorch export for: ${missing.join('; ')}`);
  }
}

/** The primitives of a graph (sub-graphs included) that have no torch export, with why. */
export function torchUnsupported(g: Graph): string[] {
  const out = new Set<string>();
  const walk = (gr: Graph) => {
    for (const e of gr.eqns) {
      const r = torchRules[e.prim];
      if ('unsupported' in r) out.add(r.unsupported);
      for (const v of Object.values(e.params as object)) if (v instanceof Graph) walk(v);
    }
  };
  walk(g);
  return [...out].sort();
}

/** Python source of `def name(<inputs>, n): ... return (<outputs>,)`. */
export function torchFunction(g: Graph, spec: TorchFunctionSpec): string {
  const missing = torchUnsupported(g);
  if (missing.length) throw new TorchExportError(missing);
  const rows = spec.rows ?? null;
  let subCount = 0;
  const dim = (d: number) => (rows !== null && d === rows ? 'n' : String(d));
  const shape = (dims: readonly number[]) =>
    dims.length === 0 ? '()' : dims.length === 1 ? `(${dim(dims[0]!)},)` : `(${dims.map(dim).join(', ')})`;

  const lines: string[] = [];
  const body = (gr: Graph, fname: string, inputNames: readonly string[], indent: string, isTop: boolean) => {
    const names = new Map<number, string>();
    const used = new Set<string>(['n', 'torch', 'math', ...inputNames]);
    let tmp = 0;
    const fresh = (hint?: string) => {
      let s = hint && !used.has(hint) ? hint : `t${tmp++}`;
      while (used.has(s)) s = `t${tmp++}`;
      used.add(s);
      return s;
    };
    gr.inputs.forEach((v, i) => names.set(v.id, inputNames[i]!));
    lines.push(`${indent}def ${fname}(${[...inputNames, ...(isTop ? ['n'] : [])].join(', ')}):`);
    const inner = indent + '    ';
    const ctx: TorchContext = {
      shape,
      dim,
      constant: (value, shp, dtype) => constantLiteral(value, shp, dtype, shape),
      sub: (sg, hint) => {
        const nm = `${hint}_${++subCount}`;
        const args = sg.inputs.map((_, i) => `a${i}`);
        body(sg, nm, args, inner, false);
        return nm;
      },
    };
    const thetaId = isTop ? gr.inputs[0]?.id : undefined;
    for (const e of gr.eqns) {
      const ins = e.inputs.map((v) => names.get(v.id) ?? `?${v.id}`);
      const rule = torchRules[e.prim] as unknown as TorchRule<PrimName>;
      const expr = rule.emit(
        ins,
        e.params as never,
        e.inputs.map((v) => v.aval),
        e.outputs.map((v) => v.aval),
        ctx,
      );
      const hint = isTop ? sliceName(e, thetaId, spec.slices, names) : undefined;
      const outs = e.outputs.map((v, k) => {
        const s = fresh(k === 0 ? hint : undefined);
        names.set(v.id, s);
        return s;
      });
      lines.push(
        `${inner}${outs.length === 1 && !rule.tuple ? outs[0] : outs.join(', ') + (outs.length === 1 ? ',' : '')} = ${expr}`,
      );
    }
    const res = gr.outputs.map((v: Var) => names.get(v.id) ?? `?${v.id}`);
    lines.push(`${inner}return (${res.join(', ')}${res.length === 1 ? ',' : ''})`);
  };
  body(g, spec.name, spec.inputs, '', true);
  return lines.join('\n') + '\n';
}

/**
 * A var's name for the slice of theta that holds it (and for the reshape of that slice), so the
 * code reads `w = theta[0:3]`; undefined for every other equation.
 */
function sliceName(
  e: AnyEqn,
  thetaId: number | undefined,
  slices: TorchFunctionSpec['slices'],
  names: Map<number, string>,
): string | undefined {
  if (!slices) return undefined;
  if (e.prim === 'slice' && e.inputs[0]!.id === thetaId && e.params.strides[0] === 1) {
    const hit = slices.find((s) => s.offset === e.params.starts[0] && s.offset + s.size === e.params.limits[0]);
    return hit ? safeName(hit.name) : undefined;
  }
  if (e.prim === 'reshape') {
    const src = names.get(e.inputs[0]!.id);
    const hit = slices.find((s) => safeName(s.name) === src);
    return hit ? src : undefined;
  }
  return undefined;
}

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield n torch math theta data'.split(
    ' ',
  ),
);

/** A Python identifier for a program name (keywords and the emitter's own names get a `_`). */
export function safeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return PY_KEYWORDS.has(s) || /^[0-9]/.test(s) ? `${s}_` : s;
}

/** A Python literal of one number of a dtype (float64 values round-trip exactly). */
export function pyNumber(v: number, dtype: DType): string {
  if (dtype === 'bool') return v ? 'True' : 'False';
  if (dtype === 'int32') return String(v | 0);
  if (Number.isNaN(v)) return 'math.nan';
  if (v === Infinity) return 'math.inf';
  if (v === -Infinity) return '-math.inf';
  if (Object.is(v, -0)) return '-0.0';
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function constantLiteral(
  value: ArrayLike<number>,
  shp: readonly number[],
  dtype: DType,
  shape: (d: readonly number[]) => string,
): string {
  const dt = TORCH_DTYPE[dtype];
  if (shp.length === 0) return `torch.tensor(${pyNumber(value[0]!, dtype)}, dtype=${dt})`;
  let same = true;
  for (let i = 1; i < value.length && same; i++) same = Object.is(value[i], value[0]);
  if (same && value.length > 0) return `torch.full(${shape(shp)}, ${pyNumber(value[0]!, dtype)}, dtype=${dt})`;
  const items = Array.from(value, (v) => pyNumber(v, dtype));
  return `torch.tensor([${items.join(', ')}], dtype=${dt}).reshape(${shape(shp)})`;
}

/** The module prelude the emitted functions rely on (imports and the scan loop). */
export const TORCH_PRELUDE = `import math

import torch


def _scan(body, consts, carry, xs, steps, num_carry, num_ys, reverse):
    """The scan primitive: body(consts, carry, x[t]) -> (carry, y) over the steps; ys stacked in index order."""
    ys = []
    for t in steps:
        outs = body(*consts, *carry, *[x[t] for x in xs])
        carry = list(outs[:num_carry])
        ys.append(outs[num_carry:])
    if reverse:
        ys.reverse()
    stacked = [torch.stack([y[j] for y in ys]) for j in range(num_ys)]
    return (*carry, *stacked)
`;
