// fast-check generators of well-formed Proxima ASTs, for the print -> parse round trip and
// the formatter properties. Every tree generated here is one the parser can produce without
// diagnostics: lvalues on the left of `~` and `=`, comparisons in constraints, rectangular
// matrices, `param` only in guides, lowercase callees outside sampling statements (so that
// `x = Normal(...)` never trips the "did you mean `~`" check). Spans are all zero.

import fc from 'fast-check';
import type * as A from '../../grammar/ast.js';

const S: A.Span = { file: '', start: 0, end: 0, line: 0, col: 0, endLine: 0, endCol: 0 };

// Contextual keywords are included on purpose: they must work as ordinary names.
const NAMES = [
  'x',
  'y',
  'mu',
  'theta_1',
  '_a',
  'N',
  'data',
  'param',
  'state',
  'model',
  'guide',
  'over',
  'via',
  'to',
  'from',
  'argmin',
  'objective',
  'start',
  'generate',
];
const CALLEES = ['f', 'sum', 'exp', 'log', 'adam', 'batch', 'expect', 'logmeanexp', 'data'];
const DISTS = ['Normal', 'HalfCauchy', 'Bernoulli', 'Dirichlet'];
const TYPES = ['real', 'int', 'bool', 'simplex', 'ordered', 'cholesky_corr', 'cov'];

export const ident = (names: readonly string[] = NAMES): fc.Arbitrary<A.Ident> =>
  fc.constantFrom(...names).map((name) => ({ kind: 'Ident', name, span: S }));

const number: fc.Arbitrary<A.NumberLit> = fc
  .oneof(
    fc.nat({ max: 100000 }).map(String),
    fc.tuple(fc.nat({ max: 999 }), fc.nat({ max: 999 })).map(([a, b]) => `${a}.${b}`),
    fc.nat({ max: 99 }).map((b) => `.${b}`),
    fc
      .tuple(fc.nat({ max: 9 }), fc.constantFrom('e', 'E'), fc.constantFrom('', '-', '+'), fc.nat({ max: 30 }))
      .map(([a, e, s, x]) => `${a}${e}${s}${x}`),
  )
  .map((raw) => ({ kind: 'Number', value: Number(raw), raw, isInt: /^\d+$/.test(raw), span: S }));

const string: fc.Arbitrary<A.StringLit> = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('"', '\\', '\n', '\t', 'a', ' ', '/'),
      fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    ),
    maxLength: 8,
  })
  .map((value) => ({ kind: 'String', value, span: S }));

const bool: fc.Arbitrary<A.BoolLit> = fc.boolean().map((value) => ({ kind: 'Bool', value, span: S }));

const leaf: fc.Arbitrary<A.Expr> = fc.oneof(
  { weight: 3, arbitrary: ident() },
  { weight: 3, arbitrary: number },
  string,
  bool,
);

const up = fc.constantFrom<A.CompareOp>('<', '<=');
const down = fc.constantFrom<A.CompareOp>('>', '>=');

interface Exprs {
  expr: A.Expr;
  lvalue: A.Expr;
}

export const exprs = fc.letrec<Exprs>((tie) => {
  const e = tie('expr') as fc.Arbitrary<A.Expr>;
  const args = fc.array(
    fc.record({
      kind: fc.constant('Arg' as const),
      name: fc.option(ident(), { nil: null }),
      value: e,
      span: fc.constant(S),
    }),
    { maxLength: 3 },
  );
  const index: fc.Arbitrary<A.Expr | A.Slice> = fc.oneof(
    { weight: 3, arbitrary: e },
    fc.record({
      kind: fc.constant('Slice' as const),
      start: fc.option(e, { nil: null }),
      end: fc.option(e, { nil: null }),
      span: fc.constant(S),
    }),
  );
  return {
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({
        kind: fc.constant('Unary' as const),
        op: fc.constantFrom<'-' | '!'>('-', '!'),
        operand: e,
        span: fc.constant(S),
      }),
      fc.record({
        kind: fc.constant('Binary' as const),
        op: fc.constantFrom<A.BinaryOp>('+', '-', '*', '/', '%', '@', '^', '&&', '||'),
        left: e,
        right: e,
        span: fc.constant(S),
      }),
      fc
        .oneof(
          fc
            .tuple(fc.constantFrom<A.CompareOp>('==', '!=', '<', '<=', '>', '>='), e, e)
            .map(([op, a, b]) => ({ ops: [op], operands: [a, b] })),
          fc
            .tuple(fc.oneof(fc.tuple(up, up), fc.tuple(down, down)), e, e, e)
            .map(([ops, a, b, c]) => ({ ops, operands: [a, b, c] })),
        )
        .map(({ ops, operands }): A.Compare => ({ kind: 'Compare', ops, operands, span: S })),
      fc.record({
        kind: fc.constant('Range' as const),
        start: e,
        end: e,
        inclusive: fc.boolean(),
        span: fc.constant(S),
      }),
      fc.record({ kind: fc.constant('If' as const), cond: e, then: e, else: e, span: fc.constant(S) }),
      fc
        .tuple(ident(CALLEES), args, fc.boolean())
        .map(([callee, as, bar]): A.Call =>
          bar && as.length > 1
            ? { kind: 'Call', callee, args: as, bar: true, span: S }
            : { kind: 'Call', callee, args: as, span: S },
        ),
      fc.record({
        kind: fc.constant('Index' as const),
        target: e,
        indices: fc.array(index, { minLength: 1, maxLength: 3 }),
        span: fc.constant(S),
      }),
      fc.record({
        kind: fc.constant('Vector' as const),
        elements: fc.array(e, { maxLength: 3 }),
        span: fc.constant(S),
      }),
      fc
        .tuple(fc.integer({ min: 2, max: 3 }), fc.integer({ min: 1, max: 3 }))
        .chain(([r, c]) => fc.array(fc.array(e, { minLength: c, maxLength: c }), { minLength: r, maxLength: r }))
        .map((rows): A.MatrixLit => ({ kind: 'Matrix', rows, span: S })),
    ),
    lvalue: fc.oneof(
      ident(),
      fc.record({
        kind: fc.constant('Index' as const),
        target: ident(),
        indices: fc.array(index, { minLength: 1, maxLength: 2 }),
        span: fc.constant(S),
      }),
    ),
  };
});

