// `objective name = ...` and `infer vi(objective = ...)`, lowered to the stdlib combinators
// (stdlib/vi/objectives.ts), so a user-defined objective and a built-in one go through the same
// estimator construction. The language of an objective body:
//   expect(body, samples = K)     the top: the expectation over K guide draws (default the
//                                 vi's `samples`)
//   logp, logq                    per particle
//   logmeanexp(e) mean(e) sum(e) softmax(e)   over the particles
//   stop(e) exp(e) log(e), + - * /, unary -, numbers
// Invariant: errors carry the span of the offending piece; checking (check_program.ts) and
// running (infer.ts) call the same functions, so what checks runs.

import type { Expr as Ast, ObjectiveDef, Span } from '../../grammar/index.js';
import { show, viObjectives as B, type Expr, type Gradient, type Objective } from '../../stdlib/index.js';
import { LowerError } from './lower.js';

/** The built-in objectives, as written in `infer vi(objective = ...)`; k defaults to 5. */
export const BUILTIN_OBJECTIVES = ['elbo', 'iwae', 'renyi', 'vimco', 'rws'] as const;

const UNARY: Record<string, (a: Expr) => Expr> = {
  logmeanexp: B.logmeanexp,
  mean: B.mean,
  sum: B.sum,
  softmax: B.softmax,
  stop: B.stop,
  exp: B.exp,
  log: B.log,
};
const BINARY: Partial<Record<string, (a: Expr, b: Expr) => Expr>> = { '+': B.add, '-': B.sub, '*': B.mul, '/': B.div };

/** A user objective's body; throws LowerError at the piece that is not part of the language. */
export function lowerObjectiveDef(def: ObjectiveDef, defaultSamples: number): Objective {
  const v = def.value;
  if (v.kind !== 'Call' || v.callee.name !== 'expect')
    throw new LowerError(v.span, `an objective is \`expect(body, samples = K)\`, the expectation over guide draws`);
  const body = v.args.filter((a) => a.name === null);
  if (body.length !== 1)
    throw new LowerError(v.span, '`expect` takes one body, as in `expect(logmeanexp(logp - logq), samples = 5)`');
  let samples = defaultSamples;
  for (const a of v.args) {
    if (!a.name) continue;
    if (a.name.name !== 'samples') throw new LowerError(a.name.span, `expect has no option \`${a.name.name}\``);
    const k = a.value.kind === 'Number' && Number.isInteger(a.value.value) ? a.value.value : NaN;
    if (!(k >= 1)) throw new LowerError(a.value.span, '`samples` is a positive integer');
    samples = k;
  }
  return B.expect(lowerBody(body[0]!.value), { samples, name: def.name.name });
}

function lowerBody(e: Ast): Expr {
  const bad = (span: Span, what: string): never => {
    throw new LowerError(
      span,
      `${what} is not part of an objective; it is built from logp, logq, numbers, + - * /, and logmeanexp, mean, sum, softmax, stop, exp, log`,
    );
  };
  switch (e.kind) {
    case 'Number':
      return { op: 'const', value: e.value };
    case 'Ident':
      if (e.name === 'logp') return B.logp;
      if (e.name === 'logq') return B.logq;
      return bad(e.span, `\`${e.name}\``);
    case 'Unary':
      if (e.op === '-') return B.neg(lowerBody(e.operand));
      return bad(e.span, '`!`');
    case 'Binary': {
      const f = BINARY[e.op];
      if (!f) return bad(e.span, `\`${e.op}\``);
      return f(lowerBody(e.left), lowerBody(e.right));
    }
    case 'Call': {
      const f = UNARY[e.callee.name];
      if (e.callee.name === 'expect')
        throw new LowerError(e.span, '`expect` is the top of an objective, not nested in it');
      if (!f) return bad(e.callee.span, `\`${e.callee.name}\``);
      if (e.args.length !== 1 || e.args[0]!.name)
        throw new LowerError(e.span, `\`${e.callee.name}\` takes one argument`);
      return f(lowerBody(e.args[0]!.value));
    }
    default:
      return bad(e.span, 'this expression');
  }
}

/** Whether `infer vi(objective = o)` is the plain ELBO (`elbo`, or `elbo(grad = standard)`). */
export function isPlainElbo(o: unknown): boolean {
  return (
    o === 'elbo' ||
    (typeof o === 'object' &&
      o !== null &&
      (o as { method?: string }).method === 'elbo' &&
      ((o as { grad?: string }).grad ?? 'standard') === 'standard')
  );
}

/**
 * The objective `infer vi(objective = o)` names: a built-in (a bare name or {method, ...options}
 * from the checker) or a user definition. `samples` is the vi's `samples` option.
 */
export function resolveObjective(o: unknown, defs: readonly ObjectiveDef[], samples: number): Objective {
  const call = (typeof o === 'object' && o ? o : { method: o }) as {
    method: string;
    k?: number;
    alpha?: number;
    grad?: Gradient;
  };
  const k = call.k ?? 5;
  switch (call.method) {
    case 'elbo':
      return B.elbo(samples, call.grad ?? 'standard');
    case 'iwae':
      return B.iwae(k, call.grad ?? 'standard');
    case 'renyi':
      return B.renyi(call.alpha ?? 0.5, k);
    case 'vimco':
      return B.vimco(k);
    case 'rws':
      return B.rwsWakeQ(k);
  }
  const def = defs.find((d) => d.name.name === call.method);
  if (!def) throw new Error(`unknown objective ${call.method}`);
  return lowerObjectiveDef(def, samples);
}

/** The objective's text, for check's plan and messages. */
export function objectiveText(obj: Objective): string {
  return `${obj.name}: expect(${show(obj.body)}, samples = ${obj.samples})${obj.gradient !== 'standard' ? `, grad = ${obj.gradient}` : ''}`;
}
