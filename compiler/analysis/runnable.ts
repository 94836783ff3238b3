// What `run` refuses before running anything, stated once so that `check` refuses the same
// programs with the same words: a program with no objective, and a model with neither `solve`
// nor `infer`. (An objective that data later reveal as unrunnable is `run`'s to report.)

import type { Diagnostic, Span } from '../../grammar/index.js';
import type { CheckedProgram } from '../front/check_program.js';
import type { AlgorithmChoice } from './analyze.js';

export function nothingToRun(p: CheckedProgram, algorithm: AlgorithmChoice | null): Diagnostic | null {
  if (p.infer || algorithm) return null;
  if (p.model)
    return {
      severity: 'error',
      message: 'a model needs `solve lbfgs` (the MAP estimate) or `infer ...`',
      span: p.model.span,
      hint: 'add `infer vi` for the posterior, or `solve lbfgs` for its mode',
    };
  const last = p.modules[p.modules.length - 1]!;
  const span: Span = { ...last.program.span, end: last.program.span.start, endLine: 1, endCol: 1, line: 1, col: 1 };
  return {
    severity: 'error',
    message: 'there is nothing to run: the program has no objective',
    span,
    hint: 'state one with `minimize ...` or `maximize ...`, or write a `model` with `infer ...`',
  };
}