export const expr = exprs.expr;
const expr0: A.Expr = { kind: 'Number', value: 0, raw: '0', isInt: true, span: S };
const lvalue = exprs.lvalue;

const domain: fc.Arbitrary<A.Domain | null> = fc.option(
  fc.oneof(
    fc.record({
      kind: fc.constant('Bound' as const),
      op: fc.constantFrom<A.BoundDomain['op']>('>', '>=', '<', '<='),
      value: expr,
      span: fc.constant(S),
    }),
    fc.record({ kind: fc.constant('Interval' as const), lo: expr, hi: expr, span: fc.constant(S) }),
  ),
  { nil: null },
);

const type: fc.Arbitrary<A.TypeExpr> = fc
  .tuple(ident(TYPES), fc.array(expr, { maxLength: 2 }), fc.array(expr, { maxLength: 2 }), domain)
  .map(([name, dims, arrayDims, dom]) => ({
    kind: 'Type',
    name,
    dims,
    // the array bracket only follows the type's own bracket
    arrayDims: dims.length > 0 ? arrayDims : [],
    domain: dom,
    span: S,
  }));

const decl: fc.Arbitrary<A.Decl> = fc.record({
  kind: fc.constant('Decl' as const),
  name: ident(),
  type,
  init: fc.option(expr, { nil: null }),
  span: fc.constant(S),
});
const decls = fc.array(decl, { maxLength: 3 });
const argsOrNull = fc.option(
  fc.array(
    fc.record({
      kind: fc.constant('Arg' as const),
      name: fc.option(ident(), { nil: null }),
      value: expr,
      span: fc.constant(S),
    }),
    { maxLength: 3 },
  ),
  { nil: null },
);

const constraintItems = fc.letrec<{ items: A.ConstraintItem[]; item: A.ConstraintItem }>((tie) => ({
  items: fc.array(tie('item') as fc.Arbitrary<A.ConstraintItem>, { maxLength: 3 }),
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(fc.option(ident(), { nil: null }), fc.constantFrom<A.CompareOp>('==', '<=', '>=', '<', '>'), expr, expr)
      .map(([label, op, a, b]): A.Constraint => ({
        kind: 'Constraint',
        label,
        expr: { kind: 'Compare', ops: [op], operands: [a, b], span: S },
        span: S,
      })),
    fc.record({
      kind: fc.constant('ConstraintFor' as const),
      name: ident(),
      iter: expr,
      body: tie('items') as fc.Arbitrary<A.ConstraintItem[]>,
      span: fc.constant(S),
    }),
  ),
})).items;

