// Types and shapes of expressions and of the statements inside blocks (fn bodies, model,
// generate, loops). One checker serves two phases: before data (dimensions symbolic; whatever
// cannot be decided waits) and after data binds the dimensions (the same rules, now with values,
// so a late error still reads in the user's terms). Function calls are checked at each call
// site with the arguments' types (functions are inlined, like templates), and once at their
// definition with unknown argument types, which reports unknown names even in unused functions.
// Every message names the user's own expression; a Ty of kind 'error' silences cascades.

import type { Arg, Block, Expr, Ident, Index, Slice, Stmt, Call, Fn, Truncation } from '../../grammar/index.js';
import { DiagnosticBag, isLeftChain, leftSpine, type LeftChain, type Span } from '../../grammar/index.js';
import { builtinTable, type ArgInfo, type Builtin, type FnSig } from './builtins.js';
import { bindBuiltin, signature } from './builtin_kit.js';
import { DENSITY_SUFFIXES } from './builtins_dist.js';
import {
  declaredSupport,
  defaultSpec,
  distributionNames,
  isDistribution,
  lookupDistribution,
  reachesOutside,
  resolveCall,
  supportIncludes,
  supportRange,
  type Range,
} from './distribution_names.js';
import { Scope, didYouMean, type Sym } from './scope.js';
import { sourceText } from './source_text.js';
import { broadcast, matmulShape } from './shape_rules.js';
import { methodOf } from '../../stdlib/index.js';
import { viaEstimator } from './via_syntax.js';
import {
  ERROR,
  dimArith,
  dimEq,
  dimOf,
  scalar,
  shapeText,
  tensor,
  tyText,
  valuesText,
  type Dim,
  type Elem,
  type TensorTy,
  type Ty,
} from './static_types.js';
import { backquote as q } from '../../runtime/index.js';

export type BlockMode =
  'fn' | 'model' | 'guide' | 'generate' | 'loop-model' | 'loop-fn' | 'loop-generate' | 'loop-guide';

export interface CheckEnv {
  /** Source text per file, to quote the user's expressions. */
  sources: ReadonlyMap<string, string>;
  /** Dimension and int-data values once data is bound; empty before. */
  values: ReadonlyMap<string, number>;
}

export class Checker {
  readonly bag = new DiagnosticBag();
  /** The type of every checked expression (the last call site's, for function bodies). */
  readonly types = new Map<Expr, Ty>();
  private readonly seen = new Set<string>();
  private readonly fnStack: Fn[] = [];
  /** How many value-only contexts (`stop(...)`, straight_through's forward, `generate`) enclose the
   *  expression: a zero-gradient function there draws no warning. */
  private valueOnly = 0;

  constructor(
    readonly env: CheckEnv,
    readonly globals: Scope,
  ) {}

  // ---- reporting ----------------------------------------------------------------------

  error(span: Span, message: string, hint?: string): Ty {
    const key = `${span.file}:${span.start}:${span.end}:${message}`;
    if (!this.seen.has(key)) {
      this.seen.add(key);
      this.bag.error(span, message, hint || undefined);
    }
    return ERROR;
  }

