// Deterministic pretty-printer for graphs. Variables are renamed a, b, ..., z, ba, ... in order
// of definition, so two structurally equal graphs print identically whatever their Var ids;
// sub-graphs (scan bodies, ...) print nested with their own names. Used by snapshot tests.

import type { Graph, Var } from './graph.js';
import { avalString } from './types.js';
import { Graph as GraphClass } from './graph.js';

/** The i-th printed variable name: a, b, ..., z, ba, bb, ... */
export function varName(i: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
}

function fmtValue(v: unknown, indent: string, printGraph: (g: Graph, indent: string) => string): string {
  if (v instanceof GraphClass) return printGraph(v, indent + '  ');
  if (ArrayBuffer.isView(v)) {
    const arr = Array.from(v as unknown as ArrayLike<number>);
    return arr.length <= 8 ? `[${arr.map(fmtNum).join(',')}]` : `<${arr.length} values>`;
  }
  if (Array.isArray(v)) return `[${v.map((x) => fmtValue(x, indent, printGraph)).join(',')}]`;
  if (typeof v === 'number') return fmtNum(v);
  return String(v);
}

const fmtNum = (x: number): string => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6))));

export function printGraph(g: Graph, indent = ''): string {
  const names = new Map<number, string>();
  let n = 0;
  const def = (v: Var) => {
    const s = varName(n++);
    names.set(v.id, s);
    return `${s}:${avalString(v.aval)}`;
  };
  const use = (v: Var) => names.get(v.id) ?? `?${v.id}`;
  const lines: string[] = [];
  lines.push(`{ lambda ${g.inputs.map(def).join(' ')} .`);
  for (const e of g.eqns) {
    const keys = Object.keys(e.params as object)
      .filter((k) => k !== 'value' || e.prim === 'constant')
      .sort();
    const ps = keys.map((k) => `${k}=${fmtValue((e.params as Record<string, unknown>)[k], indent, printGraph)}`);
    const head = ps.length ? `${e.prim}[${ps.join(' ')}]` : e.prim;
    const lhs = e.outputs.map(def).join(' ');
    lines.push(`  ${lhs} = ${head} ${e.inputs.map(use).join(' ')}`.trimEnd());
  }
  lines.push(`  in (${g.outputs.map(use).join(', ')}) }`);
  return lines.map((l, i) => (i === 0 ? l : indent + l)).join('\n');
}

/** Number of equations, counting those inside sub-graphs too. */
export function countEqns(g: Graph): number {
  let c = 0;
  for (const e of g.eqns) {
    c++;
    for (const v of Object.values(e.params as object)) if (v instanceof GraphClass) c += countEqns(v);
  }
  return c;
}
