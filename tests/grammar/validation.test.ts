// The shared lexer and parser skip chevrotain's grammar validations to start faster; this test
// runs them, so a grammar change that introduces an ambiguity or left recursion still fails.
import { describe, expect, it } from 'vitest';
import { Lexer } from 'chevrotain';
import { OptParser } from '../../grammar/parser.js';
import { errorMessageProvider } from '../../grammar/syntax-errors.js';
import { ALL_TOKENS } from '../../grammar/tokens.js';

describe('grammar validations', () => {
  it('the parser passes chevrotain self-analysis validations', () => {
    expect(() => new OptParser(errorMessageProvider, true)).not.toThrow();
  });
  it('the lexer passes chevrotain validations', () => {
    const l = new Lexer(ALL_TOKENS, {
      positionTracking: 'full',
      ensureOptimizations: true,
      lineTerminatorsPattern: /\n/g,
      lineTerminatorCharacters: ['\n'],
    });
    expect(l.lexerDefinitionErrors).toEqual([]);
  });
});