  warning(span: Span, message: string, hint?: string): void {
    const key = `w:${span.file}:${span.start}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.bag.warning(span, message, hint || undefined);
  }

  /** The user's text for a node, shortened if long. */
  text(node: { span: Span }): string {
    return sourceText(this.env.sources, node.span);
  }

  // ---- expressions --------------------------------------------------------------------

  expr(e: Expr, scope: Scope): Ty {
    if (isLeftChain(e) && isLeftChain(e.left)) return this.chain(e, scope);
    const t = this.exprInner(e, scope);
    this.types.set(e, t);
    return t;
  }

  /** `a + b - c * d + ...`: the operators of a left-associative chain in a loop (grammar/spine.ts). */
  private chain(e: LeftChain, scope: Scope): Ty {
    const { leaf, spine } = leftSpine(e);
    let t = this.expr(leaf, scope);
    for (const b of spine) {
      t = this.binary(b.op, b.left, t, b.right, b, scope);
      this.types.set(b, t);
    }
    return t;
  }

  /** An expression that must be a number tensor; returns null after reporting otherwise. */
  tensorOf(e: Expr, scope: Scope, what?: string): TensorTy | null {
    return this.asTensor(e, this.expr(e, scope), what);
  }

  /** tensorOf for an expression already checked (its type `t`). */
  private asTensor(e: Expr, t: Ty, what?: string): TensorTy | null {
    if (t.kind === 'tensor') return t;
    if (t.kind !== 'error')
      this.error(e.span, `${q(this.text(e))} is ${tyText(t)}${what ? `; ${what}` : ', not a value'}`);
    return null;
  }

  private exprInner(e: Expr, scope: Scope): Ty {
    switch (e.kind) {
      case 'Number':
        return e.isInt ? scalar('int', false, e.value) : scalar('real');
      case 'Bool':
        return scalar('bool');
      case 'String':
        return { kind: 'string' };
      case 'Ident':
        return this.ident(e, scope);
      case 'Unary': {
        const t = this.tensorOf(e.operand, scope);
        if (!t) return ERROR;
        if (e.op === '!') {
          if (t.elem !== 'bool')
            return this.error(
              e.span,
              `${q(this.text(e))}: \`!\` needs a bool, but ${this.text(e.operand)} is ${tyText(t)}`,
            );
          return tensor('bool', t.shape, t.dyn);
        }
        if (t.elem === 'bool')
          return this.error(e.span, `${q(this.text(e))}: ${this.text(e.operand)} is bool, not a number`);
        return tensor(t.elem, t.shape, t.dyn, t.static === undefined ? undefined : -t.static);
      }
      case 'Binary':
        return this.binary(e.op, e.left, this.expr(e.left, scope), e.right, e, scope);
      case 'Compare': {
        let ok = true;
        let shape: Dim[] = [];
        let dyn = false;
        const ts = e.operands.map((o) => this.tensorOf(o, scope));
        for (let i = 0; i < e.ops.length; i++) {
          const [a, b] = [ts[i], ts[i + 1]];
          if (!a || !b) {
            ok = false;
            continue;
          }
          const op = e.ops[i]!;
          if (op !== '==' && op !== '!=' && (a.elem === 'bool' || b.elem === 'bool')) {
            const bad = a.elem === 'bool' ? e.operands[i]! : e.operands[i + 1]!;
            this.error(e.span, `${q(this.text(e))}: ${this.text(bad)} is bool; \`${op}\` compares numbers`);
            ok = false;
            continue;
          }
          const s = broadcast(
            this.text(e),
            { shape: a.shape, text: this.text(e.operands[i]!) },
            { shape: b.shape, text: this.text(e.operands[i + 1]!) },
          );
          if (typeof s === 'string') {
            this.error(e.span, s);
            ok = false;
            continue;
          }
          shape = s.length >= shape.length ? s : shape;
          dyn ||= a.dyn || b.dyn;
        }
        return ok ? tensor('bool', shape, dyn) : ERROR;
      }
      case 'Range': {
        const a = this.intScalar(e.start, scope, 'a range bound');
        const b = this.intScalar(e.end, scope, 'a range bound');
        if (!a || !b) return ERROR;
        if (a.dyn || b.dyn)
          return this.error(e.span, `${q(this.text(e))}: range bounds must not depend on vars or params`);
        const start = this.dimFrom(e.start, a);
        const end = this.dimFrom(e.end, b);
        let length = dimArith(end, '-', start);
        if (e.inclusive) length = dimArith(length, '+', dimOf(1));
        if (length.value !== null && length.value < 0)
          return this.error(
            e.span,
            `${q(this.text(e))}: the range is empty backwards (${start.value} to ${end.value})`,
          );
        return { kind: 'range', start, length };
      }
      case 'If': {
        const c = this.tensorOf(e.cond, scope);
        const a = this.tensorOf(e.then, scope);
        const b = this.tensorOf(e.else, scope);
        if (!c || !a || !b) return ERROR;
        if (c.elem !== 'bool')
          return this.error(
            e.cond.span,
            `the condition ${q(this.text(e.cond))} is ${tyText(c)}; it must be bool`,
            'compare it, e.g. `x > 0`',
          );
        if ((a.elem === 'bool') !== (b.elem === 'bool'))
          return this.error(e.span, `${q(this.text(e))}: the branches are ${tyText(a)} and ${tyText(b)}`);
        // A tensor condition chooses elementwise: condition and branches broadcast together.
        const ab = broadcast(
          this.text(e),
          { shape: a.shape, text: this.text(e.then) },
          { shape: b.shape, text: this.text(e.else) },
        );
        if (typeof ab === 'string') return this.error(e.span, ab);
        const s = broadcast(this.text(e), { shape: c.shape, text: '' }, { shape: ab, text: '' });
        if (typeof s === 'string')
          return this.error(
            e.span,
            `${q(this.text(e))}: the condition is ${shapeText(c.shape)} but the branches are ${shapeText(ab)}; they must broadcast to one shape${valuesText([...c.shape, ...ab])}`,
          );
        const elem: Elem = a.elem === 'int' && b.elem === 'int' ? 'int' : a.elem === 'bool' ? 'bool' : 'real';
        const stat = c.static !== undefined ? (c.static ? a.static : b.static) : undefined;
        return tensor(elem, s, a.dyn || b.dyn || c.dyn, stat);
      }
      case 'Call':
        return this.call(e, scope, false);
      case 'Index':
        return this.index(e, scope);
      case 'Vector': {
        if (e.elements.length === 0) return this.error(e.span, 'an empty vector literal has no type; use `zeros(0)`');
        const ts = e.elements.map((x) => this.tensorOf(x, scope));
        if (ts.some((t) => !t)) return ERROR;
        const first = ts[0]!;
        for (let i = 1; i < ts.length; i++) {
          const t = ts[i]!;
          if (t.shape.length !== first.shape.length || t.shape.some((d, j) => dimEq(d, first.shape[j]!) === false)) {
            return this.error(
              e.elements[i]!.span,
              `${q(this.text(e))}: element ${i} is ${shapeText(t.shape)} but element 0 is ${shapeText(first.shape)}; the elements must have one shape`,
            );
          }
        }
        return tensor(
          joinElems(ts as TensorTy[]),
          [dimOf(ts.length), ...first.shape],
          ts.some((t) => t!.dyn),
        );
      }
      case 'Matrix': {
        const cols = e.rows[0]!.length;
        let dyn = false;
        const all: TensorTy[] = [];
        for (let r = 0; r < e.rows.length; r++) {
          const row = e.rows[r]!;
          if (row.length !== cols)
            return this.error(e.span, `${q(this.text(e))}: row ${r} has ${row.length} entries but row 0 has ${cols}`);
          for (const x of row) {
            const t = this.tensorOf(x, scope);
            if (!t) return ERROR;
            if (t.shape.length !== 0)
              return this.error(
                x.span,
                `${q(this.text(x))} is ${shapeText(t.shape)}; matrix literal entries must be scalars`,
              );
            dyn ||= t.dyn;
            all.push(t);
          }
        }
        return tensor(joinElems(all), [dimOf(e.rows.length), dimOf(cols)], dyn);
      }
      case 'Block':
        return this.block(e, scope.child(), 'fn');
    }
  }

  private ident(e: Ident, scope: Scope): Ty {
    const s = scope.get(e.name);
    if (!s) return this.unknownName(e, scope);
    return this.symTy(s, e);
  }

  symTy(s: Sym, at: Ident): Ty {
    switch (s.kind) {
      case 'data':
      case 'var':
      case 'param':
        return s.broken ? ERROR : s.ty;
      case 'dim':
      case 'state':
      case 'local':
        return s.ty;
      case 'let': {
        if (s.ty === null) return this.error(at.span, `${q(s.name.name)} is defined in terms of itself`);
        if (s.ty === undefined) {
          s.ty = null;
          s.ty = this.letValue(s.node.value, s.node.type, this.globals);
        }
        return s.ty;
      }
      case 'fn':
        return this.error(at.span, `${q(s.name.name)} is a function; call it as \`${s.name.name}(...)\``);
    }
  }

  unknownName(e: Ident, scope: Scope): Ty {
    const n = e.name;
    if (builtinTable.has(n)) return this.error(e.span, `${q(n)} is a built-in function; call it as \`${n}(...)\``);
    if (isDistribution(n)) return this.error(e.span, `${q(n)} is a distribution; use it as \`x ~ ${n}(...)\``);
    const dym = didYouMean(n, scope.names());
    return this.error(e.span, `unknown name ${q(n)}`, dym);
  }

  /** The value of a `let` with an optional declared type. */
  letValue(value: Expr, type: import('../../grammar/index.js').TypeExpr | null, scope: Scope): Ty {
    const t = this.expr(value, scope);
    if (!type || t.kind !== 'tensor') return t;
    const declared = this.declaredShape(type, scope);
    if (!declared) return t;
    if (declared.shape.length !== t.shape.length || declared.shape.some((d, i) => dimEq(d, t.shape[i]!) === false)) {
      this.error(
        value.span,
        `${q(this.text(value))} is ${shapeText(t.shape)} but the binding is declared ${shapeText(declared.shape)}${valuesText([...declared.shape, ...t.shape])}`,
      );
    }
    return t;
  }

  /** A scalar int expression (index, range bound, size); null after reporting. */
  intScalar(e: Expr, scope: Scope, what: string): TensorTy | null {
    const t = this.tensorOf(e, scope);
    if (!t) return null;
    if (t.elem !== 'int' || t.shape.length !== 0) {
      this.error(e.span, `${what} must be an int, but ${q(this.text(e))} is ${tyText(t)}`);
      return null;
    }
    return t;
  }

  /** A Dim for a static int expression: its spelling plus its value if known. */
  dimFrom(e: Expr, t: TensorTy): Dim {
    return { text: this.text(e), value: t.static ?? null };
  }

  /** The shape a type expression declares (for dims and `let x: real[n] = ...`). */
  declaredShape(type: import('../../grammar/index.js').TypeExpr, scope: Scope): { elem: Elem; shape: Dim[] } | null {
    const shape: Dim[] = [];
    for (const d of type.dims) {
      if (d.kind === 'Ident' && !scope.get(d.name)) {
        const dym = didYouMean(
          d.name,
          scope.names().filter((n) => {
            const s = scope.get(n);
            return s?.kind === 'dim' || (s?.kind === 'data' && s.ty.elem === 'int' && s.ty.shape.length === 0);
          }),
        );
        this.error(
          d.span,
          `unknown dimension ${q(d.name)}: no data binds it`,
          dym || 'dimensions come from the shapes of data (`X: real[n, d]` binds n and d) or from int data (`n: int`)',
        );
        return null;
      }
      const t = this.expr(d, scope);
      if (t.kind !== 'tensor' || t.elem !== 'int' || t.shape.length !== 0) {
        if (t.kind !== 'error')
          this.error(d.span, `the dimension ${q(this.text(d))} must be an int, but it is ${tyText(t)}`);
        return null;
      }
      if (t.dyn) {
        this.error(d.span, `the dimension ${q(this.text(d))} depends on a var or param; dimensions come from data`);
        return null;
      }
      if (t.static !== undefined && t.static < 0) {
        this.error(d.span, `the dimension ${q(this.text(d))} is negative (${t.static})`);
        return null;
      }
      shape.push(this.dimFrom(d, t));
    }
    const n = type.name.name;
    const elem: Elem = n === 'int' ? 'int' : n === 'bool' ? 'bool' : 'real';
    return { elem, shape };
  }

  /** `l op r`, with `l` already checked (its type `lt`): chains call this in a loop. */
  private binary(op: string, l: Expr, lt: Ty, r: Expr, e: Expr, scope: Scope): Ty {
    const a = this.asTensor(l, lt);
    const b = this.tensorOf(r, scope);
    if (!a || !b) return ERROR;
    // Texts are for messages: read only when one is written (a long chain has one per link).
    const self = this;
    const texts = {
      get expr() {
        return self.text(e);
      },
    };
    const A = {
      shape: a.shape,
      get text() {
        return self.text(l);
      },
    };
    const B = {
      shape: b.shape,
      get text() {
        return self.text(r);
      },
    };
    const dyn = a.dyn || b.dyn;
    if (op === '&&' || op === '||') {
      const bad = a.elem !== 'bool' ? l : b.elem !== 'bool' ? r : null;
      if (bad)
        return this.error(
          e.span,
          `${q(texts.expr)}: \`${op}\` needs bools, but ${this.text(bad)} is ${tyText(this.types.get(bad)!)}`,
        );
      const s = broadcast(() => texts.expr, A, B);
      return typeof s === 'string' ? this.error(e.span, s) : tensor('bool', s, dyn);
    }
    const badBool = a.elem === 'bool' ? l : b.elem === 'bool' ? r : null;
    if (badBool) return this.error(e.span, `${q(texts.expr)}: ${this.text(badBool)} is bool, not a number`);
    if (op === '@') {
      const s = matmulShape(() => texts.expr, A, B);
      return typeof s === 'string' ? this.error(e.span, s) : tensor('real', s, dyn);
    }
    const s = broadcast(() => texts.expr, A, B);
    if (typeof s === 'string') return this.error(e.span, s);
    const ints = a.elem === 'int' && b.elem === 'int';
    const elem: Elem = ints && (op === '+' || op === '-' || op === '*' || op === '%') ? 'int' : 'real';
    let stat: number | undefined;
    if (a.static !== undefined && b.static !== undefined) {
      const [x, y] = [a.static, b.static];
      const v =
        op === '+'
          ? x + y
          : op === '-'
            ? x - y
            : op === '*'
              ? x * y
              : op === '%'
                ? y === 0
                  ? undefined
                  : x - y * Math.floor(x / y)
                : op === '/'
                  ? x / y
                  : Math.pow(x, y);
      if (elem === 'int' && v !== undefined) stat = v;
    }
    if (op === '/' && ints && b.static === 0) return this.error(e.span, `${q(texts.expr)}: division by zero`);
    return tensor(elem, s, dyn, stat);
  }

  // ---- calls ----------------------------------------------------------------------------

  /** `inSample`: the right side of `~`, where distributions are allowed. */
  call(e: Call, scope: Scope, inSample: boolean): Ty {
    const name = e.callee.name;
    if (e.bar && !DENSITY_SUFFIXES.some((k) => name.endsWith(`_${k}`)))
      this.error(
        e.span,
        `\`|\` separates the value from the parameters of a density function, such as \`normal_lpdf(y | mu, sigma)\`; ${q(name)} is not one`,
        'separate arguments with `,`',
      );
    const sym = scope.get(name);
    if (sym && sym.kind === 'fn') return this.userCall(e, sym.node, scope);
    if (sym) return this.error(e.callee.span, `${q(name)} is ${describeSym(sym)}, not a function`);
    const b = builtinTable.get(name);
    if (b) return this.builtinCall(e, b, scope);
    if (isDistribution(name)) {
      if (!inSample)
        return this.error(e.span, `${q(this.text(e))} is a distribution; it can only appear on the right of \`~\``);
      const r = resolveCall(
        name,
        e.args.map((a) => a.name?.name ?? null),
      );
      if (typeof r === 'string') {
        // Name the specific problem against the default parameterization when there is one.
        const def = defaultSpec(name);
        if (
          this.bindArgs(
            e,
            name,
            def.params.map((p) => p.name),
            def.params.length,
          )
        )
          this.error(e.span, r);
        return ERROR;
      }
      let shape: Dim[] = [];
      let dyn = false;
      for (let j = 0; j < r.spec.params.length; j++) {
        const p = r.spec.params[j]!;
        const a = e.args[r.order[j]!]!;
        const t = this.tensorOf(a.value, scope, `the ${p.name} of ${name} must be a number`);
        if (!t) return ERROR;
        if (t.elem === 'bool')
          return this.error(
            a.value.span,
            `the ${p.name} of ${name} must be a number, but ${q(this.text(a.value))} is bool`,
          );
        if (t.shape.length < p.eventRank)
          return this.error(
            a.value.span,
            `the ${p.name} of ${name} must have at least ${p.eventRank} dimension${p.eventRank > 1 ? 's' : ''}, but ${q(this.text(a.value))} is ${tyText(t)}`,
          );
        const outside = constantOutside(a.value, p.constraint);
        if (outside)
          this.error(
            a.value.span,
            `the ${p.name} of ${name} must be ${CONSTRAINT_WORDS[p.constraint]}, but ${outside.startsWith('is ') && /^[-+\d.e ]+$/i.test(this.text(a.value)) ? 'it' : q(this.text(a.value))} ${outside}`,
          );
        const batch = t.shape.slice(0, t.shape.length - p.eventRank);
        const s = broadcast(
          this.text(e),
          { shape, text: 'the other parameters' },
          { shape: batch, text: this.text(a.value) },
        );
        if (typeof s === 'string') return this.error(e.span, s);
        shape = s;
        dyn ||= t.dyn;
      }
      return {
        kind: 'dist',
        name: r.spec.name,
        shape,
        dyn,
        eventRank: r.spec.support.eventRank,
        discrete: r.spec.support.discrete,
      };
    }
    if (name === 'batch') return this.error(e.span, '`batch(N, B)` can only be the range of a `for` loop in a model');
    const named = methodOf(name);
    if (named && named.kind !== 'hypergrad')
      return this.error(e.callee.span, `${q(name)} is a solver; use it as \`${named.kind} ${name}(...)\``);
    const candidates = [...scope.names(), ...builtinTable.keys(), ...(inSample ? distributionNames : [])];
    let dym = didYouMean(name, candidates);
    if (!dym && !inSample) dym = didYouMean(name, distributionNames);
    return this.error(e.callee.span, `unknown function ${q(name)}`, dym);
  }

  /** A call of a built-in function: its arguments bound, checked by kind, then its type rule. */
  private builtinCall(e: Call, b: Builtin, scope: Scope): Ty {
    const name = b.name;
    const bound = bindBuiltin(
      b,
      e.args.map((a) => a.name?.name ?? null),
    );
    if ('error' in bound) {
      const a = bound.at >= 0 ? e.args[bound.at]! : null;
      const hint =
        a?.name && !b.params.some((p) => p.name === a.name!.name)
          ? didYouMean(
              a.name.name,
              b.params.map((p) => p.name),
            ) || `the signature is ${signature(b)}`
          : /given twice/.test(bound.error)
            ? undefined
            : `the signature is ${signature(b)}`;
      return this.error(a ? (a.name && !/takes/.test(bound.error) ? a.name.span : a.span) : e.span, bound.error, hint);
    }
    const infos: ArgInfo[] = [];
    const fns: FnSig[] = [];
    const nums: (number | null)[] = [];
    let dyn = false;
    let axis: number | null = null;
    const tensorArg = (a: Arg): boolean => {
      const t = this.tensorOf(a.value, scope, `${name} needs a number here`);
      if (!t) return false;
      dyn ||= t.dyn;
      infos.push({
        shape: t.shape,
        text: this.text(a.value),
        elem: t.elem,
        dyn: t.dyn,
        ...(t.static !== undefined ? { static: t.static } : {}),
      });
      return true;
    };
    for (let i = 0; i < b.params.length; i++) {
      const p = b.params[i]!;
      if (p.kind === 'num') nums.push(null);
      const k = bound.slots[i]!;
      if (k < 0) continue;
      const a = e.args[k]!;
      switch (p.kind) {
        case 'axis': {
          const ax = literalInt(a.value);
          if (ax === null)
            return this.error(
              a.value.span,
              `${q(this.text(e))}: the axis must be an integer literal such as \`0\` or \`-1\``,
            );
          axis = ax;
          break;
        }
        case 'num': {
          const v = this.staticNumber(a.value, scope);
          if (v === undefined)
            return this.error(
              a.value.span,
              `${q(this.text(e))}: ${p.name} must be a number known before the run, such as \`1e-6\``,
            );
          nums[nums.length - 1] = v;
          break;
        }
        case 'fn': {
          const f = a.value.kind === 'Ident' ? scope.get(a.value.name) : undefined;
          if (!f || f.kind !== 'fn')
            return this.error(
              a.value.span,
              `${q(this.text(e))}: ${p.name} must name a function defined with \`fn\``,
              a.value.kind === 'Ident' && !f ? didYouMean(a.value.name, scope.names()) || undefined : undefined,
            );
          fns.push(this.fnSig(f.node, a.value.span));
          break;
        }
        case 'wrt':
          if (!this.wrtArg(e, a, infos, scope)) return ERROR;
          break;
        default: {
          if (p.valueOnly) this.valueOnly++;
          const ok = tensorArg(a);
          if (p.valueOnly) this.valueOnly--;
          if (!ok) return ERROR;
        }
      }
    }
    for (const k of bound.rest)
      if (!(b.rest?.kind === 'wrt' ? this.wrtArg(e, e.args[k]!, infos, scope) : tensorArg(e.args[k]!))) return ERROR;
    const ctx = { expr: this.text(e), args: infos, axis, fns, nums, restCount: bound.rest.length };
    const out = b.type(ctx);
    if (typeof out === 'string') return this.error(e.span, out);
    const w = b.warn?.(ctx);
    if (w) this.warning(e.span, w);
    if (b.zeroGradient && dyn && this.valueOnly === 0)
      this.warning(
        e.span,
        `${q(this.text(e))} has a zero gradient wherever it is differentiable, so no derivative flows through it to ${infos.map((i) => i.text).join(', ')}`,
        `to learn through it, write \`straight_through(${this.text(e)}, ${infos[0]!.text})\` (its value, the gradient of ${infos[0]!.text}); to mean it, wrap it in \`stop(...)\``,
      );
    return tensor(out.elem, out.shape, dyn && name !== 'size', out.static);
  }

  /**
   * A variable of differentiation (grad(e, v)): the name of a var, a param, a `let` or a function
   * argument holding reals. Its type joins `infos`; false after reporting.
   */
  private wrtArg(e: Call, a: Arg, infos: ArgInfo[], scope: Scope): boolean {
    const name = e.callee.name;
    const v = a.value;
    if (v.kind !== 'Ident') {
      this.expr(v, scope);
      this.error(
        v.span,
        `${q(this.text(e))}: ${name} differentiates with respect to a name, and ${q(this.text(v))} is an expression`,
        `bind it first: \`let v = ${this.text(v)}\`, then \`${name}(..., v)\``,
      );
      return false;
    }
    const s = scope.get(v.name);
    if (!s) {
      this.unknownName(v, scope);
      return false;
    }
    const allowed =
      s.kind === 'var' || s.kind === 'param' || s.kind === 'let' || (s.kind === 'local' && s.what === 'argument');
    if (!allowed) {
      this.error(
        v.span,
        `${q(this.text(e))}: ${v.name} is ${describeSym(s)}; ${name} differentiates with respect to a var, a param, a \`let\` or a function argument`,
        s.kind === 'data'
          ? `data is fixed; to differentiate with respect to its value, bind it: \`let ${v.name}_ = ${v.name}\`, then \`${name}(..., ${v.name}_)\``
          : undefined,
      );
      return false;
    }
    const t = this.tensorOf(v, scope);
    if (!t) return false;
    if (t.elem !== 'real') {
      this.error(
        v.span,
        `${q(this.text(e))}: ${v.name} is ${tyText(t)}; ${name} differentiates with respect to reals`,
        t.elem === 'int' && s.kind === 'param' ? 'a discrete latent has no derivative' : undefined,
      );
      return false;
    }
    infos.push({ shape: t.shape, text: v.name, elem: t.elem, dyn: t.dyn });
    return true;
  }

  /** A number known before the run: a literal, or an int the checker knows (null when not yet). */
  private staticNumber(e: Expr, scope: Scope): number | null | undefined {
    const lit = literalNumber(e);
    if (lit !== null) return lit;
    const t = this.tensorOf(e, scope);
    if (!t || t.dyn || t.shape.length !== 0 || t.elem === 'bool') return undefined;
    if (t.static !== undefined) return t.static;
    return this.isStaticShaped(e, scope) ? null : undefined;
  }

  /** A user function as an argument of a built-in: its type at the argument types the built-in gives. */
  private fnSig(fn: Fn, at: Span): FnSig {
    return {
      name: fn.name.name,
      call: (args) => {
        if (args.length !== fn.params.length)
          return `${q(fn.name.name)} takes ${fn.params.length} argument${fn.params.length === 1 ? '' : 's'}; it is called with ${args.length} (${args.map((a) => a.text).join(', ')})`;
        if (this.fnStack.includes(fn)) return `${q(fn.name.name)} calls itself`;
        const tys = args.map((a) => tensor(a.elem, a.shape, a.dyn ?? false, a.static));
        const t = this.callWith(fn, tys, at);
        if (t.kind === 'error') return `${q(fn.name.name)} has errors (above)`;
        if (t.kind === 'tensor' && t.dyn && !args.some((a) => a.dyn)) {
          const used = [...paramsUsed(fn.body, new Set(fn.params.map((p) => p.name.name)), this.globals)];
          return used.length
            ? `${q(fn.name.name)} uses the param ${used.map(q).join(', ')} without taking ${used.length > 1 ? 'them' : 'it'} as an argument; add ${used.length > 1 ? 'them' : 'it'} to ${q(fn.name.name)}'s arguments and to the call`
            : `${q(fn.name.name)} depends on a param that is not one of its arguments`;
        }
        if (t.kind !== 'tensor') return `${q(fn.name.name)} returns ${tyText(t)}, not a value`;
        return { elem: t.elem, shape: t.shape, dyn: t.dyn, ...(t.static !== undefined ? { static: t.static } : {}) };
      },
    };
  }

  /**
   * Matches positional and named arguments to parameter names. Returns args in parameter order
   * (undefined where an optional one is absent), or null after reporting.
   */
  bindArgs(
    e: { span: Span; args: Arg[] },
    fname: string,
    params: readonly string[],
    required: number,
  ): (Arg | undefined)[] | null {
    const out: (Arg | undefined)[] = new Array(params.length).fill(undefined);
    let pos = 0;
    let ok = true;
    const sig = `${fname}(${params.join(', ')})`;
    for (const a of e.args) {
      if (a.name === null) {
        if (pos >= params.length) {
          this.error(
            a.span,
            `${fname} takes ${params.length === required ? '' : 'at most '}${params.length} argument${params.length === 1 ? '' : 's'}, got ${e.args.length}`,
            `the signature is ${sig}`,
          );
          return null;
        }
        out[pos++] = a;
      } else {
        const i = params.indexOf(a.name.name);
        if (i < 0) {
          this.error(
            a.name.span,
            `${fname} has no argument ${q(a.name.name)}`,
            didYouMean(a.name.name, params) || `the signature is ${sig}`,
          );
          ok = false;
        } else if (out[i]) {
          this.error(a.name.span, `the argument ${q(a.name.name)} of ${fname} is given twice`);
          ok = false;
        } else out[i] = a;
      }
    }
    const missing = params.slice(0, required).filter((_, i) => !out[i]);
    if (ok && missing.length) {
      this.error(
        e.span,
        `${fname} needs ${required} argument${required === 1 ? '' : 's'}, got ${e.args.length}: ${missing.map(q).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
        `the signature is ${sig}`,
      );
      return null;
    }
    return ok ? out : null;
  }

  private userCall(e: Call, fn: Fn, scope: Scope): Ty {
    if (this.fnStack.includes(fn)) {
      return this.error(e.span, `${q(fn.name.name)} calls itself; functions are inlined, so they cannot be recursive`);
    }
    const bound = this.bindArgs(
      e,
      fn.name.name,
      fn.params.map((p) => p.name.name),
      fn.params.length,
    );
    if (!bound) return ERROR;
    const argTys = bound.map((a) => this.expr(a!.value, scope));
    if (argTys.some((t) => t.kind === 'error')) return ERROR;
    return this.callWith(
      fn,
      argTys,
      e.span,
      bound.map((a) => a!.value),
    );
  }

  /** The type of a call of `fn` with arguments of these types (`exprs` name them in messages). */
  private callWith(fn: Fn, argTys: Ty[], at: Span, exprs?: Expr[]): Ty {
    const inner = this.globals.child();
    fn.params.forEach((p, i) => {
      const t = argTys[i]!;
      if (p.type && t.kind === 'tensor') {
        const d = this.declaredShape(p.type, this.globals);
        if (
          d &&
          (d.shape.length !== t.shape.length ||
            d.shape.some((x, j) => dimEq(x, t.shape[j]!) === false) ||
            (d.elem === 'bool') !== (t.elem === 'bool'))
        ) {
          this.error(
            exprs ? exprs[i]!.span : at,
            `${exprs ? q(this.text(exprs[i]!)) : `argument ${i}`} is ${tyText(t)} but ${fn.name.name} declares ${q(p.name.name)} as ${d.elem}${d.shape.length ? shapeText(d.shape) : ''}`,
          );
        }
      }
      inner.set(p.name.name, { kind: 'local', name: p.name, ty: t, what: 'argument' });
    });
    this.fnStack.push(fn);
    try {
      return fn.body.kind === 'Block' ? this.block(fn.body, inner, 'fn') : this.expr(fn.body, inner);
    } finally {
      this.fnStack.pop();
    }
  }

  /** Checks a function at its definition, its arguments' types unknown: names only. */
  fnDefinition(fn: Fn): void {
    const inner = this.globals.child();
    const seen = new Set<string>();
    for (const p of fn.params) {
      if (seen.has(p.name.name)) this.error(p.name.span, `${fn.name.name} has two parameters named ${q(p.name.name)}`);
      seen.add(p.name.name);
      if (p.type) this.declaredShape(p.type, this.globals);
      inner.set(p.name.name, { kind: 'local', name: p.name, ty: ERROR, what: 'argument' });
    }
    this.fnStack.push(fn);
    try {
      if (fn.body.kind === 'Block') this.block(fn.body, inner, 'fn');
      else this.expr(fn.body, inner);
    } finally {
      this.fnStack.pop();
    }
  }

  // ---- indexing -------------------------------------------------------------------------

  private index(e: Index, scope: Scope): Ty {
    const t = this.tensorOf(e.target, scope);
    if (!t) {
      for (const i of e.indices) if (i.kind !== 'Slice') this.expr(i, scope);
      return ERROR;
    }
    const name = this.text(e.target);
    if (e.indices.length > t.shape.length) {
      return this.error(
        e.span,
        `${q(this.text(e))}: ${name} is ${t.shape.length === 0 ? 'a scalar' : shapeText(t.shape)}; it has ${t.shape.length} dimension${t.shape.length === 1 ? '' : 's'}, indexed with ${e.indices.length}`,
      );
    }
    const out: Dim[] = [];
    let dyn = t.dyn;
    for (let k = 0; k < e.indices.length; k++) {
      const ix = e.indices[k]!;
      const d = t.shape[k]!;
      if (ix.kind === 'Slice') {
        const len = this.slice(e, ix, d, scope);
        if (!len) return ERROR;
        out.push(len);
        continue;
      }
      if (ix.kind === 'Range') {
        const r = this.expr(ix, scope);
        if (r.kind !== 'range') return ERROR;
        if (
          r.start.value !== null &&
          d.value !== null &&
          r.length.value !== null &&
          (r.start.value < 0 || r.start.value + r.length.value > d.value)
        ) {
          return this.error(
            ix.span,
            `${q(this.text(e))}: the range ${this.text(ix)} goes past the end of ${name}, whose dimension ${d.text} = ${d.value}`,
          );
        }
        out.push(r.length);
        continue;
      }
      const it = this.tensorOf(ix, scope);
      if (!it) return ERROR;
      if (it.elem !== 'int')
        return this.error(
          ix.span,
          `${q(this.text(e))}: the index ${this.text(ix)} is ${tyText(it)}; indices must be ints`,
        );
      if (it.dyn)
        return this.error(
          ix.span,
          `${q(this.text(e))}: the index ${this.text(ix)} depends on a var or param; indices must be data or loop indices`,
        );
      if (it.static !== undefined && d.value !== null && (it.static >= d.value || it.static < -d.value)) {
        const size =
          d.text === String(d.value)
            ? `${name} has ${d.value} entr${d.value === 1 ? 'y' : 'ies'}`
            : `the dimension ${d.text} of ${name} is ${d.value}`;
        return this.error(
          ix.span,
          `${q(this.text(e))}: index ${it.static} is out of range: ${size} (indices are 0-based; -1 is the last)`,
        );
      }
      out.push(...it.shape);
      dyn ||= it.dyn;
    }
    out.push(...t.shape.slice(e.indices.length));
    return tensor(t.elem, out, dyn);
  }

  private slice(e: Index, s: Slice, d: Dim, scope: Scope): Dim | null {
    const bound = (x: Expr | null, dflt: Dim): Dim | null => {
      if (!x) return dflt;
      const t = this.intScalar(x, scope, 'a slice bound');
      if (!t) return null;
      if (t.static === undefined && (t.dyn || !this.isStaticShaped(x, scope))) {
        this.error(
          x.span,
          `${q(this.text(e))}: slice bounds must be known before the run (int literals, int data or dimensions)`,
        );
        return null;
      }
      if (t.static !== undefined && t.static < 0) return dimArith(d, '-', dimOf(-t.static));
      return this.dimFrom(x, t);
    };
    const lo = bound(s.start, dimOf(0));
    const hi = bound(s.end, d);
    if (!lo || !hi) return null;
    if (
      lo.value !== null &&
      hi.value !== null &&
      d.value !== null &&
      (lo.value < 0 || hi.value > d.value || hi.value < lo.value)
    ) {
      this.error(
        s.span,
        `${q(this.text(e))}: the slice ${this.text(s)} is out of range for ${this.text(e.target)}, whose dimension ${d.text} = ${d.value}`,
      );
      return null;
    }
    return dimArith(hi, '-', lo);
  }

  /** True when an int expression's value is fixed before the run (no loop index in it). */
  private isStaticShaped(x: Expr, scope: Scope): boolean {
    if (x.kind === 'Ident') {
      const s = scope.get(x.name);
      return !!s && (s.kind === 'dim' || (s.kind === 'data' && s.ty.shape.length === 0));
    }
    if (x.kind === 'Number') return true;
    if (isLeftChain(x)) {
      const { leaf, spine } = leftSpine(x);
      return this.isStaticShaped(leaf, scope) && spine.every((b) => this.isStaticShaped(b.right, scope));
    }
    if (x.kind === 'Binary') return this.isStaticShaped(x.left, scope) && this.isStaticShaped(x.right, scope);
    if (x.kind === 'Unary') return this.isStaticShaped(x.operand, scope);
    return false;
  }

  // ---- blocks and statements --------------------------------------------------------------

  block(b: Block, scope: Scope, mode: BlockMode): Ty {
    this.stmts(b.body, scope, mode);
    return this.expr(b.result, scope);
  }

  stmts(body: readonly Stmt[], scope: Scope, mode: BlockMode): void {
    // `generate` is never differentiated: its values only are used, like a value-only argument's
    const valueOnly = mode === 'generate' || mode === 'loop-generate';
    if (valueOnly) this.valueOnly++;
    try {
      for (const st of body) this.stmt(st, scope, mode);
    } finally {
      if (valueOnly) this.valueOnly--;
    }
  }

  private declareLocal(name: Ident, scope: Scope, sym: Sym): void {
    const prev = scope.own(name.name);
    if (prev && prev.kind !== 'let') {
      this.error(name.span, `${q(name.name)} is already defined in this block`);
      return;
    }
    if (prev && prev.kind === 'let') {
      this.error(
        name.span,
        `${q(name.name)} is already defined in this block (at line ${prev.name.span.line})`,
        'bindings are immutable; use a new name or a `state`',
      );
      return;
    }
    scope.set(name.name, sym);
  }

  private stmt(st: Stmt, scope: Scope, mode: BlockMode): void {
    const inModel = mode === 'model' || mode === 'loop-model' || mode === 'guide' || mode === 'loop-guide';
    switch (st.kind) {
      case 'Let': {
        const t = this.letValue(st.value, st.type, scope);
        this.declareLocal(st.name, scope, { kind: 'let', name: st.name, node: st, ty: t });
        return;
      }
      case 'State': {
        const t = this.letValue(st.value, st.type, scope);
        if (t.kind !== 'tensor' && t.kind !== 'error')
          this.error(st.value.span, `a state must hold a number or tensor, not ${tyText(t)}`);
        this.declareLocal(st.name, scope, { kind: 'state', name: st.name, node: st, ty: t });
        return;
      }
      case 'For':
        return this.forLoop(st, scope, mode);
      case 'Assign':
        return this.assign(st, scope, mode);
      case 'Sample': {
        const gen = mode === 'generate' || mode === 'loop-generate';
        if (!inModel && !gen) {
          this.error(st.span, '`~` belongs in a `model`, `guide` or `generate` block');
          return;
        }
        if (
          st.target.kind === 'Ident' &&
          !scope.get(st.target.name) &&
          (gen || mode === 'guide' || mode === 'loop-guide')
        ) {
          // A new name drawn in `generate` is an output; in a guide, a latent the guide samples.
          const dt = st.dist.kind === 'Call' ? this.call(st.dist, scope, true) : ERROR;
          const ty = dt.kind === 'dist' ? tensor('real', dt.shape, true) : ERROR;
          scope.set(st.target.name, { kind: 'local', name: st.target, ty, what: gen ? 'output' : 'latent' });
          return;
        }
        const target = this.tensorOf(st.target, scope);
        if (st.dist.kind !== 'Call') {
          this.error(st.dist.span, `the right of \`~\` must be a distribution such as \`Normal(0, 1)\``);
          return;
        }
        const dt = this.call(st.dist, scope, true);
        if (st.via) {
          const v = viaEstimator(st.via);
          if ('error' in v) this.error(v.span, v.error);
        }
        if (!target || dt.kind !== 'dist') {
          if (dt.kind !== 'dist' && dt.kind !== 'error')
            this.error(st.dist.span, `${q(this.text(st.dist))} is not a distribution`);
          return;
        }
        if (target.elem === 'bool') {
          this.error(st.target.span, `${q(this.text(st.target))} is bool; \`~\` needs numbers`);
          return;
        }
        if (target.shape.length < dt.eventRank) {
          this.error(
            st.span,
            `${q(this.text(st))}: one draw of ${dt.name} has ${dt.eventRank} dimension${dt.eventRank > 1 ? 's' : ''}, but ${this.text(st.target)} is ${tyText(target)}`,
          );
          return;
        }
        const batch = target.shape.slice(0, target.shape.length - dt.eventRank);
        const s = broadcast(
          this.text(st),
          { shape: batch, text: this.text(st.target) },
          { shape: dt.shape, text: this.text(st.dist) },
        );
        if (typeof s === 'string') this.error(st.span, s);
        else if (s.length > batch.length) {
          this.error(
            st.span,
            `${q(this.text(st))}: ${this.text(st.target)} is ${shapeText(target.shape)} but the distribution is ${shapeText(dt.shape)}; it would be counted more than once`,
          );
        }
        if (st.truncation) this.truncation(st, st.truncation, dt, batch, scope);
        else this.checkSupport(st, scope, dt.name, dt.discrete);
        return;
      }
      case 'IfStmt': {
        const c = this.tensorOf(st.cond, scope);
        if (c && (c.elem !== 'bool' || c.shape.length !== 0))
          this.error(
            st.cond.span,
            `the condition of \`if\` must be a single bool, but ${q(this.text(st.cond))} is ${tyText(c)}`,
            c.elem === 'bool'
              ? 'to choose entry by entry, write the expression `if c then a else b`'
              : 'compare it, e.g. `x > 0`',
          );
        // The branches are nested blocks: what they declare stays inside them.
        const inner: BlockMode = mode.startsWith('loop-') ? mode : (`loop-${mode}` as BlockMode);
        this.stmts(st.then, scope.child(), inner);
        if (st.else) this.stmts(st.else, scope.child(), inner);
        return;
      }
      case 'TargetAdd': {
        if (!inModel) {
          this.error(st.span, '`target +=` belongs in a `model` block');
          return;
        }
        const t = this.tensorOf(st.value, scope);
        if (t && (t.elem === 'bool' || t.shape.length !== 0)) {
          this.error(
            st.value.span,
            `\`target +=\` needs a real scalar, but ${q(this.text(st.value))} is ${tyText(t)}`,
            t.shape.length ? 'sum it: `target += sum(...)`' : undefined,
          );
        }
        return;
      }
      case 'Param': {
        if (mode !== 'guide') {
          this.error(st.span, '`param` inside a block is only allowed in a `guide`');
          return;
        }
        for (const d of st.decls) {
          const shape = this.declaredShape(d.type, scope);
          if (d.init) this.expr(d.init, scope);
          this.declareLocal(d.name, scope, {
            kind: 'local',
            name: d.name,
            ty: shape ? tensor('real', shape.shape, true) : ERROR,
            what: 'variational parameter',
          });
        }
        return;
      }
      default:
        this.error(st.span, `this statement cannot appear inside a block`);
    }
  }

  /** `y ~ D(...) T[lo, hi]`: D univariate with a CDF; bounds numbers that broadcast with y. */
  private truncation(
    st: Extract<Stmt, { kind: 'Sample' }>,
    tr: Truncation,
    dt: Extract<Ty, { kind: 'dist' }>,
    batch: Dim[],
    scope: Scope,
  ): void {
    const spec = lookupDistribution(dt.name);
    if (dt.eventRank > 0 || !spec?.cdf) {
      this.error(
        tr.span,
        `${dt.name} cannot be truncated: ${dt.eventRank > 0 ? 'its values are not scalars' : 'it has no CDF'}`,
        'truncation takes a univariate distribution, such as `Normal(mu, sigma) T[0, ]`',
      );
      return;
    }
    const base = st.target.kind === 'Index' ? st.target.target : st.target;
    const s = base.kind === 'Ident' ? scope.get(base.name) : undefined;
    if (s && s.kind === 'param' && s.ty.elem === 'int') {
      this.error(tr.span, `the discrete latent ${q(s.name.name)} cannot be truncated`);
      return;
    }
    for (const b of [tr.lo, tr.hi]) {
      if (!b) continue;
      const t = this.tensorOf(b, scope);
      if (!t) continue;
      if (t.elem === 'bool') this.error(b.span, `the truncation bound ${q(this.text(b))} is bool, not a number`);
      else if (dt.discrete && t.elem !== 'int')
        this.error(
          b.span,
          `${dt.name} is discrete, so its truncation bounds are ints, but ${q(this.text(b))} is ${tyText(t)}`,
        );
      else {
        const r = broadcast(
          this.text(st),
          { shape: batch, text: this.text(st.target) },
          { shape: t.shape, text: this.text(b) },
        );
        if (typeof r === 'string') this.error(b.span, r);
        else if (r.length > batch.length)
          this.error(
            b.span,
            `the truncation bound ${q(this.text(b))} is ${shapeText(t.shape)}, larger than ${q(this.text(st.target))}`,
          );
      }
    }
  }

  /** A `~` on a param whose declared type does not lie inside the distribution's support. */
  private checkSupport(st: Extract<Stmt, { kind: 'Sample' }>, scope: Scope, dist: string, discrete: boolean): void {
    const base = st.target.kind === 'Index' ? st.target.target : st.target;
    if (base.kind !== 'Ident') return;
    const s = scope.get(base.name);
    if (!s || s.kind !== 'param') return;
    const spec = defaultSpec(dist);
    const isInt = s.ty.elem === 'int';
    if (discrete !== isInt) {
      // Discrete latents are `int` params (CheckedProgram.latents); real params are continuous.
      this.error(
        st.span,
        discrete
          ? `${q(base.name)} is a real param, but ${dist} is discrete`
          : `${q(base.name)} is an int param (a discrete latent), but ${dist} is continuous`,
        discrete ? `declare it \`${base.name}: int\` (with its shape) to make it a discrete latent` : undefined,
      );
      return;
    }
    if (discrete) return;
    const declared = declaredSupport(s.decl);
    if (!declared) return;
    const sup = spec.support;
    const want: Partial<Record<string, string>> = {
      positive: 'real > 0',
      nonnegative: 'real > 0',
      unit_interval: 'real in [0, 1]',
      simplex: 'simplex[K]',
      cov: 'cov[K]',
      cholesky_corr: 'cholesky_corr[K]',
    };
    const hint = want[sup.kind] ? `declare \`${base.name}: ${want[sup.kind]}\`` : undefined;
    const warn = (what: string) =>
      this.warning(
        st.span,
        `${dist}'s support is ${sup.kind.replace('_', ' ')}, but ${q(base.name)} ${what}; outside the support the density is 0 (log density -inf)`,
        hint,
      );
    if (sup.eventRank > 0) {
      // A vector or matrix distribution sees whole values: compare the sets.
      if (declared.event && !supportIncludes(sup.kind, declared.event)) warn(`is declared ${s.decl.type.name.name}`);
      return;
    }
    // A scalar distribution sees each entry: compare ranges (bounds that are expressions are
    // not known here, and are not held against the declaration).
    const bound = (b: string | number | undefined): number | null => {
      if (typeof b === 'number') return b;
      const j = spec.params.findIndex((p) => p.name === b);
      const call = st.dist.kind === 'Call' ? st.dist : null;
      const arg = call && j >= 0 ? (call.args[j]?.name === null ? call.args[j]!.value : undefined) : undefined;
      return arg ? literalNumber(arg) : null;
    };
    const range = supportRange(sup.kind, { lo: bound(sup.lower), hi: bound(sup.upper) });
    if (range && reachesOutside(declared.entry, range)) warn(`can be ${describeRange(declared.entry)}`);
  }

  private forLoop(st: Extract<Stmt, { kind: 'For' }>, scope: Scope, mode: BlockMode): void {
    const inner = scope.child();
    const loopMode: BlockMode = mode.startsWith('loop-') ? mode : (`loop-${mode}` as BlockMode);
    if (st.iter.kind === 'Call' && st.iter.callee.name === 'batch') {
      if (mode !== 'model' && mode !== 'loop-model')
        this.error(st.iter.span, '`batch(N, B)` minibatches belong in a model');
      const bound = this.bindArgs(st.iter, 'batch', ['n', 'size'], 2);
      if (bound) for (const a of bound) this.intScalar(a!.value, scope, 'a batch size');
    } else {
      const r = this.expr(st.iter, scope);
      if (r.kind !== 'range' && r.kind !== 'error') {
        this.error(
          st.iter.span,
          `a \`for\` loop runs over a range such as \`0..n\`; ${q(this.text(st.iter))} is ${tyText(r)}`,
        );
      }
    }
    inner.set(st.name.name, { kind: 'local', name: st.name, ty: scalar('int'), what: 'loop index' });
    this.stmts(st.body, inner, loopMode);
  }

  private assign(st: Extract<Stmt, { kind: 'Assign' }>, scope: Scope, mode: BlockMode): void {
    const base = st.target.kind === 'Index' ? st.target.target : st.target;
    const v = this.tensorOf(st.value, scope);
    if (base.kind !== 'Ident') {
      this.error(st.target.span, `only a \`state\` (or an element of one) can be assigned`);
      return;
    }
    const sym = scope.get(base.name);
    if (!sym && st.op === '=' && st.target.kind === 'Ident' && mode === 'generate') {
      scope.set(base.name, { kind: 'local', name: base, ty: v ?? ERROR, what: 'output' });
      return;
    }
    if (!sym) {
      this.unknownName(base, scope);
      return;
    }
    if (sym.kind !== 'state') {
      const hint = sym.kind === 'let' ? 'declare it with `state` to update it in a loop' : undefined;
      this.error(st.target.span, `${q(base.name)} is ${describeSym(sym)}; only a \`state\` can be assigned`, hint);
      return;
    }
    const target =
      st.target.kind === 'Index' ? this.tensorOf(st.target, scope) : sym.ty.kind === 'tensor' ? sym.ty : null;
    if (!target || !v) return;
    if (v.elem === 'bool' && target.elem !== 'bool') {
      this.error(st.value.span, `${q(this.text(st.value))} is bool but ${q(this.text(st.target))} holds numbers`);
      return;
    }
    const s = broadcast(
      this.text(st),
      { shape: target.shape, text: this.text(st.target) },
      { shape: v.shape, text: this.text(st.value) },
    );
    if (typeof s === 'string') {
      this.error(st.span, s);
      return;
    }
    if (
      s.length > target.shape.length ||
      s.some((d, i) => dimEq(d, target.shape[target.shape.length - s.length + i]!) === false)
    ) {
      this.error(
        st.span,
        `${q(this.text(st))}: ${this.text(st.target)} is ${shapeText(target.shape)} but the value is ${shapeText(v.shape)}; a state keeps its shape`,
      );
      return;
    }
    if (v.dyn && sym.ty.kind === 'tensor' && !sym.ty.dyn) sym.ty = { ...sym.ty, dyn: true };
    if (v.elem === 'real' && sym.ty.kind === 'tensor' && sym.ty.elem === 'int') {
      this.error(
        st.value.span,
        `${q(this.text(st.value))} is real but the state ${q(base.name)} is an int`,
        `start it as a real, e.g. \`state ${base.name} = 0.0\``,
      );
    }
  }
}

