// Prints a Program in canonical layout: one statement per line, two-space indentation, every
// block opened on its header line and closed on its own line, at most one blank line where
// the source had any. Comments are re-attached by position: a comment on the same line as the
// end of an element stays at the end of that line, a comment on the line of a block's `{`
// stays after it, and every other comment goes on its own line before the element it sat
// in or before. So comments keep their text and order but may move to a line boundary.
// Printing a printed program changes nothing (the formatter is idempotent).

import type * as A from './ast.js';
import { printArgs, printDecl, printExpr, printTruncation, printType } from './print-expr.js';

const INDENT = '  ';

/** An element of a block body: something that occupies its own line(s). */
interface Element {
  span: A.Span;
  /** Blocks place their own inner comments; one-line elements hoist theirs. */
  block: boolean;
  /** Prints the element; blocks print several lines. */
  print: () => void;
}

export function printProgram(program: A.Program): string {
  const p = new Printer(program.comments);
  p.elements(
    program.body.map((s) => p.stmtElement(s)),
    Number.POSITIVE_INFINITY,
  );
  return p.finish();
}

class Printer {
  private readonly lines: string[] = [];
  private depth = 0;
  private next = 0;
  private lastLine = -1;
  private justOpened = true;

  constructor(private readonly comments: readonly A.Comment[]) {}

  finish(): string {
    this.flushComments(Number.POSITIVE_INFINITY);
    while (this.lines.length > 0 && this.lines[this.lines.length - 1] === '') this.lines.pop();
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }

  // ---- lines and comments ----------------------------------------------------------------

  private emit(text: string): void {
    this.lines.push(INDENT.repeat(this.depth) + text);
    this.justOpened = false;
  }

  private append(text: string): void {
    this.lines[this.lines.length - 1] += ` ${text}`;
  }

  private blankBefore(line: number): void {
    if (
      !this.justOpened &&
      this.lastLine >= 0 &&
      line > this.lastLine + 1 &&
      this.lines[this.lines.length - 1] !== ''
    ) {
      this.lines.push('');
    }
  }

  private pending(): A.Comment | undefined {
    return this.comments[this.next];
  }

  /** Comments that start before `offset` (and are not on `exceptLine`), each on its own line. */
  private flushComments(offset: number, exceptLine = -1, exceptFrom = Number.POSITIVE_INFINITY): void {
    for (let c = this.pending(); c !== undefined && c.span.start < offset; c = this.pending()) {
      if (c.span.line === exceptLine && c.span.start >= exceptFrom) break;
      this.blankBefore(c.span.line);
      for (const [i, l] of c.text.split('\n').entries()) {
        if (i === 0) this.emit(l);
        else this.lines.push(l);
      }
      this.lastLine = c.span.endLine;
      this.next++;
    }
  }

  /** Comments on `line` that start before `limit` go at the end of the last printed line. */
  private trailing(line: number, limit: number): void {
    for (let c = this.pending(); c !== undefined && c.span.line === line && c.span.start < limit; c = this.pending()) {
      this.append(c.text);
      this.lastLine = c.span.endLine;
      this.next++;
    }
  }

  /** Prints a body's elements, then the comments that precede `end` (its closing brace). */
  elements(items: Element[], end: number): void {
    items.forEach((item, i) => {
      const limit = items[i + 1]?.span.start ?? end;
      // Comments inside a one-line element, on lines before its last, go before it.
      if (item.block) this.flushComments(item.span.start);
      else this.flushComments(item.span.end, item.span.endLine, item.span.start);
      this.blankBefore(item.span.line);
      item.print();
      this.lastLine = Math.max(this.lastLine, item.span.endLine);
      this.trailing(item.span.endLine, limit);
    });
    this.flushComments(end);
  }

  /** `header {` children `}`; comments on the header line stay after the `{`. */
  private block(header: string, span: A.Span, children: Element[], closeAt: number, after = ''): void {
    const c = this.pending();
    if (children.length === 0 && after === '' && (c === undefined || c.span.start >= closeAt))
      return this.emit(`${header} {}`);
    this.emit(`${header} {`);
    this.trailing(span.line, children[0]?.span.start ?? closeAt);
    this.lastLine = Math.max(this.lastLine, span.line);
    this.depth++;
    this.justOpened = true;
    this.elements(children, closeAt);
    this.depth--;
    this.emit(`}${after}`);
  }

  // ---- statements ------------------------------------------------------------------------

  stmtElement(s: A.Stmt): Element {
    return { span: s.span, block: isBlock(s), print: () => this.stmt(s) };
  }

  private declElements(decls: A.Decl[]): Element[] {
    return decls.map((d) => ({ span: d.span, block: false, print: () => this.emit(printDecl(d)) }));
  }

  private stmts(body: A.Stmt[]): Element[] {
    return body.map((s) => this.stmtElement(s));
  }

  private constraintElements(items: A.ConstraintItem[]): Element[] {
    return items.map((c) => ({
      span: c.span,
      block: c.kind === 'ConstraintFor',
      print: () => {
        if (c.kind === 'ConstraintFor') {
          this.block(
            `for ${c.name.name} in ${printExpr(c.iter)}`,
            c.span,
            this.constraintElements(c.body),
            c.span.end - 1,
          );
        } else {
          this.emit(`${c.label === null ? '' : `${c.label.name}: `}${printExpr(c.expr)}`);
        }
      },
    }));
  }

  private blockBody(b: A.Block): Element[] {
    return [...this.stmts(b.body), { span: b.result.span, block: false, print: () => this.emit(printExpr(b.result)) }];
  }

