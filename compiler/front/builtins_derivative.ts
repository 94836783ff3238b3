// Derivatives as expressions: grad, jvp, hvp, jacobian and hessian of an expression `e` with respect
// to a name `v` (a var, a param, a `let` or a function argument). The checker types `e` like any
// argument and `v` by its binding (check_expr.ts wrtArg); the lowering receives `e` as a function of
// v's value (lower.ts functionOf: lets computed from v are recomputed) and applies the runtime's
// transform, so these nest and compose with the solvers' own derivatives (a grad inside a minimized
// objective is differentiated again: second order). Several variables of grad give one flat vector.

import { grad, hessian, hvp, jacobian, jvp, ops as P, type Tracer } from '../../runtime/index.js';
import { broadcast } from './shape_rules.js';
import { dimEq, shapeText, type Dim } from './static_types.js';
import { numeric, q, real, type Builtin, type TypeCtx } from './builtin_kit.js';

const E = { name: 'e', kind: 'body' as const };
const V = { name: 'v', kind: 'wrt' as const };
const T = { name: 't', kind: 'x' as const };

/** Null when the differentiated expression is a real scalar, else the message. */
function scalarBody(c: TypeCtx, name: string): string | null {
  const e = c.args[0]!;
  if (e.shape.length === 0) return null;
  return `${q(c.expr)}: ${e.text} is ${shapeText(e.shape)}, not a scalar; ${name} differentiates a scalar expression (for a tensor, jacobian(e, v) or jvp(e, v, t); or sum it)`;
}

/** Null when the direction t broadcasts to the shape of v (args 1 and 2), else the message. */
function direction(c: TypeCtx): string | null {
  const [v, t] = [c.args[1]!, c.args[2]!];
  const s = broadcast(c.expr, v, t);
  if (typeof s === 'string') return s;
  if (s.length === v.shape.length && s.every((d, i) => dimEq(d, v.shape[i]!) !== false)) return null;
  return `${q(c.expr)}: the direction ${t.text} is ${shapeText(t.shape)}; it must have the shape of ${v.text}, ${shapeText(v.shape)}`;
}

const size = (s: readonly Dim[], text: string): Dim => {
  if (s.length === 0) return { text: '1', value: 1 };
  if (s.length === 1) return s[0]!;
  const n = s.reduce<number | null>((a, d) => (a === null || d.value === null ? null : a * d.value), 1);
  return { text: `size(${text})`, value: n };
};

const along = (c: { args: Tracer[]; wrt?: Tracer[] }): Tracer => P.broadcastTo(c.args[0]!, c.wrt![0]!.shape);

export const DERIVATIVE_BUILTINS: readonly Builtin[] = [
  {
    name: 'grad',
    params: [E, V],
    rest: { name: 'vs', kind: 'wrt' },
    required: 2,
    smooth: true,
    summary:
      'the gradient of the scalar e with respect to v (a var, param, let or function argument), in the shape of v; with more variables, one flat vector of the gradients in order',
    type: (c) => {
      const e = numeric(c) ?? scalarBody(c, 'grad');
      if (e) return e;
      const vs = c.args.slice(1);
      if (vs.length === 1) return real([...vs[0]!.shape]);
      const sizes = vs.map((v) => size(v.shape, v.text));
      const total = sizes.reduce<number | null>((a, d) => (a === null || d.value === null ? null : a + d.value), 0);
      return real([{ text: sizes.map((d) => d.text).join(' + '), value: total }]);
    },
    lower: (c) =>
      c.wrt!.length === 1
        ? grad(c.body!, 0)(...c.wrt!)
        : grad(
            c.body!,
            c.wrt!.map((_, i) => i),
          )(...c.wrt!),
  },
  {
    name: 'jvp',
    params: [E, V, T],
    required: 3,
    smooth: true,
    summary: 'the directional derivative of e along t at v (forward mode): d/ds e(v + s t) at s = 0, in the shape of e',
    type: (c) => numeric(c) ?? direction(c) ?? real([...c.args[0]!.shape]),
    lower: (c) => jvp(c.body!, c.wrt!, [along(c)])[1][0]!,
  },
  {
    name: 'hvp',
    params: [E, V, T],
    required: 3,
    smooth: true,
    summary: 'the Hessian of the scalar e with respect to v times t (forward over reverse), in the shape of v',
    type: (c) => numeric(c) ?? scalarBody(c, 'hvp') ?? direction(c) ?? real([...c.args[1]!.shape]),
    lower: (c) => hvp(c.body!, c.wrt!, [along(c)])[0]!,
  },
  {
    name: 'jacobian',
    params: [E, V],
    required: 2,
    smooth: true,
    summary: 'd e / d v, of shape [shape of e, shape of v] (a scan of reverse-mode products)',
    type: (c) => numeric(c) ?? real([...c.args[0]!.shape, ...c.args[1]!.shape]),
    lower: (c) => jacobian(c.body!, 0)(...c.wrt!),
  },
  {
    name: 'hessian',
    params: [E, V],
    required: 2,
    smooth: true,
    summary: 'the Hessian of the scalar e with respect to v, of shape [shape of v, shape of v]',
    type: (c) => numeric(c) ?? scalarBody(c, 'hessian') ?? real([...c.args[1]!.shape, ...c.args[1]!.shape]),
    lower: (c) => hessian(c.body!, 0)(...c.wrt!),
  },
];
