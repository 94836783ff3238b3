// The .opt abstract syntax tree: the one contract between the front end and the compiler.
//
// Every node is a plain object with a `kind` discriminant and a `span` (see span.ts: 1-based
// line/col, exclusive end, plus offsets). Names, including declared ones, are `Ident` nodes so
// that a diagnostic about a name can point at it. Parentheses leave no trace: precedence is in
// the tree's shape. `parse` returns a Program only when there were no errors, so the compiler
// never sees a partial tree.
//
// Where statements may appear (the parser enforces this):
//   top level:       Import Data Var Param Start Model Guide Generate Let Fn Optimize
//                    SubjectTo Where Solve Infer ObjectiveDef
//   model, guide,
//   generate, for,
//   fn bodies:       Let State For IfStmt Param Sample TargetAdd Assign
//                    (Param only in `guide`; the parser reports it elsewhere)
//   subject to:      Constraint ConstraintFor
// Expression semantics worth knowing: indices are 0-based; `Range` is half-open unless
// `inclusive`; `Compare` holds a chain (`0 <= x <= 10` is one node with two ops).

import type { Span } from './span.js';

export type { Span };

export interface Program {
  kind: 'Program';
  body: Stmt[];
  /** Every comment in the file, in order; the formatter re-attaches them. */
  comments: Comment[];
  span: Span;
}

export interface Comment {
  kind: 'Comment';
  /** The full comment text including `//` or the delimiters. */
  text: string;
  block: boolean;
  span: Span;
}

// ---- Names and types -------------------------------------------------------------------

export interface Ident {
  kind: 'Ident';
  name: string;
  span: Span;
}

/** `real`, `int[n]`, `real[n, d] > 0`, `simplex[k]`, `simplex[k][m]`, `real in [0, 1 - a]`. The name is not checked here. */
export interface TypeExpr {
  kind: 'Type';
  name: Ident;
  /** Symbolic or literal dimensions; empty for scalars. */
  dims: Expr[];
  /** `simplex[k][m]`: the second bracket, an array of m values of the type (the value's shape is
   *  [...arrayDims, ...the type's own shape]); empty when absent. */
  arrayDims: Expr[];
  domain: Domain | null;
  span: Span;
}

export type Domain = BoundDomain | IntervalDomain;

/** `> e`, `>= e`, `< e`, `<= e` after a type. */
export interface BoundDomain {
  kind: 'Bound';
  op: '>' | '>=' | '<' | '<=';
  value: Expr;
  span: Span;
}

/** `in [lo, hi]` after a type. */
export interface IntervalDomain {
  kind: 'Interval';
  lo: Expr;
  hi: Expr;
  span: Span;
}

/** `name: type [= init]` inside `data`, `var` or `param`. */
export interface Decl {
  kind: 'Decl';
  name: Ident;
  type: TypeExpr;
  /** A data default, or the initial value of a var/param (same meaning as `start`). */
  init: Expr | null;
  span: Span;
}

// ---- Statements ------------------------------------------------------------------------

export type Stmt =
  | Import
  | Data
  | Var
  | Param
  | Start
  | Model
  | Guide
  | Generate
  | Let
  | State
  | Fn
  | Optimize
  | SubjectTo
  | Where
  | Solve
  | Infer
  | ObjectiveDef
  | Sample
  | TargetAdd
  | Assign
  | For
  | IfStmt;

/** `import "other.opt"`; the path is relative to the importing file. */
export interface Import {
  kind: 'Import';
  path: string;
  span: Span;
}

/** `data [from "file.json"] { decls }`. */
export interface Data {
  kind: 'Data';
  source: string | null;
  decls: Decl[];
  span: Span;
}

/** `var x: T` or `var { x: T; y: U }`: decision variables. A domain is a solver constraint. */
export interface Var {
  kind: 'Var';
  decls: Decl[];
  span: Span;
}

/** `param x: T` or `param { ... }`: model parameters (in a guide: variational parameters). */
export interface Param {
  kind: 'Param';
  decls: Decl[];
  span: Span;
}

