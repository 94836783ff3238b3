// The one place that turns how a method run ended (stdlib's MethodResult) into the result's
// status, its stop reason and messages, in the user's terms: a `maximize` objective with its own
// sign, a divergence with the likely cause and a hint that fits the program (a missing `start`,
// a learning rate), a note when the run ended without its test holding. Solves and inference use
// it alike; runResult (result.ts) writes the JSON object.

import { divergenceText, type Divergence, type MethodResult } from '../../stdlib/index.js';
import type { CompiledProgram } from '../compile.js';
import { fileMessage, messageAt, type Message } from '../messages.js';
import type { RunStatus } from './result.js';

export interface RunEnd {
  status: RunStatus;
  /** The reason in words (diagnostics.stop_reason). */
  stopReason: string;
  messages: Message[];
  diagnostics: Record<string, unknown>;
}

export function runEnd(
  compiled: CompiledProgram,
  name: string,
  r: MethodResult,
  options: Readonly<Record<string, unknown>>,
): RunEnd {
  const sign = compiled.sense === 'minimize' ? 1 : -1;
  const at = (severity: Message['severity'], text: string, hint?: string): Message =>
    compiled.anchor
      ? messageAt(severity, compiled.anchor, text, hint)
      : fileMessage(severity, compiled.file, text, hint);
  const diagnostics: Record<string, unknown> = {};
  let reason = r.message;
  let hint: string | undefined;
  if (r.divergence) {
    const d = r.divergence;
    reason = divergenceText(d, r.checkpoint.start, sign);
    hint = divergenceHint(compiled, d, options);
    diagnostics.divergence = {
      cause: d.cause,
      step: d.step,
      ...(d.cause === 'iterates' ? { from: d.from, to: d.to } : { from: sign * d.from, to: sign * d.to }),
    };
  }
  if (r.status === 'stopped') diagnostics.stopped_by = r.stoppedBy ?? 'user';
  const messages = r.warnings.map((w) => at('warning', w));
  if (r.status !== 'converged')
    messages.push(
      at(r.status === 'infeasible' || r.status === 'diverged' ? 'warning' : 'note', `${name} stopped: ${reason}`, hint),
    );
  return { status: r.status, stopReason: reason, messages, diagnostics };
}

function divergenceHint(
  compiled: CompiledProgram,
  d: Divergence,
  options: Readonly<Record<string, unknown>>,
): string | undefined {
  const starts = compiled.checked.starts.size > 0 || compiled.internals.layout.entries.some((e) => e.decl.init);
  switch (d.cause) {
    case 'nan':
      return 'bound the variable to the domain (e.g. `var x: real > 0`), or give a `start` inside it';
    case 'overflow':
      return starts
        ? 'rescale the objective, or bound the variables that feed an exp'
        : 'the default start is drawn from uniform(-2, 2): give a `start` near the solution, or bound the variables';
    case 'unbounded':
    case 'iterates':
      return 'add a constraint, a bound or a penalty in the direction it runs away, or check the sign of the objective';
    case 'rise':
      return typeof options.lr === 'number'
        ? `lower the learning rate (lr = ${options.lr})`
        : 'lower the step size, or use a line-search method such as lbfgs';
  }
}
