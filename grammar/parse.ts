// The front end's entry point: source text -> { program, diagnostics }.
// Stages: lex (lex.ts, with the layout pass) -> chevrotain parse (parser.ts) -> CST to AST
// (build.ts). Errors from all stages are merged and trimmed to the first per line (later
// ones on a line are usually echoes of the first), and the program is returned only when
// there is no error. Never throws: an unexpected exception becomes an "internal error"
// diagnostic. Linear time: each stage is, and top-level restarts after unparseable input
// are capped.

import { tokenMatcher, type CstNode, type IRecognitionException } from 'chevrotain';
import type { Comment, Program, Stmt } from './ast.js';
import { AstBuilder } from './build.js';
import { compareDiagnostics, DiagnosticBag, type Diagnostic } from './diagnostics.js';
import { MAX_NESTING } from './layout.js';
import { lex, tokenSpan } from './lex.js';
import { parser } from './parser.js';
import { LineMap } from './span.js';
import { describeSyntaxError, OpenBrackets } from './syntax-errors.js';
import { MAX_DEPTH, nestingProblem } from './spine.js';
import * as T from './tokens.js';

export interface ParseResult {
  /** The AST, or null when any error was reported. */
  program: Program | null;
  /** Errors, warnings and notes in source order. */
  diagnostics: Diagnostic[];
}

/** At most this many errors are reported per file; the rest add nothing a fix won't reveal. */
export const MAX_ERRORS = 50;
/** Each restart copies the rest of the token list, so they are capped (linear time). */
const MAX_RESTARTS = MAX_ERRORS + 10;

export function parse(source: string, file: string): ParseResult {
  const map = new LineMap(file, source);
  try {
    return parseUnsafe(source, map);
  } catch (e) {
    // Recursion deeper than the guards foresaw is refused like too-deep brackets; anything
    // else is a bug, reported rather than thrown so a caller never has to catch.
    const message =
      e instanceof RangeError
        ? 'this file nests too deeply to parse'
        : `internal error in the parser: ${e instanceof Error ? e.message : String(e)}`;
    return { program: null, diagnostics: [{ severity: 'error', message, span: map.span(0, 0) }] };
  }
}

function parseUnsafe(source: string, map: LineMap): ParseResult {
  const lexBag = new DiagnosticBag();
  const { tokens, comments, tooDeep } = lex(source, map, lexBag);
  if (tooDeep !== null) {
    lexBag.error(
      tokenSpan(tooDeep, map),
      `brackets nest more than ${MAX_NESTING} levels deep`,
      'name the inner parts with `let` bindings',
    );
    return { program: null, diagnostics: trim([lexBag.items]) };
  }

  const parseBag = new DiagnosticBag();
  const buildBag = new DiagnosticBag();
  const builder = new AstBuilder(map, buildBag);
  const brackets = new OpenBrackets(tokens);
  const ctx = { map, tokens, brackets };
  const body: Stmt[] = [];
  let start = 0;
  for (let restarts = 0; restarts <= MAX_RESTARTS && start <= tokens.length; restarts++) {
    parser.input = start === 0 ? tokens : tokens.slice(start);
    let cst: CstNode;
    try {
      cst = parser.program();
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      // Deep recursion without deep brackets (`- - - ... x`, `a^a^...`): refuse, do not crash.
      const at = tokens[start] === undefined ? map.span(0, 0) : tokenSpan(tokens[start]!, map);
      parseBag.error(at, 'this statement nests too deeply to parse', 'name the inner parts with `let` bindings');
      break;
    }
    const errors: IRecognitionException[] = parser.errors;
    for (const e of errors.slice(0, 4 * MAX_ERRORS)) parseBag.add(describeSyntaxError(e, ctx));
    body.push(
      ...builder.items(
        cst,
        parseBag.items.map((d) => d.span.start),
      ),
    );
    const extra = errors.find((e) => e.name === 'NotAllInputParsedException');
    if (extra === undefined) break;
    // Skip the line that could not start a statement and parse the rest on its own.
    let j = brackets.indexOf(extra.token) + 1;
    while (j < tokens.length && !tokenMatcher(tokens[j]!, T.Sep)) j++;
    if (j >= tokens.length) break;
    start = j;
  }

  // Deep nesting that brackets do not show (`- - - ... x`, `a^a^...`, `if` chains) is refused
  // here, at one limit, so no later stage recurses deeper than MAX_DEPTH (spine.ts).
  if (!parseBag.items.some((d) => d.severity === 'error') && !buildBag.items.some((d) => d.severity === 'error')) {
    const deep = nestingProblem({ kind: 'Program', body, comments: [], span: map.span(0, source.length) });
    if (deep)
      buildBag.error(
        deep,
        `this expression nests more than ${MAX_DEPTH} levels deep`,
        'name the inner parts with `let` bindings',
      );
  }
  const diagnostics = trim([lexBag.items, parseBag.items, buildBag.items]);
  const commentNodes: Comment[] = comments.map((c) => ({
    kind: 'Comment',
    text: c.image,
    block: c.image.startsWith('/*'),
    span: tokenSpan(c, map),
  }));
  const ok = !diagnostics.some((d) => d.severity === 'error');
  const program: Program | null = ok
    ? { kind: 'Program', body, comments: commentNodes, span: map.span(0, source.length) }
    : null;
  return { program, diagnostics };
}

/**
 * Keeps the first error on each line, preferring earlier stages (a lexer error explains the
 * parser's confusion on the same line, not the other way round), then sorts and caps.
 */
function trim(stages: Diagnostic[][]): Diagnostic[] {
  // One error per line, from the earliest stage that reported one there.
  const perLine = new Map<number, Diagnostic>();
  const others: Diagnostic[] = [];
  for (const stage of stages) {
    for (const d of [...stage].sort(compareDiagnostics)) {
      if (d.severity !== 'error') others.push(d);
      else if (!perLine.has(d.span.line)) perLine.set(d.span.line, d);
    }
  }
  // One error per unclosed bracket: the parser and the layout pass may both notice the same
  // missing `)` at different places; the first place is nearest the mistake.
  const openers = new Set<string>();
  const kept: Diagnostic[] = [...others];
  for (const d of [...perLine.values()].sort(compareDiagnostics)) {
    const opener = /to close the \w+ opened at \d+:\d+/.exec(d.message)?.[0];
    if (opener !== undefined) {
      if (openers.has(opener)) continue;
      openers.add(opener);
    }
    kept.push(d);
  }
  kept.sort(compareDiagnostics);
  const errors = kept.filter((d) => d.severity === 'error');
  if (errors.length <= MAX_ERRORS) return kept;
  const last = errors[MAX_ERRORS - 1]!;
  const cut = kept.filter((d) => compareDiagnostics(d, last) <= 0);
  cut.push({ severity: 'note', message: `stopped after ${MAX_ERRORS} errors`, span: last.span });
  return cut;
}
