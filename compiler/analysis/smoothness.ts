// Smoothness classes for the structural analysis (analyze.ts): each expression is constant (no
// var or param reaches it), smooth, or nonsmooth with its culprit, the smallest subexpression
// that breaks smoothness, and why. Lets, user functions (with their arguments' classes, recursion
// cut) and blocks are followed; at the top level a node's class is memoized, and chains and lets
// are classified in loops, so long programs cost no stack.

import type { Binary, Expr, Fn, Stmt } from '../../grammar/index.js';
import { dependencyOrder, isLeftChain, leftSpine } from '../../grammar/index.js';
import { builtinTable } from '../front/builtins.js';
import { valueOnlyArgs } from '../front/builtin_kit.js';
import { nestedBodies } from '../front/stmt_walk.js';
import type { CheckedProgram } from '../front/check_program.js';

export type Cls = { k: 'const' } | { k: 'smooth' } | { k: 'nonsmooth'; culprit: Expr; why: string };
export const CONST: Cls = { k: 'const' };
export const SMOOTH: Cls = { k: 'smooth' };

/** Local names' classes. */
export type Scope = Map<string, Cls>;

/** The first nonsmooth class, else smooth if any is, else constant. */
export const join = (...cs: Cls[]): Cls =>
  cs.find((c) => c.k === 'nonsmooth') ?? (cs.some((c) => c.k === 'smooth') ? SMOOTH : CONST);

const binaryCls = (e: Binary, c: Cls): Cls =>
  (e.op === '&&' || e.op === '||' || e.op === '%') && c.k === 'smooth'
    ? { k: 'nonsmooth', culprit: e, why: 'it is not continuous in the variables' }
    : c;

/** The classes of a program's expressions, in its names (vars, params, lets, functions). */
export class Classifier {
  readonly vars: Set<string>;
  private readonly params: Set<string>;
  private readonly fns = new Map<string, Fn>();
  private readonly lets = new Map<string, Expr>();
  private readonly letCache = new Map<string, Cls>();
  // At the top level (no locals, no function stack) a node's class is memoized: chains ask for
  // the class of their left part at every link.
  private readonly topCls = new Map<Expr, Cls>();

  constructor(p: CheckedProgram) {
    this.vars = new Set(p.decls.filter((d) => d.kind === 'var').map((d) => d.decl.name.name));
    this.params = new Set(p.decls.filter((d) => d.kind === 'param').map((d) => d.decl.name.name));
    for (const m of p.modules)
      for (const st of m.program.body) {
        if (st.kind === 'Fn') this.fns.set(st.name.name, st);
        if (st.kind === 'Let') this.lets.set(st.name.name, st.value);
      }
    this.primeLets();
  }

  cls(e: Expr, sc: Scope, stack: Fn[] = []): Cls {
    if (sc.size || stack.length) return this.clsOf(e, sc, stack);
    let c = this.topCls.get(e);
    if (!c) this.topCls.set(e, (c = this.clsOf(e, sc, stack)));
    return c;
  }

  /** Each let's class after the lets it uses, so a long chain of lets is classified in a loop. */
  private primeLets(): void {
    for (const { name, value } of dependencyOrder([...this.lets].map(([name, value]) => ({ name, value }))))
      this.cls({ kind: 'Ident', name, span: value.span }, new Map());
  }

