// CST -> AST: walks chevrotain's concrete syntax tree and builds the nodes of ast.ts, each
// with its span. It also reports the errors that are easier to state on a tree than in the
// grammar: `=` in a constraint, a second statement on the same line, a double-sided
// comparison that points both ways, a bare expression used as a statement, `x = Normal(...)`.
// Error recovery can leave CST nodes partial, so every child is optional here; a missing
// expression becomes the placeholder name `?`. Those trees are never returned to callers
// (parse returns a program only without errors), so the placeholder cannot leak.

import { type CstElement, type CstNode, type IToken } from 'chevrotain';
import type * as A from './ast.js';
import type { DiagnosticBag } from './diagnostics.js';
import { stringValue, tokenSpan } from './lex.js';
import { joinSpans, type LineMap, type Span } from './span.js';
import { INFIX_LEVEL, LEVEL } from './precedence.js';
import * as T from './tokens.js';

type Ctx = 'top' | 'model' | 'guide' | 'generate' | 'body';

/** Shared empty result; callers only read it. */
const NONE: never[] = [];

function isToken(e: CstElement | undefined): e is IToken {
  return e !== undefined && 'image' in e;
}

function isNode(e: CstElement | undefined): e is CstNode {
  return e !== undefined && 'children' in e;
}

function validLocation(n: CstNode): boolean {
  const l = n.location;
  return l !== undefined && Number.isFinite(l.startOffset) && Number.isFinite(l.endOffset ?? NaN);
}

export class AstBuilder {
  /** Sorted offsets of the parse errors, so checks can stay quiet where recovery already spoke. */
  private errorOffsets: number[] = [];

  constructor(
    private readonly map: LineMap,
    private readonly bag: DiagnosticBag,
  ) {}

