// Unbounded objectives the analysis can recognize: an objective that is affine in a var (through
// +, -, scaling by constants and data, sum, mean, dot, matrix products, transposes, indexing and
// `let`s) while no domain, constraint or prox term touches that var runs away along it, unless
// the var's coefficient happens to be zero. `check` warns (a data coefficient could be zero);
// `run` then ends `diverged` (stdlib/methods/driver.ts) if it does run away.

import type { ConstraintItem, Diagnostic, Expr } from '../../grammar/index.js';
import { isLeftChain, leftSpine } from '../../grammar/index.js';
import type { CheckedProgram } from '../front/check_program.js';
import { backquote as q } from '../../runtime/index.js';

/** 0: does not involve the var; 1: affine in it; 2: anything else. */
type Deg = 0 | 1 | 2;

const LINEAR_1 = new Set(['sum', 'mean', 'transpose', 'trace', 'diag']);
const BILINEAR = new Set(['dot', 'matmul', 'outer']);

/** `touched`: the vars a set or a prox term already bounds. */
export function unboundedWarnings(p: CheckedProgram, touched: ReadonlySet<string>): Diagnostic[] {
  const opt = p.optimize;
  if (!opt || p.where) return [];
  const lets = new Map<string, Expr>();
  for (const m of p.modules) for (const st of m.program.body) if (st.kind === 'Let') lets.set(st.name.name, st.value);
  const vars = p.decls.filter((d) => d.kind === 'var').map((d) => d.decl.name.name);
  const out: Diagnostic[] = [];
  for (const v of vars) {
    if (touched.has(v) || constraintsMention(p.constraints, v, lets)) continue;
    if (degree(opt.objective, v, lets, new Set()) !== 1) continue;
    const dir = opt.sense === 'maximize' ? 'above' : 'below';
    out.push({
      severity: 'warning',
      message: `the objective is linear in ${q(v)} and nothing bounds ${q(v)}: it is unbounded ${dir} unless the coefficient of ${q(v)} is zero`,
      span: opt.objective.span,
      hint: `add a constraint or a bound on ${q(v)}, or a penalty such as \`+ 0.5 * sumsq(${v})\``,
    });
  }
  return out;
}

function degree(e: Expr, v: string, lets: ReadonlyMap<string, Expr>, seen: Set<string>): Deg {
  const d = (x: Expr) => degree(x, v, lets, seen);
  const any = (xs: readonly Expr[]): Deg => (xs.some((x) => d(x) > 0) ? 2 : 0);
  switch (e.kind) {
    case 'Number':
    case 'Bool':
    case 'String':
    case 'Range':
      return 0;
    case 'Ident': {
      if (e.name === v) return 1;
      const l = lets.get(e.name);
      if (!l || seen.has(e.name)) return 0;
      seen.add(e.name);
      const r = d(l);
      seen.delete(e.name);
      return r;
    }
    case 'Unary':
      return e.op === '-' ? d(e.operand) : any([e.operand]);
    case 'Binary': {
      // A chain of left-associative operators (a sum of 100,000 terms) in a loop: no deep recursion.
      if (!isLeftChain(e)) return binaryDegree(e.op, d(e.left), d(e.right));
      const { leaf, spine } = leftSpine(e);
      let l = d(leaf);
      for (const b of spine) l = binaryDegree(b.op, l, d(b.right));
      return l;
    }
    case 'Call': {
      const args = e.args.map((a) => a.value);
      const name = e.callee.name;
      if (LINEAR_1.has(name) && args.length >= 1) return args.slice(1).some((a) => d(a) > 0) ? 2 : d(args[0]!);
      if (BILINEAR.has(name) && args.length === 2) return Math.min(2, d(args[0]!) + d(args[1]!)) as Deg;
      return any(args);
    }
    case 'Index':
      return e.indices.some((i) => i.kind !== 'Slice' && d(i) > 0) ? 2 : d(e.target);
    case 'Vector':
      return Math.max(0, ...e.elements.map(d)) as Deg;
    case 'Matrix':
      return Math.max(0, ...e.rows.flat().map(d)) as Deg;
    case 'Compare':
      return any(e.operands);
    case 'If':
      return any([e.cond, e.then, e.else]);
    case 'Block':
      // A block's statements may shadow or transform the var: anything that mentions it counts as nonlinear.
      return mentions(e, v, lets) ? 2 : 0;
  }
}

function constraintsMention(items: readonly ConstraintItem[], v: string, lets: ReadonlyMap<string, Expr>): boolean {
  return items.some((it) =>
    it.kind === 'ConstraintFor' ? constraintsMention(it.body, v, lets) : mentions(it.expr, v, lets),
  );
}

/** Whether an expression mentions the var (through lets), by a walk over its identifiers. */
function mentions(e: unknown, v: string, lets: ReadonlyMap<string, Expr>, seen = new Set<string>()): boolean {
  if (!e || typeof e !== 'object') return false;
  if (Array.isArray(e)) return e.some((x) => mentions(x, v, lets, seen));
  const n = e as { kind?: string; name?: string };
  if (n.kind === 'Ident' && typeof n.name === 'string') {
    if (n.name === v) return true;
    const l = lets.get(n.name);
    if (!l || seen.has(n.name)) return false;
    seen.add(n.name);
    return mentions(l, v, lets, seen);
  }
  return Object.entries(e).some(([k, x]) => k !== 'span' && mentions(x, v, lets, seen));
}

/** The degree of `l op r` from its operands' degrees. */
function binaryDegree(op: string, l: Deg, r: Deg): Deg {
  if (op === '+' || op === '-') return Math.max(l, r) as Deg;
  if (op === '*' || op === '@') return Math.min(2, l + r) as Deg;
  if (op === '/') return r === 0 ? l : 2;
  return l || r ? 2 : 0;
}