  /** `var x: T` stays on one line and `var { x: T }` stays a block: the source said which. */
  private declared(keyword: string, s: A.Var | A.Param): void {
    const only = s.decls[0];
    if (s.decls.length === 1 && only !== undefined && only.span.end === s.span.end)
      this.emit(`${keyword} ${printDecl(only)}`);
    else this.block(keyword, s.span, this.declElements(s.decls), s.span.end - 1);
  }

  private stmt(s: A.Stmt): void {
    switch (s.kind) {
      case 'Import':
        return this.emit(`import ${printExpr({ kind: 'String', value: s.path, span: s.span })}`);
      case 'Data':
        return this.block(
          s.source === null ? 'data' : `data from ${printExpr({ kind: 'String', value: s.source, span: s.span })}`,
          s.span,
          this.declElements(s.decls),
          s.span.end - 1,
        );
      case 'Var':
        return this.declared('var', s);
      case 'Param':
        return this.declared('param', s);
      case 'Start':
        return this.emit(`start ${s.name.name} = ${printExpr(s.value)}`);
      case 'Model':
        return this.block('model', s.span, this.stmts(s.body), s.span.end - 1);
      case 'Guide':
        return this.block('guide', s.span, this.stmts(s.body), s.span.end - 1);
      case 'Generate':
        return this.block('generate', s.span, this.stmts(s.body), s.span.end - 1);
      case 'Let':
      case 'State':
        return this.emit(
          `${s.kind === 'Let' ? 'let' : 'state'} ${s.name.name}${s.type === null ? '' : `: ${printType(s.type)}`} = ${printExpr(s.value)}`,
        );
      case 'Fn': {
        const head = `fn ${s.name.name}(${s.params.map((p) => `${p.name.name}${p.type === null ? '' : `: ${printType(p.type)}`}`).join(', ')})`;
        if (s.body.kind === 'Block') return this.block(head, s.span, this.blockBody(s.body), s.span.end - 1);
        return this.emit(`${head} = ${printExpr(s.body)}`);
      }
      case 'Optimize':
        return this.emit(
          `${s.sense} ${printExpr(s.objective)}${s.over.length === 0 ? '' : ` over ${s.over.map((o) => o.name).join(', ')}`}`,
        );
      case 'SubjectTo':
        return this.block('subject to', s.span, this.constraintElements(s.constraints), s.span.end - 1);
      case 'Where': {
        const head = `where ${s.name.name} = ${s.sense}(${s.wrt.map((w) => w.name).join(', ')})`;
        if (s.constraints === null) return this.block(head, s.span, this.blockBody(s.body), s.body.span.end - 1);
        this.block(head, s.span, this.blockBody(s.body), s.body.span.end - 1, ' subject to {');
        this.depth++;
        this.justOpened = true;
        this.elements(this.constraintElements(s.constraints), s.span.end - 1);
        this.depth--;
        return this.emit('}');
      }
      case 'Solve':
      case 'Infer':
        return this.emit(
          `${s.kind === 'Solve' ? 'solve' : 'infer'} ${s.method.name}${s.args === null ? '' : `(${printArgs(s.args)})`}`,
        );
      case 'ObjectiveDef':
        return this.emit(`objective ${s.name.name} = ${printExpr(s.value)}`);
      case 'Sample':
        return this.emit(
          `${printExpr(s.target)} ~ ${printExpr(s.dist)}${s.truncation === null ? '' : ` ${printTruncation(s.truncation)}`}${s.via === null ? '' : ` via ${printExpr(s.via)}`}`,
        );
      case 'TargetAdd':
        return this.emit(`target += ${printExpr(s.value)}`);
      case 'Assign':
        return this.emit(`${printExpr(s.target)} ${s.op} ${printExpr(s.value)}`);
      case 'For':
        return this.block(`for ${s.name.name} in ${printExpr(s.iter)}`, s.span, this.stmts(s.body), s.span.end - 1);
      case 'IfStmt':
        return this.ifStmt(s);
    }
  }

  /** `if c {` ... `} else if c2 {` ... `} else {` ... `}`: one chain, branches indented. */
  private ifStmt(s: A.IfStmt): void {
    this.emit(`if ${printExpr(s.cond)} {`);
    this.branch(s.span.line, s.then, s.thenSpan.end - 1);
    let cur = s;
    while (cur.else !== null) {
      const e = cur.else;
      const next = e[0];
      if (cur.elseSpan === null && e.length === 1 && next?.kind === 'IfStmt') {
        cur = next;
        this.emit(`} else if ${printExpr(cur.cond)} {`);
        this.branch(cur.span.line, cur.then, cur.thenSpan.end - 1);
        continue;
      }
      this.emit('} else {');
      this.branch(cur.elseSpan?.line ?? cur.span.line, e, (cur.elseSpan ?? cur.span).end - 1);
      break;
    }
    this.emit('}');
  }

  private branch(headerLine: number, body: A.Stmt[], closeAt: number): void {
    const children = this.stmts(body);
    this.trailing(headerLine, children[0]?.span.start ?? closeAt);
    this.lastLine = Math.max(this.lastLine, headerLine);
    this.depth++;
    this.justOpened = true;
    this.elements(children, closeAt);
    this.depth--;
  }
}

function isBlock(s: A.Stmt): boolean {
  switch (s.kind) {
    case 'Data':
    case 'Model':
    case 'Guide':
    case 'Generate':
    case 'SubjectTo':
    case 'Where':
    case 'For':
    case 'IfStmt':
      return true;
    case 'Var':
    case 'Param':
      return s.decls.length !== 1 || s.decls[0]!.span.end !== s.span.end;
    case 'Fn':
      return s.body.kind === 'Block';
    default:
      return false;
  }
}
