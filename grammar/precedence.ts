// Binding strengths of expression forms, loosest first: the one table behind both the parser's
// precedence climbing (build.ts) and the printer's parenthesisation (print-expr.ts), so a printed
// expression parses back to the same tree. Levels above RANGE's infix operators (unary, `^`,
// postfix) are fixed by the grammar's rule nesting (parser.ts); the printer needs their numbers.

export const LEVEL = {
  IF: 0,
  OR: 1,
  AND: 2,
  CMP: 3,
  RANGE: 4,
  ADD: 5,
  MUL: 6,
  UNARY: 7,
  POW: 8,
  ATOM: 9,
};

/** The level of each infix operator that binaryExpr's flat operator list holds (`^` is not one). */
export const INFIX_LEVEL = {
  '||': LEVEL.OR,
  '&&': LEVEL.AND,
  '==': LEVEL.CMP,
  '!=': LEVEL.CMP,
  '<': LEVEL.CMP,
  '<=': LEVEL.CMP,
  '>': LEVEL.CMP,
  '>=': LEVEL.CMP,
  '..': LEVEL.RANGE,
  '..=': LEVEL.RANGE,
  '+': LEVEL.ADD,
  '-': LEVEL.ADD,
  '*': LEVEL.MUL,
  '/': LEVEL.MUL,
  '%': LEVEL.MUL,
  '@': LEVEL.MUL,
} as const;