function joinElems(ts: TensorTy[]): Elem {
  if (ts.every((t) => t.elem === 'bool')) return 'bool';
  return ts.every((t) => t.elem === 'int') ? 'int' : 'real';
}

export function literalNumber(e: Expr): number | null {
  if (e.kind === 'Number') return e.value;
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'Number') return -e.operand.value;
  return null;
}

export function literalInt(e: Expr): number | null {
  if (e.kind === 'Number' && e.isInt) return e.value;
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'Number' && e.operand.isInt) return -e.operand.value;
  return null;
}

/** The global params an expression mentions (outside names bound locally), for messages. */
function* paramsUsed(e: Expr | Stmt | Slice, bound: Set<string>, globals: Scope): Generator<string> {
  const seen = new Set<string>();
  const walk = function* (x: unknown): Generator<string> {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) yield* walk(y);
      return;
    }
    const n = x as { kind?: string; name?: string };
    if (n.kind === 'Ident' && typeof n.name === 'string' && !bound.has(n.name) && !seen.has(n.name)) {
      if (globals.get(n.name)?.kind === 'param') {
        seen.add(n.name);
        yield n.name;
      }
      return;
    }
    for (const [k, v] of Object.entries(x)) if (k !== 'span' && typeof v === 'object') yield* walk(v);
  };
  yield* walk(e);
}

