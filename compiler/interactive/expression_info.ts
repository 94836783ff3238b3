// Static facts about one expression of a program, named by a top-level `let` (the REPL wraps a
// bare expression as one): its type and shape, with dimension values once data binds them.
// With data the bound check gives sizes (`real[n, d] (n = 100, d = 3)`); without, the symbolic
// check still gives the type (`real[n, d]`).

import type { Expr } from '../../grammar/index.js';
import { bindProgram, frontEnd, type CompileOptions, type ProgramInput } from '../compile.js';
import type { CheckedProgram } from '../front/check_program.js';
import { tyText, valuesText, type Ty } from '../front/static_types.js';
import { CompileError } from '../messages.js';
import { platform } from '../../runtime/index.js';

export interface ExpressionType {
  /** `real[n, d]`, `int`, `a Normal distribution`. */
  type: string;
  /** Dimension values where known: ` (n = 100, d = 3)`, or ''. */
  values: string;
  /** The shape, each dimension's value or null when data has not bound it (tensors only). */
  shape: (number | null)[] | null;
  elem: 'real' | 'int' | 'bool' | null;
}

/** The value expression of the top-level `let name` of the root module. */
export function letValue(p: CheckedProgram, name: string): Expr | null {
  const root = p.modules[p.modules.length - 1]!;
  for (const st of root.program.body) if (st.kind === 'Let' && st.name.name === name) return st.value;
  return null;
}

export function typeOf(p: CheckedProgram, e: Expr): ExpressionType {
  const t: Ty | undefined = p.types.get(e);
  if (!t) return { type: 'unknown', values: '', shape: null, elem: null };
  const tensor = t.kind === 'tensor' ? t : null;
  return {
    type: tyText(t),
    values: tensor ? valuesText(tensor.shape) : '',
    shape: tensor ? tensor.shape.map((d) => d.value) : null,
    elem: tensor ? tensor.elem : null,
  };
}

/**
 * The type of `let name` in the program: with the data bound when `opts` gives what compiling
 * needs, else symbolic. Throws CompileError when the program itself does not check.
 */
export function expressionType(input: ProgramInput, name: string, opts: CompileOptions = {}): ExpressionType {
  try {
    const late = bindProgram(input, opts).late;
    const e = letValue(late, name);
    if (e) return typeOf(late, e);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
  }
  const fe = frontEnd(input, opts.readFile ?? platform.readText);
  if (fe.diagnostics.some((d) => d.severity === 'error')) throw new CompileError(fe.diagnostics);
  const e = letValue(fe.checked, name);
  if (!e) throw new Error(`no top-level \`let ${name}\``);
  return typeOf(fe.checked, e);
}
