// Sizes, checked before anything is allocated: at `check` with the dimensions the program
// spells out, and at data binding with every dimension bound. Two rules (docs/cli.md):
//   1. No array may have more than MAX_ELEMENTS entries (2^31 - 1: typed arrays, tfjs and the
//      GPU backends index with 32-bit integers). This holds whatever the memory.
//   2. The memory the program needs, estimated from its shapes, must be below the limit: the
//      machine's total memory unless the caller gives one (`--max-memory`). The estimate is
//      8 bytes per number for: the data twice (the host copy and the backend's), 32 copies of the
//      decision vector (iterate, gradient, trial point, direction, 10 L-BFGS pairs, optimizer
//      moments and guide parameters), and 4 copies of the largest value the program computes
//      (the value, its adjoint and two temporaries). It is an estimate of the order of magnitude,
//      meant to refuse programs that cannot fit, not to predict the peak to the byte.
// Each error points at the declaration or expression that dominates, with its dimensions' values.

import { platform } from '../../runtime/index.js';
import type { Diagnostic, Expr, Span } from '../../grammar/index.js';
import type { CheckedProgram } from './check_program.js';
import { valuesText, type Dim, type Ty } from './static_types.js';

export const MAX_ELEMENTS = 2 ** 31 - 1;
const DATA_COPIES = 2;
const UNKNOWN_COPIES = 32;
const VALUE_COPIES = 4;

/** The default limit: the machine's total memory. */
export const defaultMemoryLimit = (): number => platform.totalMemory();

interface Sized {
  elements: number;
  span: Span;
  what: string;
  dims: readonly Dim[];
}

const count = (dims: readonly Dim[]): number | null =>
  dims.every((d) => d.value !== null) ? dims.reduce((a, d) => a * d.value!, 1) : null;

/** Size errors of a checked program; dimensions still unknown (no data yet) are skipped. */
export function sizeDiagnostics(p: CheckedProgram, maxMemory: number = defaultMemoryLimit()): Diagnostic[] {
  const out: Diagnostic[] = [];
  let data = 0;
  let unknowns = 0;
  let decisionMax: Sized | null = null;
  let dataMax: Sized | null = null;
  for (const d of p.decls) {
    const dims = d.ty.shape;
    const n = count(dims);
    if (n === null) continue;
    const s: Sized = { elements: n, span: d.decl.type.span, what: `\`${d.decl.name.name}\``, dims };
    tooMany(s, out);
    if (d.kind === 'data') {
      data += n;
      if (!dataMax || n > dataMax.elements) dataMax = s;
    } else {
      unknowns += n;
      if (!decisionMax || n > decisionMax.elements) decisionMax = s;
    }
  }
  let valueMax: Sized | null = null;
  for (const [e, t] of p.types) {
    const dims = tensorDims(t);
    const n = dims && count(dims);
    if (!n || (valueMax && n <= valueMax.elements)) continue;
    valueMax = { elements: n, span: e.span, what: exprWord(e), dims: dims! };
  }
  if (valueMax && !out.length) tooMany(valueMax, out);
  if (out.length) return out;

  const parts = [
    { bytes: 8 * DATA_COPIES * data, s: dataMax, role: 'data' },
    { bytes: 8 * UNKNOWN_COPIES * unknowns, s: decisionMax, role: 'unknowns' },
    { bytes: 8 * VALUE_COPIES * (valueMax?.elements ?? 0), s: valueMax, role: 'value' },
  ];
  const total = parts.reduce((a, b) => a + b.bytes, 0);
  if (total <= maxMemory) return out;
  const top = parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const s = top.s!;
  const role =
    top.role === 'data'
      ? 'data'
      : top.role === 'unknowns'
        ? `unknowns (the solver keeps about ${UNKNOWN_COPIES} vectors of them)`
        : 'a computed value';
  out.push({
    severity: 'error',
    message: `this program needs about ${bytes(total)} of memory, more than the limit of ${bytes(maxMemory)}: ${s.what} has ${s.elements.toLocaleString('en-US')} entries${valuesText(s.dims)}, ${role}`,
    span: s.span,
    hint: `make it smaller, or raise the limit with --max-memory (the default is this machine's memory; docs/cli.md)`,
  });
  return out;
}

function tooMany(s: Sized, out: Diagnostic[]): void {
  if (s.elements <= MAX_ELEMENTS) return;
  out.push({
    severity: 'error',
    message: `${s.what} would have ${s.elements.toLocaleString('en-US')} entries${valuesText(s.dims)}: more than the ${MAX_ELEMENTS.toLocaleString('en-US')} one array can hold`,
    span: s.span,
    hint: 'split it into smaller pieces, or reduce its dimensions',
  });
}

function tensorDims(t: Ty): readonly Dim[] | null {
  return t.kind === 'tensor' || t.kind === 'dist' ? t.shape : null;
}

function exprWord(e: Expr): string {
  if (e.kind === 'Call') return `the value of \`${e.callee.name}(...)\``;
  if (e.kind === 'Ident') return `\`${e.name}\``;
  return 'a value computed here';
}

function bytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n >= 100 || i === 0 ? n.toFixed(0) : n.toPrecision(2)} ${units[i]}`;
}