/** `start x = expr`: the initial value of a var or param. */
export interface Start {
  kind: 'Start';
  name: Ident;
  value: Expr;
  span: Span;
}

export interface Model {
  kind: 'Model';
  body: Stmt[];
  span: Span;
}
export interface Guide {
  kind: 'Guide';
  body: Stmt[];
  span: Span;
}
/** Derived quantities, computed once per posterior draw. `name = expr` in here declares an output. */
export interface Generate {
  kind: 'Generate';
  body: Stmt[];
  span: Span;
}

/** `let x [: T] = expr`: an immutable binding. */
export interface Let {
  kind: 'Let';
  name: Ident;
  type: TypeExpr | null;
  value: Expr;
  span: Span;
}

/** `state h [: T] = expr`: a mutable binding; a `for` loop that assigns it carries it (a scan). */
export interface State {
  kind: 'State';
  name: Ident;
  type: TypeExpr | null;
  value: Expr;
  span: Span;
}

/** `fn f(a, b: real) = expr` or `fn f(a) { stmts; result }` (then `body` is a Block). */
export interface Fn {
  kind: 'Fn';
  name: Ident;
  params: FnParam[];
  body: Expr;
  span: Span;
}
export interface FnParam {
  kind: 'FnParam';
  name: Ident;
  type: TypeExpr | null;
  span: Span;
}

/** `minimize expr [over a, b]`; `over` empty means every `var`. */
export interface Optimize {
  kind: 'Optimize';
  sense: 'minimize' | 'maximize';
  objective: Expr;
  over: Ident[];
  span: Span;
}

/** `subject to { ... }`. */
export interface SubjectTo {
  kind: 'SubjectTo';
  constraints: ConstraintItem[];
  span: Span;
}

export type ConstraintItem = Constraint | ConstraintFor;

/** `[label:] expr` where expr is a Compare (`==`, `<=`, `>=`, `<`, `>`, or a double-sided chain). */
export interface Constraint {
  kind: 'Constraint';
  label: Ident | null;
  expr: Expr;
  span: Span;
}

/** `for i in range { constraints }`: one constraint per element of the range. */
export interface ConstraintFor {
  kind: 'ConstraintFor';
  name: Ident;
  iter: Expr;
  body: ConstraintItem[];
  span: Span;
}

/** `where w = argmin(w) { objective } [subject to { ... }]`: the inner problem of a bilevel program. */
export interface Where {
  kind: 'Where';
  name: Ident;
  sense: 'argmin' | 'argmax';
  wrt: Ident[];
  body: Block;
  constraints: ConstraintItem[] | null;
  span: Span;
}

/** `solve method(args)`; `args` is null when written without parentheses. */
export interface Solve {
  kind: 'Solve';
  method: Ident;
  args: Arg[] | null;
  span: Span;
}

/** `infer method(args)`; `args` is null when written without parentheses. */
export interface Infer {
  kind: 'Infer';
  method: Ident;
  args: Arg[] | null;
  span: Span;
}

/** `objective name = expr`: a user-defined variational objective. */
export interface ObjectiveDef {
  kind: 'ObjectiveDef';
  name: Ident;
  value: Expr;
  span: Span;
}

/** `target ~ dist [T[lo, hi]] [via estimator]`; target is an Ident or an Index. */
export interface Sample {
  kind: 'Sample';
  target: Expr;
  dist: Expr;
  /** `T[lo, hi]`: the distribution truncated to [lo, hi] (either bound may be absent). */
  truncation: Truncation | null;
  via: Expr | null;
  span: Span;
}

/** `T[lo, hi]`, `T[lo, ]`, `T[, hi]` after a distribution. */
export interface Truncation {
  kind: 'Truncation';
  lo: Expr | null;
  hi: Expr | null;
  span: Span;
}

/** `target += expr`: adds to the log density. */
export interface TargetAdd {
  kind: 'TargetAdd';
  value: Expr;
  span: Span;
}

