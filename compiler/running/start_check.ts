// The start must be a point where the objective can be evaluated: a non-finite objective (or,
// for a smooth objective, gradient) at the start is a user error that says so, shows the start,
// and suggests `start`; never a run that "stops" after 0 steps with objective null.

import type { CompiledProgram } from '../compile.js';
import { messageAt, fileMessage, type Message } from '../messages.js';
import { backquote as q } from '../../runtime/index.js';

const MAX_SHOWN = 3;

/** The error for a start where the objective is not finite, or null when it is fine. */
export function startProblem(
  compiled: CompiledProgram,
  x0: Float64Array,
  opts: { gradient?: boolean } = {},
): Message | null {
  if (!compiled.objective || x0.length !== compiled.n) return null;
  let f: number;
  let g: Float64Array;
  try {
    ({ f, g } = compiled.objective.evaluate(x0, 0));
  } catch {
    return null; // the solver reports what an evaluation cannot do
  }
  const what = Number.isFinite(f)
    ? opts.gradient !== false && !g.every(Number.isFinite)
      ? `the gradient of the ${compiled.kind === 'model' ? 'log density' : 'objective'} is not finite`
      : null
    : `the ${compiled.kind === 'model' ? 'log density' : 'objective'} is ${Number.isNaN(f) ? 'NaN' : compiled.sense === 'minimize' ? f : -f}`;
  if (what === null) return null;
  const values = compiled.valuesAt(x0);
  const names = Object.keys(values);
  const shown = names
    .slice(0, MAX_SHOWN)
    .map((k) => `${k} = ${show(values[k])}`)
    .join(', ');
  const more = names.length > MAX_SHOWN ? `, and ${names.length - MAX_SHOWN} more` : '';
  const given = names.filter(
    (k) => compiled.checked.starts.has(k) || compiled.internals.layout.entries.some((e) => e.name === k && e.decl.init),
  );
  const first = names[0] ?? 'x';
  const message = `${what} at the start (${shown}${more}): the run cannot begin there`;
  const hint = given.length
    ? `move the start of ${given.map((k) => q(k)).join(', ')} to a point where it is finite`
    : `give a start where it is finite, e.g. \`start ${first} = ...\`, or a domain that keeps the default start inside it (\`var ${first}: real > 0\`)`;
  return compiled.anchor
    ? messageAt('error', compiled.anchor, message, hint)
    : fileMessage('error', compiled.file, message, hint);
}

function show(v: unknown): string {
  const flat = [v].flat(Infinity) as number[];
  const nums = flat.slice(0, 4).map((x) => (Number.isInteger(x) ? String(x) : x.toPrecision(4)));
  return flat.length === 1 ? nums[0]! : `[${nums.join(', ')}${flat.length > 4 ? ', ...' : ''}]`;
}