  private clsOf(e: Expr, sc: Scope, stack: Fn[]): Cls {
    const cls = (x: Expr) => this.cls(x, sc, stack);
    switch (e.kind) {
      case 'Number':
      case 'Bool':
      case 'String':
      case 'Range':
        return CONST;
      case 'Ident':
        return this.identCls(e.name, sc, stack);
      case 'Unary':
        return cls(e.operand);
      case 'Binary': {
        if (isLeftChain(e) && isLeftChain(e.left)) {
          // a chain in a loop (grammar/spine.ts)
          const { leaf, spine } = leftSpine(e);
          let c = cls(leaf);
          for (const b of spine) c = binaryCls(b, join(c, cls(b.right)));
          return c;
        }
        return binaryCls(e, join(cls(e.left), cls(e.right)));
      }
      case 'Compare': {
        const c = join(...e.operands.map(cls));
        return c.k === 'smooth'
          ? { k: 'nonsmooth', culprit: e, why: 'a comparison of variables is not continuous' }
          : c;
      }
      case 'If': {
        const c = cls(e.cond);
        const r = join(cls(e.then), cls(e.else));
        if (c.k !== 'const')
          return c.k === 'nonsmooth' && c.culprit !== e.cond
            ? c
            : { k: 'nonsmooth', culprit: e, why: 'its branch depends on the variables, so it may jump' };
        return r;
      }
      case 'Index':
        return join(cls(e.target), ...e.indices.map((i) => (i.kind === 'Slice' ? CONST : cls(i))));
      case 'Vector':
        return join(...e.elements.map(cls));
      case 'Matrix':
        return join(...e.rows.flat().map(cls));
      case 'Block':
        return this.blockCls(e.body, e.result, new Map(sc), stack);
      case 'Call':
        return this.callCls(e, sc, stack);
    }
  }

  private identCls(name: string, sc: Scope, stack: Fn[]): Cls {
    const local = sc.get(name);
    if (local) return local;
    if (this.vars.has(name) || this.params.has(name)) return SMOOTH;
    const l = this.lets.get(name);
    if (l) {
      if (!this.letCache.has(name)) {
        this.letCache.set(name, CONST);
        this.letCache.set(name, this.cls(l, new Map(), stack));
      }
      return this.letCache.get(name)!;
    }
    return CONST;
  }

  /** A user function with its arguments' classes (a recursive call: constant), or a built-in. */
  private callCls(e: Extract<Expr, { kind: 'Call' }>, sc: Scope, stack: Fn[]): Cls {
    const fn = this.fns.get(e.callee.name);
    // a value-only argument (stop, straight_through's forward) passes no derivative: constant
    const held = fn
      ? new Set<number>()
      : valueOnlyArgs(
          builtinTable.get(e.callee.name),
          e.args.map((a) => a.name?.name ?? null),
        );
    const args = e.args.map((a, i) => (held.has(i) ? CONST : this.cls(a.value, sc, stack)));
    const inner = args.find((c) => c.k === 'nonsmooth');
    if (inner) return inner;
    if (fn) {
      if (stack.includes(fn)) return CONST;
      const fsc: Scope = new Map();
      fn.params.forEach((pp, i) => fsc.set(pp.name.name, args[i] ?? CONST));
      return fn.body.kind === 'Block'
        ? this.blockCls(fn.body.body, fn.body.result, fsc, [...stack, fn])
        : this.cls(fn.body, fsc, [...stack, fn]);
    }
    const b = builtinTable.get(e.callee.name);
    const any = join(...args);
    if (b && !b.smooth && any.k !== 'const')
      return { k: 'nonsmooth', culprit: e, why: `${e.callee.name} is not differentiable everywhere` };
    return any;
  }

  private blockCls(body: readonly Stmt[], result: Expr, sc: Scope, stack: Fn[]): Cls {
    let acc: Cls = CONST;
    for (const st of body) {
      if (st.kind === 'Let' || st.kind === 'State') sc.set(st.name.name, this.cls(st.value, sc, stack));
      else if (st.kind === 'Assign') {
        const base = st.target.kind === 'Index' ? st.target.target : st.target;
        if (base.kind === 'Ident') sc.set(base.name, join(sc.get(base.name) ?? CONST, this.cls(st.value, sc, stack)));
      } else {
        // an `if` on a value that depends on a var or param switches: its condition's class counts
        if (st.kind === 'IfStmt') acc = join(acc, this.cls(st.cond, sc, stack));
        for (const b of nestedBodies(st))
          acc = join(
            acc,
            this.blockCls(b, { kind: 'Number', value: 0, raw: '0', isInt: true, span: st.span }, sc, stack),
          );
      }
    }
    return join(acc, this.cls(result, sc, stack));
  }
}
