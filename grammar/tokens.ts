// Token vocabulary of .opt and the chevrotain lexer built from it.
// Invariants: every keyword uses `longer_alt: Identifier`, and keywords are tried longest
// first, so `infer`, `int` and `import_path` never lex as `in`. Contextual keywords carry the
// Identifier category: the parser may demand them by name in one place (`subject to`,
// `data from`, `via`) while they stay ordinary names everywhere else (`guide = full_rank`).
// Newlines are real tokens here; grammar/layout.ts decides which ones end a statement.

import { createToken, Lexer, type TokenType } from 'chevrotain';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

/** Statement separator: an explicit `;` or a newline kept by the layout pass. */
export const Sep = createToken({ name: 'Sep', pattern: Lexer.NA });
export const Semi = createToken({ name: 'Semi', pattern: ';', categories: [Sep] });
export const Newline = createToken({ name: 'Newline', pattern: /\n/, line_breaks: true, categories: [Sep] });

/** Words that can never be names. */
export const RESERVED_WORDS = [
  'import',
  'var',
  'let',
  'fn',
  'for',
  'in',
  'if',
  'then',
  'else',
  'true',
  'false',
  'minimize',
  'maximize',
  'subject',
  'where',
  'infer',
] as const;

/** Words that are keywords only where the grammar asks for them; elsewhere they are names. */
export const CONTEXTUAL_WORDS = [
  'data',
  'from',
  'param',
  'start',
  'model',
  'guide',
  'generate',
  'state',
  'objective',
  'to',
  'over',
  'via',
  'argmin',
  'argmax',
  'solve',
] as const;

export type KeywordWord = (typeof RESERVED_WORDS)[number] | (typeof CONTEXTUAL_WORDS)[number];

function keyword(word: string, contextual: boolean): TokenType {
  return createToken({
    name: `Kw_${word}`,
    pattern: word,
    longer_alt: Identifier,
    categories: contextual ? [Identifier] : [],
  });
}

export const KEYWORDS: Record<KeywordWord, TokenType> = Object.fromEntries([
  ...RESERVED_WORDS.map((w) => [w, keyword(w, false)] as const),
  ...CONTEXTUAL_WORDS.map((w) => [w, keyword(w, true)] as const),
]) as Record<KeywordWord, TokenType>;

export const Kw = KEYWORDS;

// Literals. The string pattern refuses newlines so that a missing quote is caught on its own
// line; the unterminated variant (a StringLiteral too, so parsing continues) is reported by
// lex.ts. It stops before a bracket or `;`, the likeliest end of what was meant as the string
// (`data from "d.json {` keeps its `{`), so one missing quote does not unbalance the file.
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: Lexer.NA });
export const StringToken = createToken({
  name: 'String',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/,
  categories: [StringLiteral],
});
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"(?:[^"\\\r\n{}()[\];]|\\[^\r\n])*\\?/,
  categories: [StringLiteral],
});
// No `1.` form: `1..n` must lex as a range.
export const NumberToken = createToken({ name: 'Number', pattern: /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/ });

// Comments live in their own group so the parser never sees them and the formatter can.
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\r\n]*/, group: 'comments' });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  line_breaks: true,
  group: 'comments',
});
export const UnterminatedComment = createToken({
  name: 'UnterminatedComment',
  pattern: /\/\*[\s\S]*/,
  line_breaks: true,
  group: 'comments',
});

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\f\v\r\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
});

const punct = (name: string, pattern: string): TokenType => createToken({ name, pattern });

export const LParen = punct('LParen', '(');
export const RParen = punct('RParen', ')');
export const LBracket = punct('LBracket', '[');
export const RBracket = punct('RBracket', ']');
export const LCurly = punct('LCurly', '{');
export const RCurly = punct('RCurly', '}');
export const Comma = punct('Comma', ',');
export const Colon = punct('Colon', ':');
export const Tilde = punct('Tilde', '~');
export const DotDotEq = punct('DotDotEq', '..=');
export const DotDot = punct('DotDot', '..');
export const EqEq = punct('EqEq', '==');
export const NotEq = punct('NotEq', '!=');
export const LtEq = punct('LtEq', '<=');
export const GtEq = punct('GtEq', '>=');
export const Lt = punct('Lt', '<');
export const Gt = punct('Gt', '>');
export const AndAnd = punct('AndAnd', '&&');
export const OrOr = punct('OrOr', '||');
/** `|` separates a density function's value from its parameters: `normal_lpdf(y | mu, sigma)`. */
export const Bar = punct('Bar', '|');
export const PlusEq = punct('PlusEq', '+=');
export const MinusEq = punct('MinusEq', '-=');
export const StarEq = punct('StarEq', '*=');
export const SlashEq = punct('SlashEq', '/=');
export const Assign = punct('Assign', '=');
export const Plus = punct('Plus', '+');
export const Minus = punct('Minus', '-');
export const Star = punct('Star', '*');
export const Slash = punct('Slash', '/');
export const Percent = punct('Percent', '%');
export const At = punct('At', '@');
export const Caret = punct('Caret', '^');
export const Bang = punct('Bang', '!');

const keywordsLongestFirst = Object.values(KEYWORDS).sort(
  (a, b) => String(b.PATTERN).length - String(a.PATTERN).length,
);

/** Order matters: chevrotain takes the first pattern that matches, so longer operators come first. */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Newline,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringToken,
  UnterminatedString,
  NumberToken,
  ...keywordsLongestFirst,
  Identifier,
  DotDotEq,
  DotDot,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  AndAnd,
  OrOr,
  Bar,
  PlusEq,
  MinusEq,
  StarEq,
  SlashEq,
  Lt,
  Gt,
  Assign,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  At,
  Caret,
  Bang,
  Tilde,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  Comma,
  Colon,
  Semi,
  Sep,
  StringLiteral,
];

export const lexer = new Lexer(ALL_TOKENS, {
  positionTracking: 'full',
  // Validated by the grammar tests (tests/grammar/validation.test.ts); skipping them here saves start-up time.
  skipValidations: process.env.PROXIMA_VALIDATE_GRAMMAR !== '1',
  ensureOptimizations: true,
  // Newlines are tokens, so chevrotain's line counting only needs the `\n` it already sees.
  lineTerminatorsPattern: /\n/g,
  lineTerminatorCharacters: ['\n'],
});

/** The literal text of a keyword or punctuation token, or undefined for token classes. */
export function literalOf(t: TokenType): string | undefined {
  return typeof t.PATTERN === 'string' ? t.PATTERN : undefined;
}