/** `x = e`, `x[i] = e`, `x += e` ... on a `state` (or, in `generate`, declaring an output). */
export interface Assign {
  kind: 'Assign';
  target: Expr;
  op: AssignOp;
  value: Expr;
  span: Span;
}
export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=';

/**
 * `if cond { ... } else { ... }` in a block. `else` holds the else branch's statements, or, for
 * `else if`, a single IfStmt (then `elseSpan` is null); null without an else.
 */
export interface IfStmt {
  kind: 'IfStmt';
  cond: Expr;
  then: Stmt[];
  /** The `{ ... }` of the then branch. */
  thenSpan: Span;
  else: Stmt[] | null;
  /** The `{ ... }` of the else branch; null for `else if` or no else. */
  elseSpan: Span | null;
  span: Span;
}

/** `for i in iter { ... }`; lowers to a scan (or, over `batch(N, B)`, a minibatched plate). */
export interface For {
  kind: 'For';
  name: Ident;
  iter: Expr;
  body: Stmt[];
  span: Span;
}

// ---- Expressions -----------------------------------------------------------------------

export type Expr =
  | NumberLit
  | StringLit
  | BoolLit
  | Ident
  | Unary
  | Binary
  | Compare
  | Range
  | If
  | Call
  | Index
  | VectorLit
  | MatrixLit
  | Block;

export interface NumberLit {
  kind: 'Number';
  value: number;
  /** Source spelling, kept so that printing reproduces `1e-9` rather than `1e-9`'s float. */
  raw: string;
  /** True when written without `.` or exponent. */
  isInt: boolean;
  span: Span;
}

export interface StringLit {
  kind: 'String';
  value: string;
  span: Span;
}
export interface BoolLit {
  kind: 'Bool';
  value: boolean;
  span: Span;
}

export interface Unary {
  kind: 'Unary';
  op: '-' | '!';
  operand: Expr;
  span: Span;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '@' | '^' | '&&' | '||';
export interface Binary {
  kind: 'Binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
  span: Span;
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
/** `a op b` or the double-sided `a op b op c` (both ops `<`/`<=`, or both `>`/`>=`). */
export interface Compare {
  kind: 'Compare';
  ops: CompareOp[];
  operands: Expr[];
  span: Span;
}

/** `a..b` (half-open) or `a..=b` (inclusive). */
export interface Range {
  kind: 'Range';
  start: Expr;
  end: Expr;
  inclusive: boolean;
  span: Span;
}

export interface If {
  kind: 'If';
  cond: Expr;
  then: Expr;
  else: Expr;
  span: Span;
}

export interface Call {
  kind: 'Call';
  callee: Ident;
  args: Arg[];
  /** `f(y | a, b)`: the first argument is separated by `|` (density functions). */
  bar?: boolean;
  span: Span;
}
/** A positional (`name` null) or named (`lr = 0.01`) argument. */
export interface Arg {
  kind: 'Arg';
  name: Ident | null;
  value: Expr;
  span: Span;
}

/** `x[i]`, `X[:, 0]`, `x[1:]`, `x[-1]`: 0-based, negative counts from the end. */
export interface Index {
  kind: 'Index';
  target: Expr;
  indices: (Expr | Slice)[];
  span: Span;
}
/** `lo:hi` inside an index; either bound may be omitted (null). */
export interface Slice {
  kind: 'Slice';
  start: Expr | null;
  end: Expr | null;
  span: Span;
}

/** `[a, b, c]`. */
export interface VectorLit {
  kind: 'Vector';
  elements: Expr[];
  span: Span;
}
/** `[a, b; c, d]`: rows separated by `;`. */
export interface MatrixLit {
  kind: 'Matrix';
  rows: Expr[][];
  span: Span;
}

/** `{ stmts; result }`: a function body or the objective of a `where` inner problem. */
export interface Block {
  kind: 'Block';
  body: Stmt[];
  result: Expr;
  span: Span;
}

export type Node =
  | Program
  | Comment
  | Ident
  | TypeExpr
  | Domain
  | Decl
  | Stmt
  | ConstraintItem
  | FnParam
  | Expr
  | Arg
  | Slice
  | Truncation;