function bodyStmts(inGuide: boolean): fc.Arbitrary<A.Stmt[]> {
  return fc.letrec<{ stmts: A.Stmt[]; stmt: A.Stmt }>((tie) => ({
    stmts: fc.array(tie('stmt') as fc.Arbitrary<A.Stmt>, { maxLength: 3 }),
    stmt: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({
        kind: fc.constantFrom('Let' as const, 'State' as const),
        name: ident(),
        type: fc.option(type, { nil: null }),
        value: expr,
        span: fc.constant(S),
      }),
      fc.record({
        kind: fc.constant('Sample' as const),
        target: lvalue,
        dist: fc.record({
          kind: fc.constant('Call' as const),
          callee: ident(DISTS),
          args: fc.array(
            fc.record({
              kind: fc.constant('Arg' as const),
              name: fc.constant(null),
              value: expr,
              span: fc.constant(S),
            }),
            { maxLength: 2 },
          ),
          span: fc.constant(S),
        }),
        truncation: fc.option(
          fc.tuple(fc.option(expr, { nil: null }), fc.option(expr, { nil: null })).map(([lo, hi]): A.Truncation => ({
            kind: 'Truncation',
            lo: lo ?? (hi === null ? expr0 : null),
            hi,
            span: S,
          })),
          { nil: null },
        ),
        via: fc.option(expr, { nil: null }),
        span: fc.constant(S),
      }),
      fc.record({ kind: fc.constant('TargetAdd' as const), value: expr, span: fc.constant(S) }),
      fc
        .tuple(
          expr,
          tie('stmts') as fc.Arbitrary<A.Stmt[]>,
          fc.option(fc.oneof(tie('stmts') as fc.Arbitrary<A.Stmt[]>, tie('stmt') as fc.Arbitrary<A.Stmt>), {
            nil: null,
          }),
        )
        .map(([cond, then, els]): A.IfStmt => {
          const elseIf = els !== null && !Array.isArray(els) && els.kind === 'IfStmt';
          return {
            kind: 'IfStmt',
            cond,
            then,
            thenSpan: S,
            else: els === null ? null : Array.isArray(els) ? els : elseIf ? [els] : [els],
            elseSpan: els === null || elseIf ? null : S,
            span: S,
          };
        }),
      fc.record({
        kind: fc.constant('Assign' as const),
        target: lvalue,
        op: fc.constantFrom<A.AssignOp>('=', '+=', '-=', '*=', '/='),
        value: expr,
        span: fc.constant(S),
      }),
      fc.record({
        kind: fc.constant('For' as const),
        name: ident(),
        iter: expr,
        body: tie('stmts') as fc.Arbitrary<A.Stmt[]>,
        span: fc.constant(S),
      }),
      ...(inGuide ? [fc.record({ kind: fc.constant('Param' as const), decls, span: fc.constant(S) })] : []),
    ),
  })).stmts;
}

const block: fc.Arbitrary<A.Block> = fc.record({
  kind: fc.constant('Block' as const),
  body: bodyStmts(false),
  result: expr,
  span: fc.constant(S),
});
const path = fc.string({ unit: fc.constantFrom('a', 'b', '/', '.', '_', '"', '\\'), maxLength: 10 });

export const stmt: fc.Arbitrary<A.Stmt> = fc.oneof(
  fc.record({ kind: fc.constant('Import' as const), path, span: fc.constant(S) }),
  fc.record({
    kind: fc.constant('Data' as const),
    source: fc.option(path, { nil: null }),
    decls,
    span: fc.constant(S),
  }),
  fc.record({ kind: fc.constantFrom('Var' as const, 'Param' as const), decls, span: fc.constant(S) }),
  fc.record({ kind: fc.constant('Start' as const), name: ident(), value: expr, span: fc.constant(S) }),
  fc.record({
    kind: fc.constantFrom('Model' as const, 'Generate' as const),
    body: bodyStmts(false),
    span: fc.constant(S),
  }),
  fc.record({ kind: fc.constant('Guide' as const), body: bodyStmts(true), span: fc.constant(S) }),
  fc.record({
    kind: fc.constant('Let' as const),
    name: ident(),
    type: fc.option(type, { nil: null }),
    value: expr,
    span: fc.constant(S),
  }),
  fc.record({
    kind: fc.constant('Fn' as const),
    name: ident(CALLEES),
    params: fc.array(
      fc.record({
        kind: fc.constant('FnParam' as const),
        name: ident(),
        type: fc.option(type, { nil: null }),
        span: fc.constant(S),
      }),
      { maxLength: 3 },
    ),
    body: fc.oneof(expr, block),
    span: fc.constant(S),
  }),
  fc.record({
    kind: fc.constant('Optimize' as const),
    sense: fc.constantFrom<'minimize' | 'maximize'>('minimize', 'maximize'),
    objective: expr,
    over: fc.array(ident(), { maxLength: 2 }),
    span: fc.constant(S),
  }),
  fc.record({ kind: fc.constant('SubjectTo' as const), constraints: constraintItems, span: fc.constant(S) }),
  fc.record({
    kind: fc.constant('Where' as const),
    name: ident(),
    sense: fc.constantFrom<'argmin' | 'argmax'>('argmin', 'argmax'),
    wrt: fc.array(ident(), { minLength: 1, maxLength: 2 }),
    body: block,
    constraints: fc.option(constraintItems, { nil: null }),
    span: fc.constant(S),
  }),
  fc.record({
    kind: fc.constantFrom('Solve' as const, 'Infer' as const),
    method: ident(CALLEES),
    args: argsOrNull,
    span: fc.constant(S),
  }),
  fc.record({ kind: fc.constant('ObjectiveDef' as const), name: ident(), value: expr, span: fc.constant(S) }),
);

export const program: fc.Arbitrary<A.Program> = fc
  .array(stmt, { maxLength: 5 })
  .map((body) => ({ kind: 'Program', body, comments: [], span: S }));

/** The tree without positions or comments, for comparing a reparse with the original. */
export function stripSpans(node: unknown): unknown {
  return JSON.parse(
    JSON.stringify(node, (key, value: unknown) =>
      key === 'span' || key.endsWith('Span') || key === 'comments' ? undefined : value,
    ),
  );
}
