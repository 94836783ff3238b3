// The .opt grammar as a chevrotain CstParser. One instance (`parser`) is built at load time
// and reused: chevrotain's self-analysis is expensive, parsing with it is cheap. The rule
// names here are the nonterminals of docs/grammar.md; tests/grammar/ebnf-sync.test.ts fails
// when the two drift. Statement separators are Sep tokens (`;` or a newline the layout pass
// kept). Error recovery is on; messages come from syntax-errors.ts, never from chevrotain.

import { CstParser, type CstNode, type IParserErrorMessageProvider } from 'chevrotain';
import * as T from './tokens.js';
import { errorMessageProvider } from './syntax-errors.js';

const { Kw } = T;

const MAX_NESTED_RECOVERIES = 20;

export class OptParser extends CstParser {
  /**
   * `validate` runs chevrotain's grammar validations (ambiguities, left recursion, ...). They
   * cost most of the parser's start-up time and cannot fail on a fixed grammar at run time, so
   * the shared instance skips them and a test constructs a validated parser instead.
   */
  constructor(provider: IParserErrorMessageProvider, validate = false) {
    super(T.ALL_TOKENS, {
      skipValidations: !validate,
      recoveryEnabled: true,
      maxLookahead: 3,
      // Offsets suffice (spans come from the line map); full tracking doubled the garbage per node.
      nodeLocationTracking: 'onlyOffset',
      errorMessageProvider: provider,
    });
    this.performSelfAnalysis();
    this.boundInRepetitionRecovery();
  }

  /**
   * chevrotain's in-repetition recovery (skip junk inside a MANY and resume it) re-enters the
   * repetition from inside itself, so each recovered error adds stack frames: a file with a
   * few thousand bad lines would overflow the stack. It is an instance property set when
   * recovery is on (chevrotain 11.2, pinned); this wraps it so at most MAX_NESTED_RECOVERIES
   * are active at once, and never at the top level. Beyond that the repetition simply ends,
   * the rule-level recovery or the restart loop in parse.ts takes over, and the stack stays
   * bounded.
   */
  private boundInRepetitionRecovery(): void {
    const self = this as unknown as {
      attemptInRepetitionRecovery: (...args: unknown[]) => void;
      getCurrRuleFullName(): string;
    };
    const original = self.attemptInRepetitionRecovery;
    let active = 0;
    self.attemptInRepetitionRecovery = function (this: typeof self, ...args: unknown[]): void {
      // At the top level the only resync point is the end of the file, so each attempt would
      // scan to it (quadratic in the number of bad lines); parse.ts restarts there instead.
      if (active >= MAX_NESTED_RECOVERIES || this.getCurrRuleFullName() === 'program') return;
      active++;
      try {
        original.apply(this, args);
      } finally {
        active--;
      }
    };
  }

  // chevrotain rebuilds an OR's alternatives on every call unless they are cached; under
  // tsx/esbuild each `{ ALT: () => ... }` also costs a `__name` call, so caching them
  // roughly halves parse time. Keys are per call site.
  private readonly altCache = new Map<number, any>();

  private alts<A>(key: number, make: () => A): A {
    let a = this.altCache.get(key) as A | undefined;
    if (a === undefined) {
      a = make();
      this.altCache.set(key, a);
    }
    return a;
  }

  // ---- Program and top-level items -------------------------------------------------------

  program = this.RULE('program', () => {
    this.MANY(() =>
      this.OR(this.alts(1, () => [{ ALT: () => this.CONSUME(T.Sep) }, { ALT: () => this.SUBRULE(this.item) }])),
    );
  });

  item = this.RULE('item', () => {
    this.OR(
      this.alts(2, () => [
        { ALT: () => this.SUBRULE(this.importItem) },
        { ALT: () => this.SUBRULE(this.dataItem) },
        { ALT: () => this.SUBRULE(this.varItem) },
        { ALT: () => this.SUBRULE(this.paramItem) },
        { ALT: () => this.SUBRULE(this.startItem) },
        { ALT: () => this.SUBRULE(this.modelItem) },
        { ALT: () => this.SUBRULE(this.guideItem) },
        { ALT: () => this.SUBRULE(this.generateItem) },
        { ALT: () => this.SUBRULE(this.letStmt) },
        { ALT: () => this.SUBRULE(this.fnItem) },
        { ALT: () => this.SUBRULE(this.optimizeItem) },
        { ALT: () => this.SUBRULE(this.subjectToItem) },
        { ALT: () => this.SUBRULE(this.whereItem) },
        { ALT: () => this.SUBRULE(this.solveItem) },
        { ALT: () => this.SUBRULE(this.inferItem) },
        { ALT: () => this.SUBRULE(this.objectiveItem) },
      ]),
    );
  });