  private errorIn(from: number, to: number): boolean {
    let lo = 0;
    let hi = this.errorOffsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.errorOffsets[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.errorOffsets.length && this.errorOffsets[lo]! <= to;
  }

  // ---- small CST accessors ---------------------------------------------------------------

  private tok(n: CstNode, key: string, i = 0): IToken | undefined {
    const e = n.children[key]?.[i];
    return isToken(e) && !e.isInsertedInRecovery && Number.isFinite(e.startOffset) ? e : undefined;
  }

  private toks(n: CstNode, key: string): IToken[] {
    const list = n.children[key];
    if (list === undefined) return NONE;
    // Without parse errors every element under a token label is a real token: skip the copy.
    if (this.errorOffsets.length === 0) return list as IToken[];
    return list.filter((e): e is IToken => isToken(e) && !e.isInsertedInRecovery && Number.isFinite(e.startOffset));
  }

  private node(n: CstNode, key: string, i = 0): CstNode | undefined {
    const e = n.children[key]?.[i];
    return isNode(e) ? e : undefined;
  }

  private nodes(n: CstNode, key: string): CstNode[] {
    const list = n.children[key];
    if (list === undefined) return NONE;
    if (this.errorOffsets.length === 0) return list as CstNode[];
    return list.filter(isNode);
  }

  private span(n: CstNode): Span {
    if (validLocation(n)) {
      // Offsets only (the parser tracks no lines): the line map turns them into positions.
      const l = n.location!;
      return this.map.span(l.startOffset, l.endOffset! + 1);
    }
    const first = this.firstToken(n);
    return first === undefined ? this.map.span(0, 0) : tokenSpan(first, this.map);
  }

  private firstToken(n: CstNode): IToken | undefined {
    let best: IToken | undefined;
    for (const list of Object.values(n.children)) {
      for (const e of list) {
        const t = isToken(e) ? (Number.isFinite(e.startOffset) ? e : undefined) : this.firstToken(e);
        if (t !== undefined && (best === undefined || t.startOffset < best.startOffset)) best = t;
      }
    }
    return best;
  }

  private tspan(t: IToken): Span {
    return tokenSpan(t, this.map);
  }

  private ident(t: IToken | undefined, fallback: Span): A.Ident {
    return t === undefined
      ? { kind: 'Ident', name: '?', span: fallback }
      : { kind: 'Ident', name: t.image, span: this.tspan(t) };
  }

  private missing(span: Span): A.Ident {
    return { kind: 'Ident', name: '?', span };
  }

  // ---- program and items -----------------------------------------------------------------

  items(program: CstNode, parseErrorOffsets: readonly number[]): A.Stmt[] {
    this.errorOffsets = [...parseErrorOffsets].sort((a, b) => a - b);
    const items = this.nodes(program, 'item');
    this.checkSeparated(items, this.toks(program, 'Sep'));
    const out: A.Stmt[] = [];
    for (const item of items) {
      const inner = Object.values(item.children)[0]?.[0];
      if (!isNode(inner)) continue;
      const stmt = this.item(inner);
      if (stmt !== undefined) out.push(stmt);
    }
    return out;
  }

  private item(n: CstNode): A.Stmt | undefined {
    const span = this.span(n);
    switch (n.name) {
      case 'importItem': {
        const p = this.tok(n, 'path');
        return {
          kind: 'Import',
          path: p === undefined ? '' : stringValue(p.image, p.tokenType === T.StringToken),
          span,
        };
      }
      case 'dataItem': {
        const s = this.tok(n, 'source');
        const block = this.node(n, 'declBlock');
        return {
          kind: 'Data',
          source: s === undefined ? null : stringValue(s.image, s.tokenType === T.StringToken),
          decls: block === undefined ? [] : this.declBlock(block),
          span,
        };
      }
      case 'varItem':
        return { kind: 'Var', decls: this.declsOf(n), span };
      case 'paramItem':
        return { kind: 'Param', decls: this.declsOf(n), span };
      case 'startItem':
        return {
          kind: 'Start',
          name: this.ident(this.tok(n, 'name'), span),
          value: this.expr(this.node(n, 'expression'), span),
          span,
        };
      case 'modelItem':
        return { kind: 'Model', body: this.stmts(this.node(n, 'stmtBlock'), 'model'), span };
      case 'guideItem':
        return { kind: 'Guide', body: this.stmts(this.node(n, 'stmtBlock'), 'guide'), span };
      case 'generateItem':
        return { kind: 'Generate', body: this.stmts(this.node(n, 'stmtBlock'), 'generate'), span };
      case 'letStmt':
        return this.binding('Let', n);
      case 'fnItem':
        return this.fn(n);
      case 'optimizeItem': {
        const sense = this.tok(n, 'sense');
        return {
          kind: 'Optimize',
          sense: sense?.image === 'maximize' ? 'maximize' : 'minimize',
          objective: this.expr(this.node(n, 'expression'), span),
          over: this.toks(n, 'over').map((t) => this.ident(t, span)),
          span,
        };
      }
      case 'subjectToItem':
        return { kind: 'SubjectTo', constraints: this.constraints(this.node(n, 'constraintBlock')), span };
      case 'whereItem':
        return this.where(n);
      case 'solveItem':
      case 'inferItem': {
        const argList = this.node(n, 'argList');
        return {
          kind: n.name === 'solveItem' ? 'Solve' : 'Infer',
          method: this.ident(this.tok(n, 'method'), span),
          args: argList === undefined ? null : this.args(argList),
          span,
        };
      }
      case 'objectiveItem':
        return {
          kind: 'ObjectiveDef',
          name: this.ident(this.tok(n, 'name'), span),
          value: this.expr(this.node(n, 'expression'), span),
          span,
        };
    }
    return undefined;
  }

  private declsOf(n: CstNode): A.Decl[] {
    const block = this.node(n, 'declBlock');
    if (block !== undefined) return this.declBlock(block);
    const d = this.node(n, 'decl');
    return d === undefined ? [] : [this.decl(d)];
  }

  private declBlock(n: CstNode): A.Decl[] {
    const decls = this.nodes(n, 'decl');
    this.checkSeparated(decls, this.toks(n, 'Sep'));
    return decls.map((d) => this.decl(d));
  }

  private decl(n: CstNode): A.Decl {
    const span = this.span(n);
    const init = this.node(n, 'init');
    return {
      kind: 'Decl',
      name: this.ident(this.tok(n, 'name'), span),
      type: this.type(this.node(n, 'typeExpr'), span),
      init: init === undefined ? null : this.expr(init, span),
      span,
    };
  }

  private type(n: CstNode | undefined, fallback: Span): A.TypeExpr {
    if (n === undefined)
      return { kind: 'Type', name: this.missing(fallback), dims: [], arrayDims: [], domain: null, span: fallback };
    const span = this.span(n);
    const d = this.node(n, 'domain');
    return {
      kind: 'Type',
      name: this.ident(this.tok(n, 'name'), span),
      dims: this.nodes(n, 'dims').map((e) => this.expr(e, span)),
      arrayDims: this.nodes(n, 'arrayDims').map((e) => this.expr(e, span)),
      domain: d === undefined ? null : this.domain(d),
      span,
    };
  }

  private domain(n: CstNode): A.Domain {
    const span = this.span(n);
    const op = this.tok(n, 'op');
    if (op !== undefined || this.node(n, 'bound') !== undefined) {
      return {
        kind: 'Bound',
        op: (op?.image ?? '>=') as A.BoundDomain['op'],
        value: this.expr(this.node(n, 'bound'), span),
        span,
      };
    }
    return { kind: 'Interval', lo: this.expr(this.node(n, 'lo'), span), hi: this.expr(this.node(n, 'hi'), span), span };
  }

  private binding(kind: 'Let' | 'State', n: CstNode): A.Let | A.State {
    const span = this.span(n);
    const t = this.node(n, 'typeExpr');
    return {
      kind,
      name: this.ident(this.tok(n, 'name'), span),
      type: t === undefined ? null : this.type(t, span),
      value: this.expr(this.node(n, 'expression'), span),
      span,
    };
  }

  private fn(n: CstNode): A.Fn {
    const span = this.span(n);
    const params = this.nodes(n, 'fnParam').map((p): A.FnParam => {
      const ps = this.span(p);
      const t = this.node(p, 'typeExpr');
      return {
        kind: 'FnParam',
        name: this.ident(this.tok(p, 'name'), ps),
        type: t === undefined ? null : this.type(t, ps),
        span: ps,
      };
    });
    const block = this.node(n, 'stmtBlock');
    const body =
      block !== undefined ? this.block(block, 'a function body') : this.expr(this.node(n, 'expression'), span);
    return { kind: 'Fn', name: this.ident(this.tok(n, 'name'), span), params, body, span };
  }

  private where(n: CstNode): A.Where {
    const span = this.span(n);
    const block = this.node(n, 'stmtBlock');
    const cb = this.node(n, 'constraintBlock');
    return {
      kind: 'Where',
      name: this.ident(this.tok(n, 'name'), span),
      sense: this.tok(n, 'sense')?.image === 'argmax' ? 'argmax' : 'argmin',
      wrt: this.toks(n, 'wrt').map((t) => this.ident(t, span)),
      body:
        block === undefined
          ? { kind: 'Block', body: [], result: this.missing(span), span }
          : this.block(block, 'the inner problem'),
      constraints: cb === undefined ? null : this.constraints(cb),
      span,
    };
  }

  // ---- statement lists -------------------------------------------------------------------

  /** Reports two statements on one line with no `;` between them. */
  private checkSeparated(elems: CstNode[], seps: IToken[]): void {
    let s = 0;
    for (let i = 1; i < elems.length; i++) {
      const a = elems[i - 1]!;
      const b = elems[i]!;
      if (a.recoveredNode || b.recoveredNode || !validLocation(a) || !validLocation(b)) continue;
      const aEnd = a.location!.endOffset!;
      const bStart = b.location!.startOffset;
      while (s < seps.length && seps[s]!.startOffset < aEnd) s++;
      if (s < seps.length && seps[s]!.startOffset < bStart) continue;
      if (this.errorIn(a.location!.startOffset, bStart)) continue;
      this.bag.error(this.map.span(bStart, bStart), 'expected a newline or `;` between two statements');
    }
  }

  private stmtNodes(block: CstNode): CstNode[] {
    const stmts = this.nodes(block, 'blockStmt');
    this.checkSeparated(stmts, this.toks(block, 'Sep'));
    return stmts;
  }

  private stmts(block: CstNode | undefined, ctx: Ctx): A.Stmt[] {
    if (block === undefined) return [];
    const out: A.Stmt[] = [];
    for (const s of this.stmtNodes(block)) {
      const r = this.blockStmt(s, ctx);
      if (r === undefined) continue;
      if (r.kind === 'expr') this.reportBareExpression(r.expr);
      else out.push(r.stmt);
    }
    return out;
  }

  /** A `{ stmts; result }` body: the last line is the value. */
  private block(n: CstNode, what: string): A.Block {
    const span = this.span(n);
    const parts = this.stmtNodes(n).map((s) => this.blockStmt(s, 'body'));
    const body: A.Stmt[] = [];
    let result: A.Expr | undefined;
    parts.forEach((p, i) => {
      if (p === undefined) return;
      if (p.kind === 'stmt') body.push(p.stmt);
      else if (i === parts.length - 1) result = p.expr;
      else this.reportBareExpression(p.expr);
    });
    if (result === undefined) {
      const at = this.map.span(span.end - 1, span.end);
      this.bag.error(
        at,
        `${what} must end with an expression, its value`,
        'put the value on the last line, as in `{ let r = A @ x - b; sumsq(r) }`',
      );
      result = this.missing(at);
    }
    return { kind: 'Block', body, result, span };
  }

  private reportBareExpression(e: A.Expr): void {
    if (e.kind === 'Ident' && e.name === '?') return;
    let hint = 'a statement samples (`y ~ D(...)`), assigns a `state` (`h = ...`), or adds to `target`';
    if (e.kind === 'Binary' && e.op === '-' && isDistribution(e.right)) hint = 'did you mean `~`?';
    else if (e.kind === 'Unary' && e.op === '-') {
      hint =
        'a line that starts with `-` begins a new statement; to continue the line above, end it with the operator or wrap the expression in parentheses';
    } else if (e.kind === 'Compare') hint = 'constraints go in `subject to { ... }`';
    this.bag.error(e.span, 'an expression on its own is not a statement', hint);
  }

  private blockStmt(n: CstNode, ctx: Ctx): { kind: 'stmt'; stmt: A.Stmt } | { kind: 'expr'; expr: A.Expr } | undefined {
    const inner = Object.values(n.children)[0]?.[0];
    if (!isNode(inner)) return undefined;
    const span = this.span(inner);
    switch (inner.name) {
      case 'letStmt':
        return { kind: 'stmt', stmt: this.binding('Let', inner) };
      case 'stateStmt':
        return { kind: 'stmt', stmt: this.binding('State', inner) };
      case 'forStmt':
        return {
          kind: 'stmt',
          stmt: {
            kind: 'For',
            name: this.ident(this.tok(inner, 'name'), span),
            iter: this.expr(this.node(inner, 'expression'), span),
            body: this.stmts(this.node(inner, 'stmtBlock'), ctx),
            span,
          },
        };
      case 'ifStmt':
        return this.ifStmt(inner, ctx);
      case 'paramItem':
        if (ctx !== 'guide') {
          this.bag.error(span, '`param` declarations belong at the top level or in a `guide` block');
        }
        return { kind: 'stmt', stmt: { kind: 'Param', decls: this.declsOf(inner), span } };
      case 'simpleStmt':
        return this.simpleStmt(inner, ctx);
    }
    return undefined;
  }

  /** `if c { } [else ...]` as a statement, or `if c then a else b` as an expression line. */
  private ifStmt(n: CstNode, ctx: Ctx): { kind: 'stmt'; stmt: A.IfStmt } | { kind: 'expr'; expr: A.Expr } {
    const span = this.span(n);
    const cond = this.expr(this.node(n, 'cond'), span);
    const thenBlock = this.node(n, 'thenBlock');
    if (thenBlock === undefined) {
      return {
        kind: 'expr',
        expr: {
          kind: 'If',
          cond,
          then: this.expr(this.node(n, 'then'), span),
          else: this.expr(this.node(n, 'else'), span),
          span,
        },
      };
    }
    const elseIf = this.node(n, 'elseIf');
    const elseBlock = this.node(n, 'elseBlock');
    let els: A.Stmt[] | null = null;
    if (elseIf !== undefined) {
      const r = this.ifStmt(elseIf, ctx);
      els = r.kind === 'stmt' ? [r.stmt] : [];
      if (r.kind === 'expr') this.bag.error(r.expr.span, '`else if` needs a block `{ ... }`, not `then`');
    } else if (elseBlock !== undefined) els = this.stmts(elseBlock, ctx);
    return {
      kind: 'stmt',
      stmt: {
        kind: 'IfStmt',
        cond,
        then: this.stmts(thenBlock, ctx),
        thenSpan: this.span(thenBlock),
        else: els,
        elseSpan: elseBlock === undefined ? null : this.span(elseBlock),
        span,
      },
    };
  }

  private simpleStmt(n: CstNode, ctx: Ctx): { kind: 'stmt'; stmt: A.Stmt } | { kind: 'expr'; expr: A.Expr } {
    const span = this.span(n);
    const lhs = this.expr(this.node(n, 'lhs'), span);
    const tilde = n.children['Tilde'];
    const op = this.tok(n, 'op');
    if (tilde !== undefined) {
      this.checkTarget(lhs, '`~`');
      const via = this.node(n, 'via');
      const tr = this.node(n, 'truncation');
      return {
        kind: 'stmt',
        stmt: {
          kind: 'Sample',
          target: lhs,
          dist: this.expr(this.node(n, 'dist'), span),
          truncation: tr === undefined ? null : this.truncation(tr),
          via: via === undefined ? null : this.expr(via, span),
          span,
        },
      };
    }
    if (op !== undefined || this.node(n, 'rhs') !== undefined) {
      const value = this.expr(this.node(n, 'rhs'), span);
      const opText = (op?.image ?? '=') as A.AssignOp;
      if (opText === '+=' && lhs.kind === 'Ident' && lhs.name === 'target') {
        return { kind: 'stmt', stmt: { kind: 'TargetAdd', value, span } };
      }
      this.checkTarget(lhs, `\`${opText}\``);
      if (opText === '=' && (ctx === 'model' || ctx === 'guide') && isDistribution(value) && op !== undefined) {
        this.bag.error(
          this.tspan(op),
          '`=` assigns a value; a distribution is given to a variable with `~`',
          'did you mean `~`?',
        );
      }
      return { kind: 'stmt', stmt: { kind: 'Assign', target: lhs, op: opText, value, span } };
    }
    return { kind: 'expr', expr: lhs };
  }

  private truncation(n: CstNode): A.Truncation {
    const span = this.span(n);
    const lo = this.node(n, 'lo');
    const hi = this.node(n, 'hi');
    if (lo === undefined && hi === undefined)
      this.bag.error(span, '`T[, ]` truncates nothing', 'give a lower bound, an upper bound or both: `T[0, ]`');
    return {
      kind: 'Truncation',
      lo: lo === undefined ? null : this.expr(lo, span),
      hi: hi === undefined ? null : this.expr(hi, span),
      span,
    };
  }

  private checkTarget(e: A.Expr, what: string): void {
    let t = e;
    while (t.kind === 'Index') t = t.target;
    if (t.kind !== 'Ident') {
      this.bag.error(e.span, `the left side of ${what} must be a name or an indexed name`);
    }
  }

  // ---- constraints -----------------------------------------------------------------------

  private constraints(block: CstNode | undefined): A.ConstraintItem[] {
    if (block === undefined) return [];
    const items = this.nodes(block, 'constraintItem');
    this.checkSeparated(items, this.toks(block, 'Sep'));
    return items.map((i) => this.constraintItem(i));
  }

  private constraintItem(n: CstNode): A.ConstraintItem {
    const span = this.span(n);
    const f = this.node(n, 'constraintFor');
    if (f !== undefined) {
      const fs = this.span(f);
      return {
        kind: 'ConstraintFor',
        name: this.ident(this.tok(f, 'name'), fs),
        iter: this.expr(this.node(f, 'expression'), fs),
        body: this.constraints(this.node(f, 'constraintBlock')),
        span: fs,
      };
    }
    const label = this.tok(n, 'label');
    let expr = this.expr(this.node(n, 'lhs'), span);
    const assign = this.tok(n, 'Assign');
    if (assign !== undefined) {
      this.bag.error(
        this.tspan(assign),
        '`=` assigns; use `==` in a constraint',
        'write `lhs == rhs` for an equality constraint',
      );
      const rhs = this.expr(this.node(n, 'rhs'), span);
      expr = { kind: 'Compare', ops: ['=='], operands: [expr, rhs], span: joinSpans(expr.span, rhs.span) };
    } else if (expr.kind !== 'Compare' && !(expr.kind === 'Ident' && expr.name === '?')) {
      this.bag.error(
        expr.span,
        'a constraint must be a comparison',
        'use `==`, `<=` or `>=`, as in `x[0] + x[1] <= 1`',
      );
    } else if (expr.kind === 'Compare' && expr.ops.includes('!=')) {
      this.bag.error(expr.span, '`!=` cannot be a constraint', 'a solver needs `==`, `<=` or `>=`');
    }
    return { kind: 'Constraint', label: label === undefined ? null : this.ident(label, span), expr, span };
  }

  // ---- expressions -----------------------------------------------------------------------

  expr(n: CstNode | undefined, fallback: Span): A.Expr {
    if (n === undefined) return this.missing(fallback);
    switch (n.name) {
      case 'expression': {
        const ifExpr = this.node(n, 'ifExpr');
        return ifExpr !== undefined ? this.expr(ifExpr, this.span(n)) : this.binary(n);
      }
      case 'ifExpr': {
        const span = this.span(n);
        return {
          kind: 'If',
          cond: this.expr(this.node(n, 'cond'), span),
          then: this.expr(this.node(n, 'then'), span),
          else: this.expr(this.node(n, 'else'), span),
          span,
        };
      }
      case 'arithExpr':
        return this.binary(n);
      case 'unaryExpr': {
        const span = this.span(n);
        let e = this.atom(n, span);
        for (const suffix of this.nodes(n, 'indexSuffix')) {
          const ss = this.span(suffix);
          e = {
            kind: 'Index',
            target: e,
            indices: this.nodes(suffix, 'indexItem').map((i) => this.indexItem(i)),
            span: joinSpans(e.span, ss),
          };
        }
        const exp = this.node(n, 'exponent');
        if (exp !== undefined) {
          const right = this.expr(exp, span);
          e = { kind: 'Binary', op: '^', left: e, right, span: joinSpans(e.span, right.span) };
        }
        const ops = this.toks(n, 'op');
        for (let i = ops.length - 1; i >= 0; i--) {
          e = {
            kind: 'Unary',
            op: ops[i]!.image as A.Unary['op'],
            operand: e,
            span: joinSpans(this.tspan(ops[i]!), e.span),
          };
        }
        return e;
      }
    }
    return this.missing(this.span(n));
  }

  /**
   * Precedence climbing over the flat operand/operator lists of binaryExpr. Recursion depth is
   * bounded by the number of precedence levels, not by the length of the expression.
   */
  private binary(n: CstNode): A.Expr {
    const operands = this.nodes(n, 'operands');
    const ops = this.toks(n, 'ops');
    if (operands.length === 1 && ops.length === 0) return this.expr(operands[0], this.span(n));
    const fallback = this.span(n);
    const exprs = operands.map((o) => this.expr(o, fallback));
    while (exprs.length < ops.length + 1) exprs.push(this.missing(fallback));
    let pos = 0;
    const climb = (minPrec: number): A.Expr => {
      let left = exprs[pos]!;
      // Only a range built in this loop chains; `(a..b)..c` has a parenthesised left side.
      let builtRange = false;
      while (pos < ops.length && PRECEDENCE[ops[pos]!.image]! >= minPrec) {
        const op = ops[pos]!.image;
        const prec = PRECEDENCE[op]!;
        if (prec === COMPARE_PREC) {
          const chainOps: A.CompareOp[] = [];
          const chain: A.Expr[] = [left];
          while (pos < ops.length && PRECEDENCE[ops[pos]!.image] === COMPARE_PREC) {
            chainOps.push(ops[pos]!.image as A.CompareOp);
            pos++;
            chain.push(climb(prec + 1));
          }
          left = this.compare(chainOps, chain);
          builtRange = false;
          continue;
        }
        pos++;
        const right = climb(prec + 1);
        if (prec === RANGE_PREC) {
          if (builtRange)
            this.bag.error(joinSpans(left.span, right.span), 'ranges do not chain', 'write one range, `a..b`');
          left = {
            kind: 'Range',
            start: left,
            end: right,
            inclusive: op === '..=',
            span: joinSpans(left.span, right.span),
          };
          builtRange = true;
        } else {
          left = { kind: 'Binary', op: op as A.BinaryOp, left, right, span: joinSpans(left.span, right.span) };
          builtRange = false;
        }
      }
      return left;
    };
    return climb(0);
  }

  private compare(ops: A.CompareOp[], operands: A.Expr[]): A.Expr {
    const first = operands[0]!;
    const last = operands[operands.length - 1]!;
    const e: A.Compare = { kind: 'Compare', ops, operands, span: joinSpans(first.span, last.span) };
    if (ops.length > 2) {
      this.bag.error(e.span, 'comparisons chain at most twice', 'a double-sided comparison reads `lo <= x <= hi`');
    } else if (ops.length === 2) {
      const up = ops.every((o) => o === '<' || o === '<=');
      const down = ops.every((o) => o === '>' || o === '>=');
      if (!up && !down) {
        this.bag.error(
          e.span,
          'a double-sided comparison must point one way',
          'write `lo <= x <= hi` (or `hi >= x >= lo`); join other comparisons with `&&`',
        );
      }
    }
    return e;
  }

  private indexItem(n: CstNode): A.Expr | A.Slice {
    const span = this.span(n);
    const lo = this.node(n, 'lo');
    const hi = this.node(n, 'hi');
    if (n.children['Colon'] === undefined) return this.expr(lo, span);
    return {
      kind: 'Slice',
      start: lo === undefined ? null : this.expr(lo, span),
      end: hi === undefined ? null : this.expr(hi, span),
      span,
    };
  }

  /** The atom of a unaryExpr: literal, name, call, parenthesised expression or array. */
  private atom(n: CstNode, fallback: Span): A.Expr {
    const num = this.tok(n, 'Number');
    if (num !== undefined) {
      return {
        kind: 'Number',
        value: Number(num.image),
        raw: num.image,
        isInt: /^\d+$/.test(num.image),
        span: this.tspan(num),
      };
    }
    const str = this.tok(n, 'StringLiteral');
    if (str !== undefined)
      return { kind: 'String', value: stringValue(str.image, str.tokenType === T.StringToken), span: this.tspan(str) };
    const t = this.tok(n, 'Kw_true') ?? this.tok(n, 'Kw_false');
    if (t !== undefined) return { kind: 'Bool', value: t.image === 'true', span: this.tspan(t) };
    const name = this.tok(n, 'name');
    if (name !== undefined) {
      const id = this.ident(name, fallback);
      const argList = this.node(n, 'argList');
      if (argList === undefined) return id;
      const call: A.Call = {
        kind: 'Call',
        callee: id,
        args: this.args(argList),
        span: joinSpans(id.span, this.span(argList)),
      };
      if (argList.children['Bar'] !== undefined) call.bar = true;
      return call;
    }
    const inner = this.node(n, 'inner');
    if (inner !== undefined) return this.expr(inner, fallback);
    const arr = this.node(n, 'arrayLit');
    if (arr !== undefined) return this.array(arr);
    return this.missing(fallback);
  }

  private args(n: CstNode): A.Arg[] {
    return this.nodes(n, 'arg').map((a) => {
      const span = this.span(a);
      const name = this.tok(a, 'name');
      return {
        kind: 'Arg',
        name: name === undefined ? null : this.ident(name, span),
        value: this.expr(this.node(a, 'expression'), span),
        span,
      };
    });
  }

  private array(n: CstNode): A.Expr {
    const span = this.span(n);
    const rows = this.nodes(n, 'arrayRow').map((r) => this.nodes(r, 'expression').map((e) => this.expr(e, span)));
    if (n.children['Semi'] === undefined) return { kind: 'Vector', elements: rows[0] ?? [], span };
    const width = rows[0]?.length ?? 0;
    const bad = rows.find((r) => r.length !== width);
    if (bad !== undefined) {
      this.bag.error(
        span,
        `matrix rows have different lengths (${width} and ${bad.length})`,
        'every row of `[a, b; c, d]` needs the same number of entries',
      );
    }
    return { kind: 'Matrix', rows, span };
  }
}

/** Binding strength of each binary operator; higher binds tighter. `^` is in unaryExpr. */
// Infix binding strengths: the table the printer parenthesises by (precedence.ts).
const PRECEDENCE: Record<string, number> = INFIX_LEVEL;
const COMPARE_PREC = LEVEL.CMP;
const RANGE_PREC = LEVEL.RANGE;

/** A call to a capitalised name, which by convention is a distribution (`Normal(0, 1)`). */
function isDistribution(e: A.Expr): boolean {
  return e.kind === 'Call' && /^[A-Z]/.test(e.callee.name);
}
