// Dimensions that a template's program names but no data binds: in `var x: real[n]` with
// `minimize sumsq(${A} @ x - ${b})`, nothing declares n. Each such name becomes an int data whose
// value is inferred: the sizes the interpolated values carry are the candidates, and the
// checker's own shape rules, run with the dimensions bound, are the judge. Exactly one fitting
// assignment binds the names; none, or several with different values, is an error that says
// which and how to state the dimension instead.

import type { Diagnostic, Program, Span } from '../../grammar/index.js';
import type { FrontEnd } from '../compile.js';
import { bindData } from '../front/data_binding.js';
import { checkProgram } from '../front/check_program.js';

/** Names used in the dimensions of types outside `data` that no `data` binds, with their first use. */
export function unboundDims(program: Program): Map<string, Span> {
  const bound = new Set<string>();
  const declared = new Set<string>();
  const used = new Map<string, Span>();
  const idents = (e: unknown, out: (name: string, span: Span) => void): void => {
    if (Array.isArray(e)) e.forEach((x) => idents(x, out));
    else if (e && typeof e === 'object') {
      const n = e as { kind?: string; name?: string; span: Span };
      if (n.kind === 'Ident') out(n.name!, n.span);
      else for (const [k, v] of Object.entries(n)) if (k !== 'span') idents(v, out);
    }
  };
  const walk = (node: unknown, inData: boolean): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, inData));
    else if (node && typeof node === 'object') {
      const n = node as { kind?: string; [k: string]: unknown };
      if (n.kind === 'Type') {
        const t = n as unknown as { name: { name: string }; dims: unknown[] };
        if (inData) idents(t.dims, (name) => bound.add(name));
        else idents(t.dims, (name, span) => used.has(name) || used.set(name, span));
        return;
      }
      if (n.kind === 'Decl' && inData) {
        const d = n as unknown as { name: { name: string }; type: { name: { name: string }; dims: unknown[] } };
        if (d.type.name.name === 'int' && d.type.dims.length === 0) bound.add(d.name.name);
      }
      if (n.kind === 'Decl' || n.kind === 'Let' || n.kind === 'Fn') declared.add((n.name as { name: string }).name);
      for (const [k, v] of Object.entries(n)) if (k !== 'span') walk(v, inData || n.kind === 'Data');
    }
  };
  walk(program.body, false);
  for (const name of [...used.keys()]) if (bound.has(name) || declared.has(name)) used.delete(name);
  return used;
}

export type Inferred = { values: Map<string, number> } | { errors: Diagnostic[] };

/** At most this many assignments are tried; past it the user is asked to state the dimensions. */
const MAX_TRIES = 4096;

export function inferDims(
  fe: FrontEnd,
  data: Record<string, unknown>,
  dims: ReadonlyMap<string, Span>,
  candidates: readonly number[],
): Inferred {
  const names = [...dims.keys()];
  const state = (name: string) =>
    `state it: interpolate it (\`real[\${${name}}]\`) or declare data that binds it (\`data A: real[m, ${name}] = \${A}\`)`;
  const cands = [...new Set(candidates)].sort((a, b) => a - b);
  if (cands.length ** names.length > MAX_TRIES || cands.length === 0) {
    return {
      errors: names.map((n) => ({
        severity: 'error',
        message: `cannot infer the dimension \`${n}\`: ${cands.length === 0 ? 'no interpolated value has a shape' : 'too many dimensions to infer together'}`,
        span: dims.get(n)!,
        hint: state(n),
      })),
    };
  }
  const fits: number[][] = [];
  let best: { errors: Diagnostic[]; values: number[] } | null = null;
  const values = new Array<number>(names.length).fill(0);
  const tryAt = (k: number): void => {
    if (k === names.length) {
      const errors = judge(fe, data, names, values);
      if (errors.length === 0) fits.push([...values]);
      else if (!best || errors.length < best.errors.length) best = { errors, values: [...values] };
      return;
    }
    for (const c of cands) {
      values[k] = c;
      tryAt(k + 1);
    }
  };
  tryAt(0);
  if (fits.length === 1) return { values: new Map(names.map((n, i) => [n, fits[0]![i]!])) };
  if (fits.length > 1) {
    const i = names.findIndex((_, j) => new Set(fits.map((f) => f[j])).size > 1);
    const seen = [...new Set(fits.map((f) => f[i]))];
    return {
      errors: [
        {
          severity: 'error',
          message: `cannot infer the dimension \`${names[i]}\`: the interpolated values fit ${seen.map((v) => `${names[i]} = ${v}`).join(' and ')}`,
          span: dims.get(names[i]!)!,
          hint: state(names[i]!),
        },
      ],
    };
  }
  const b = best as { errors: Diagnostic[]; values: number[] } | null;
  const head: Diagnostic[] = names.map((n) => ({
    severity: 'error',
    message: `cannot infer the dimension \`${n}\`: no size of the interpolated values (${cands.join(', ')}) makes the shapes agree`,
    span: dims.get(n)!,
    hint: state(n),
  }));
  // The shape errors of the nearest fit say what disagrees.
  return { errors: [...head, ...(b ? b.errors : [])] };
}

/** The errors of the bound check with the names at `values` (none: they fit). */
function judge(fe: FrontEnd, data: Record<string, unknown>, names: string[], values: number[]): Diagnostic[] {
  const d: Record<string, unknown> = { ...data };
  names.forEach((n, i) => (d[n] = values[i]));
  const bound = bindData(fe.checked, d);
  const errs = bound.diagnostics.filter((x) => x.severity === 'error');
  if (errs.length) return errs;
  return checkProgram(fe.checked.modules, fe.sources, bound.values).diagnostics.filter((x) => x.severity === 'error');
}