  importItem = this.RULE('importItem', () => {
    this.CONSUME(Kw.import);
    this.CONSUME(T.StringLiteral, { LABEL: 'path' });
  });

  dataItem = this.RULE('dataItem', () => {
    this.CONSUME(Kw.data);
    this.OPTION(() => {
      this.CONSUME(Kw.from);
      this.CONSUME(T.StringLiteral, { LABEL: 'source' });
    });
    this.SUBRULE(this.declBlock);
  });

  varItem = this.RULE('varItem', () => {
    this.CONSUME(Kw.var);
    this.OR(this.alts(3, () => [{ ALT: () => this.SUBRULE(this.declBlock) }, { ALT: () => this.SUBRULE(this.decl) }]));
  });

  paramItem = this.RULE('paramItem', () => {
    this.CONSUME(Kw.param);
    this.OR(this.alts(4, () => [{ ALT: () => this.SUBRULE(this.declBlock) }, { ALT: () => this.SUBRULE(this.decl) }]));
  });

  declBlock = this.RULE('declBlock', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() =>
      this.OR(this.alts(5, () => [{ ALT: () => this.CONSUME(T.Sep) }, { ALT: () => this.SUBRULE(this.decl) }])),
    );
    this.CONSUME(T.RCurly);
  });

  decl = this.RULE('decl', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeExpr);
    this.OPTION(() => {
      this.CONSUME(T.Assign);
      this.SUBRULE(this.expression, { LABEL: 'init' });
    });
  });

  typeExpr = this.RULE('typeExpr', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.LBracket);
      this.SUBRULE(this.expression, { LABEL: 'dims' });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expression, { LABEL: 'dims' });
      });
      this.CONSUME(T.RBracket);
      // A second bracket makes an array of the type: `simplex[k][m]` is m simplexes of size k.
      this.OPTION3(() => {
        this.CONSUME2(T.LBracket);
        this.SUBRULE3(this.expression, { LABEL: 'arrayDims' });
        this.MANY2(() => {
          this.CONSUME2(T.Comma);
          this.SUBRULE4(this.expression, { LABEL: 'arrayDims' });
        });
        this.CONSUME2(T.RBracket);
      });
    });
    this.OPTION2(() => this.SUBRULE(this.domain));
  });

  domain = this.RULE('domain', () => {
    this.OR(
      this.alts(6, () => [
        {
          ALT: () => {
            this.OR2([
              { ALT: () => this.CONSUME(T.Gt, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.GtEq, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.Lt, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.LtEq, { LABEL: 'op' }) },
            ]);
            this.SUBRULE(this.arithExpr, { LABEL: 'bound' });
          },
        },
        {
          ALT: () => {
            this.CONSUME(Kw.in);
            this.CONSUME(T.LBracket);
            this.SUBRULE(this.expression, { LABEL: 'lo' });
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.expression, { LABEL: 'hi' });
            this.CONSUME(T.RBracket);
          },
        },
      ]),
    );
  });

  startItem = this.RULE('startItem', () => {
    this.CONSUME(Kw.start);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expression);
  });

  modelItem = this.RULE('modelItem', () => {
    this.CONSUME(Kw.model);
    this.SUBRULE(this.stmtBlock);
  });

  guideItem = this.RULE('guideItem', () => {
    this.CONSUME(Kw.guide);
    this.SUBRULE(this.stmtBlock);
  });

  generateItem = this.RULE('generateItem', () => {
    this.CONSUME(Kw.generate);
    this.SUBRULE(this.stmtBlock);
  });

  letStmt = this.RULE('letStmt', () => {
    this.CONSUME(Kw.let);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeExpr);
    });
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expression);
  });

  stateStmt = this.RULE('stateStmt', () => {
    this.CONSUME(Kw.state);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeExpr);
    });
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expression);
  });

  fnItem = this.RULE('fnItem', () => {
    this.CONSUME(Kw.fn);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.fnParam);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.fnParam);
      });
    });
    this.CONSUME(T.RParen);
    this.OR(
      this.alts(7, () => [
        {
          ALT: () => {
            this.CONSUME(T.Assign);
            this.SUBRULE(this.expression);
          },
        },
        { ALT: () => this.SUBRULE(this.stmtBlock) },
      ]),
    );
  });

  fnParam = this.RULE('fnParam', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeExpr);
    });
  });

  optimizeItem = this.RULE('optimizeItem', () => {
    this.OR(
      this.alts(8, () => [
        { ALT: () => this.CONSUME(Kw.minimize, { LABEL: 'sense' }) },
        { ALT: () => this.CONSUME(Kw.maximize, { LABEL: 'sense' }) },
      ]),
    );
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.CONSUME(Kw.over);
      this.CONSUME(T.Identifier, { LABEL: 'over' });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.CONSUME2(T.Identifier, { LABEL: 'over' });
      });
    });
  });

  subjectToItem = this.RULE('subjectToItem', () => {
    this.CONSUME(Kw.subject);
    this.CONSUME(Kw.to);
    this.SUBRULE(this.constraintBlock);
  });

  constraintBlock = this.RULE('constraintBlock', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() =>
      this.OR(
        this.alts(9, () => [{ ALT: () => this.CONSUME(T.Sep) }, { ALT: () => this.SUBRULE(this.constraintItem) }]),
      ),
    );
    this.CONSUME(T.RCurly);
  });

  constraintItem = this.RULE('constraintItem', () => {
    this.OR(
      this.alts(10, () => [
        { ALT: () => this.SUBRULE(this.constraintFor) },
        {
          ALT: () => {
            this.OPTION(() => {
              this.CONSUME(T.Identifier, { LABEL: 'label' });
              this.CONSUME(T.Colon);
            });
            this.SUBRULE(this.expression, { LABEL: 'lhs' });
            // Not valid: parsed only so that the diagnostic can say "use `==`" and carry on.
            this.OPTION2(() => {
              this.CONSUME(T.Assign);
              this.SUBRULE2(this.expression, { LABEL: 'rhs' });
            });
          },
        },
      ]),
    );
  });

  constraintFor = this.RULE('constraintFor', () => {
    this.CONSUME(Kw.for);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(Kw.in);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.constraintBlock);
  });

  whereItem = this.RULE('whereItem', () => {
    this.CONSUME(Kw.where);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Assign);
    this.OR(
      this.alts(11, () => [
        { ALT: () => this.CONSUME(Kw.argmin, { LABEL: 'sense' }) },
        { ALT: () => this.CONSUME(Kw.argmax, { LABEL: 'sense' }) },
      ]),
    );
    this.CONSUME(T.LParen);
    this.CONSUME2(T.Identifier, { LABEL: 'wrt' });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.CONSUME3(T.Identifier, { LABEL: 'wrt' });
    });
    this.CONSUME(T.RParen);
    this.SUBRULE(this.stmtBlock);
    this.OPTION(() => {
      this.CONSUME(Kw.subject);
      this.CONSUME(Kw.to);
      this.SUBRULE(this.constraintBlock);
    });
  });

  solveItem = this.RULE('solveItem', () => {
    this.CONSUME(Kw.solve);
    this.CONSUME(T.Identifier, { LABEL: 'method' });
    this.OPTION(() => this.SUBRULE(this.argList));
  });

  inferItem = this.RULE('inferItem', () => {
    this.CONSUME(Kw.infer);
    this.CONSUME(T.Identifier, { LABEL: 'method' });
    this.OPTION(() => this.SUBRULE(this.argList));
  });

  objectiveItem = this.RULE('objectiveItem', () => {
    this.CONSUME(Kw.objective);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expression);
  });

  // ---- Statements inside blocks -----------------------------------------------------------

  stmtBlock = this.RULE('stmtBlock', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() =>
      this.OR(this.alts(12, () => [{ ALT: () => this.CONSUME(T.Sep) }, { ALT: () => this.SUBRULE(this.blockStmt) }])),
    );
    this.CONSUME(T.RCurly);
  });

  blockStmt = this.RULE('blockStmt', () => {
    // `state` and `param` are also ordinary names (`state[t] ~ ...`); alternatives are tried in
    // order, and a declaration needs a name right after the word, so trying it first is exact.
    this.OR(
      this.alts(13, () => ({
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { ALT: () => this.SUBRULE(this.letStmt) },
          { ALT: () => this.SUBRULE(this.stateStmt) },
          { ALT: () => this.SUBRULE(this.forStmt) },
          { ALT: () => this.SUBRULE(this.ifStmt) },
          { ALT: () => this.SUBRULE(this.paramItem) },
          { ALT: () => this.SUBRULE(this.simpleStmt) },
        ],
      })),
    );
  });

  forStmt = this.RULE('forStmt', () => {
    this.CONSUME(Kw.for);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(Kw.in);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.stmtBlock);
  });

  /**
   * `if c { ... } [else if c { ... }] [else { ... }]`, or an `if c then a else b` expression on a
   * line of its own (the value of a function body): one rule, so that both start with `if`.
   */
  ifStmt = this.RULE('ifStmt', () => {
    this.CONSUME(Kw.if);
    this.SUBRULE(this.expression, { LABEL: 'cond' });
    this.OR(
      this.alts(16, () => [
        {
          ALT: () => {
            this.CONSUME(Kw.then);
            this.SUBRULE2(this.expression, { LABEL: 'then' });
            this.CONSUME(Kw.else);
            this.SUBRULE3(this.expression, { LABEL: 'else' });
          },
        },
        {
          ALT: () => {
            this.SUBRULE(this.stmtBlock, { LABEL: 'thenBlock' });
            this.OPTION(() => {
              this.CONSUME2(Kw.else);
              this.OR2(
                this.alts(17, () => [
                  { ALT: () => this.SUBRULE(this.ifStmt, { LABEL: 'elseIf' }) },
                  { ALT: () => this.SUBRULE2(this.stmtBlock, { LABEL: 'elseBlock' }) },
                ]),
              );
            });
          },
        },
      ]),
    );
  });

  /** `T[lo, hi]` after a distribution (either bound may be left out): truncation. */
  truncation = this.RULE('truncation', () => {
    this.CONSUME(T.Identifier, { LABEL: 'T' });
    this.CONSUME(T.LBracket);
    this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'lo' }));
    this.CONSUME(T.Comma);
    this.OPTION2(() => this.SUBRULE2(this.expression, { LABEL: 'hi' }));
    this.CONSUME(T.RBracket);
  });

  simpleStmt = this.RULE('simpleStmt', () => {
    this.SUBRULE(this.expression, { LABEL: 'lhs' });
    this.OPTION(() =>
      this.OR(
        this.alts(14, () => [
          {
            ALT: () => {
              this.CONSUME(T.Tilde);
              this.SUBRULE2(this.expression, { LABEL: 'dist' });
              this.OPTION3({
                GATE: () => this.LA(1).image === 'T' && this.LA(2).tokenType === T.LBracket,
                DEF: () => this.SUBRULE(this.truncation),
              });
              this.OPTION2(() => {
                this.CONSUME(Kw.via);
                this.SUBRULE3(this.expression, { LABEL: 'via' });
              });
            },
          },
          {
            ALT: () => {
              this.OR2([
                { ALT: () => this.CONSUME(T.Assign, { LABEL: 'op' }) },
                { ALT: () => this.CONSUME(T.PlusEq, { LABEL: 'op' }) },
                { ALT: () => this.CONSUME(T.MinusEq, { LABEL: 'op' }) },
                { ALT: () => this.CONSUME(T.StarEq, { LABEL: 'op' }) },
                { ALT: () => this.CONSUME(T.SlashEq, { LABEL: 'op' }) },
              ]);
              this.SUBRULE4(this.expression, { LABEL: 'rhs' });
            },
          },
        ]),
      ),
    );
  });

  // ---- Expressions, loosest first ---------------------------------------------------------

  // Binary operators are parsed flat and given their precedence in build.ts (precedence
  // climbing), and an operand is one rule (unaryExpr) rather than a chain of them: few rule
  // levels keep the CST small, and building the CST is most of the parse time. The
  // precedence table is in docs/grammar.md and build.ts.
  expression = this.RULE('expression', () => {
    this.OR(
      this.alts(15, () => [
        { ALT: () => this.SUBRULE(this.ifExpr) },
        {
          ALT: () => {
            this.SUBRULE(this.unaryExpr, { LABEL: 'operands' });
            this.MANY(() => {
              this.OR2(
                this.alts(30, () => [
                  { ALT: () => this.CONSUME(T.OrOr, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.AndAnd, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.EqEq, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.NotEq, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.LtEq, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.GtEq, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.Lt, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.Gt, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.DotDot, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.DotDotEq, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.Plus, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.Minus, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.Star, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.Slash, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.Percent, { LABEL: 'ops' }) },
                  { ALT: () => this.CONSUME(T.At, { LABEL: 'ops' }) },
                ]),
              );
              this.SUBRULE2(this.unaryExpr, { LABEL: 'operands' });
            });
          },
        },
      ]),
    );
  });

  ifExpr = this.RULE('ifExpr', () => {
    this.CONSUME(Kw.if);
    this.SUBRULE(this.expression, { LABEL: 'cond' });
    this.CONSUME(Kw.then);
    this.SUBRULE2(this.expression, { LABEL: 'then' });
    this.CONSUME(Kw.else);
    this.SUBRULE3(this.expression, { LABEL: 'else' });
  });

  /** Arithmetic only (no comparison or logic): the bound in `real > 0` or `real[n] <= hi`. */
  arithExpr = this.RULE('arithExpr', () => {
    this.SUBRULE(this.unaryExpr, { LABEL: 'operands' });
    this.MANY(() => {
      this.OR(
        this.alts(31, () => [
          { ALT: () => this.CONSUME(T.Plus, { LABEL: 'ops' }) },
          { ALT: () => this.CONSUME(T.Minus, { LABEL: 'ops' }) },
          { ALT: () => this.CONSUME(T.Star, { LABEL: 'ops' }) },
          { ALT: () => this.CONSUME(T.Slash, { LABEL: 'ops' }) },
          { ALT: () => this.CONSUME(T.Percent, { LABEL: 'ops' }) },
          { ALT: () => this.CONSUME(T.At, { LABEL: 'ops' }) },
        ]),
      );
      this.SUBRULE2(this.unaryExpr, { LABEL: 'operands' });
    });
  });

  /** Prefix operators, an atom, index suffixes, and an optional `^` exponent. */
  unaryExpr = this.RULE('unaryExpr', () => {
    this.MANY(() => {
      this.OR(
        this.alts(32, () => [
          { ALT: () => this.CONSUME(T.Minus, { LABEL: 'op' }) },
          { ALT: () => this.CONSUME(T.Bang, { LABEL: 'op' }) },
        ]),
      );
    });
    this.OR2(
      this.alts(21, () => [
        { ALT: () => this.CONSUME(T.NumberToken) },
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.CONSUME(Kw.true) },
        { ALT: () => this.CONSUME(Kw.false) },
        {
          ALT: () => {
            this.CONSUME(T.Identifier, { LABEL: 'name' });
            this.OPTION(() => this.SUBRULE(this.argList));
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            this.SUBRULE(this.expression, { LABEL: 'inner' });
            this.CONSUME(T.RParen);
          },
        },
        { ALT: () => this.SUBRULE(this.arrayLit) },
      ]),
    );
    this.MANY2(() => this.SUBRULE(this.indexSuffix));
    this.OPTION2(() => {
      this.CONSUME(T.Caret);
      // The exponent is a unaryExpr: `^` is right-associative (`a^b^c` is `a^(b^c)`), `x^-1`
      // works, and prefix operators bind looser than `^` (`-x^2` is `-(x^2)`).
      this.SUBRULE2(this.unaryExpr, { LABEL: 'exponent' });
    });
  });

  indexSuffix = this.RULE('indexSuffix', () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.indexItem);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.indexItem);
    });
    this.CONSUME(T.RBracket);
  });

  indexItem = this.RULE('indexItem', () => {
    this.OR(
      this.alts(20, () => [
        {
          ALT: () => {
            this.CONSUME(T.Colon);
            this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'hi' }));
          },
        },
        {
          ALT: () => {
            this.SUBRULE2(this.expression, { LABEL: 'lo' });
            this.OPTION2(() => {
              this.CONSUME2(T.Colon);
              this.OPTION3(() => this.SUBRULE3(this.expression, { LABEL: 'hi' }));
            });
          },
        },
      ]),
    );
  });

  argList = this.RULE('argList', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.arg);
      // `f(y | a, b)`: the value of a density function, then its parameters.
      this.OPTION3(() => {
        this.CONSUME(T.Bar);
        this.SUBRULE3(this.arg);
      });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.arg);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  arg = this.RULE('arg', () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier, { LABEL: 'name' });
      this.CONSUME(T.Assign);
    });
    this.SUBRULE(this.expression);
  });

  arrayLit = this.RULE('arrayLit', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.arrayRow);
      this.MANY(() => {
        this.CONSUME(T.Semi);
        this.SUBRULE2(this.arrayRow);
      });
    });
    this.CONSUME(T.RBracket);
  });

  arrayRow = this.RULE('arrayRow', () => {
    this.SUBRULE(this.expression);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expression);
    });
  });
}

/** The one parser instance; `parse` sets its input and runs `program`. */
export const parser = new OptParser(errorMessageProvider);

export type { CstNode };