/** `any real`, `> 0`, `in [0, 1]`, for the support warning. */
function describeRange(r: Range): string {
  const lo = r.lo === null || r.lo === -Infinity ? null : r.lo;
  const hi = r.hi === null || r.hi === Infinity ? null : r.hi;
  if (lo === null && hi === null) return 'any real';
  if (hi === null) return `any real above ${lo}`;
  if (lo === null) return `any real below ${hi}`;
  return `anywhere in [${lo}, ${hi}]`;
}

export function describeSym(s: Sym): string {
  switch (s.kind) {
    case 'data':
      return 'data';
    case 'var':
      return 'a var';
    case 'param':
      return 'a param';
    case 'dim':
      return 'a dimension';
    case 'let':
      return 'a `let` binding';
    case 'state':
      return 'a state';
    case 'fn':
      return 'a function';
    case 'local':
      return `a ${s.what}`;
  }
}

/** How each parameter constraint reads in a message. */
const CONSTRAINT_WORDS: Partial<Record<string, string>> = {
  positive: '> 0',
  nonnegative: '>= 0',
  unit_interval: 'in [0, 1]',
  simplex: 'a simplex (entries >= 0 that sum to 1)',
  real: 'finite',
};

/** The numbers of a constant expression (literals, unary minus, + - * / of those, vectors), or null. */
function constantNumbers(e: Expr): number[] | null {
  switch (e.kind) {
    case 'Number':
      return [e.value];
    case 'Unary': {
      const v = e.op === '-' ? constantNumbers(e.operand) : null;
      return v && v.map((x) => -x);
    }
    case 'Binary': {
      const [a, b] = [constantNumbers(e.left), constantNumbers(e.right)];
      if (!a || !b || a.length !== 1 || b.length !== 1) return null;
      const [x, y] = [a[0]!, b[0]!];
      const ops: Partial<Record<string, number>> = { '+': x + y, '-': x - y, '*': x * y, '/': x / y };
      const v = ops[e.op];
      return v === undefined ? null : [v];
    }
    case 'Vector': {
      const out: number[] = [];
      for (const x of e.elements) {
        const v = constantNumbers(x);
        if (!v || v.length !== 1) return null;
        out.push(v[0]!);
      }
      return out;
    }
    default:
      return null;
  }
}

/** Why a constant distribution argument is outside its parameter's constraint, or null. */
function constantOutside(e: Expr, constraint: string): string | null {
  const xs = constantNumbers(e);
  if (!xs || !xs.length) return null;
  const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, ''));
  const bad = (ok: (x: number) => boolean) => {
    const i = xs.findIndex((x) => !ok(x));
    return i < 0 ? null : xs.length === 1 ? `is ${fmt(xs[0]!)}` : `has the entry ${fmt(xs[i]!)}`;
  };
  switch (constraint) {
    case 'positive':
      return bad((x) => x > 0);
    case 'nonnegative':
      return bad((x) => x >= 0);
    case 'unit_interval':
      return bad((x) => x >= 0 && x <= 1);
    case 'real':
      return bad(Number.isFinite);
    case 'simplex': {
      const neg = bad((x) => x >= 0);
      if (neg) return neg;
      const sum = xs.reduce((a, b) => a + b, 0);
      return Math.abs(sum - 1) > 1e-8 ? `sums to ${fmt(sum)}` : null;
    }
    default:
      return null;
  }
}
