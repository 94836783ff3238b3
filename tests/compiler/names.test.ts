// Names across files and scopes: imports resolve relative to the importing file, diamonds load
// once, cycles are reported with their chain, imported files are libraries; scoping rules of
// blocks and functions; "did you mean" suggestions.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, run } from '../../index.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'proxima-names-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

const errors = (file: string) => check(file).messages.filter((m) => m.severity === 'error');

describe('imports', () => {
  it('resolve relative to the importing file; a diamond loads each file once', async () => {
    const root = tree({
      'main.opt': 'import "lib/a.opt"\nimport "lib/b.opt"\nvar x: real\nminimize sq(x - 1) + cube(x) * 0 + two',
      'lib/a.opt': 'import "common.opt"\nfn cube(v) = v * sq(v)',
      'lib/b.opt': 'import "common.opt"\nlet two = 2',
      'lib/common.opt': 'fn sq(v) = v * v',
    });
    expect(errors(join(root, 'main.opt'))).toEqual([]);
    const r = await run(join(root, 'main.opt'));
    expect(r.values.x).toBeCloseTo(1, 6);
    expect(r.objective).toBeCloseTo(2, 8);
  });

  it('a cycle through two files is reported with its chain', () => {
    const root = tree({
      'main.opt': 'import "a.opt"\nvar x: real\nminimize x^2',
      'a.opt': 'import "b.opt"\nfn f(v) = v',
      'b.opt': 'import "a.opt"\nfn g(v) = v',
    });
    const e = errors(join(root, 'main.opt'));
    expect(e).toHaveLength(1);
    expect(e[0]!.message).toBe(
      `import cycle: ${join(root, 'a.opt')} -> ${join(root, 'b.opt')} -> ${join(root, 'a.opt')}`,
    );
    expect(e[0]!.file).toBe(join(root, 'b.opt'));
  });

  it('an imported file is a library (fn and let only)', () => {
    const root = tree({
      'main.opt': 'import "lib.opt"\nvar x: real\nminimize x^2',
      'lib.opt': 'var y: real\nfn f(v) = v',
    });
    expect(errors(join(root, 'main.opt'))[0]!.message).toMatch(
      /an imported file may only define `fn`s and `let`s; found a `var`/,
    );
  });

  it('a name defined in two files is a duplicate, naming the first', () => {
    const root = tree({
      'main.opt': 'import "lib.opt"\nfn f(v) = v\nvar x: real\nminimize f(x)^2',
      'lib.opt': 'fn f(v) = 2 * v',
    });
    expect(errors(join(root, 'main.opt'))[0]!.message).toMatch(
      /`f` is already declared \(as a function at .*lib.opt:1:4\)/,
    );
  });
});

describe('scopes', () => {
  const msgs = (source: string) => check({ source, file: 's.opt' }).messages.map((m) => m.message);

  it('top-level names are order-independent; block names are not', () => {
    expect(msgs('minimize f(x)\nfn f(v) = v^2\nvar x: real')).toEqual([]);
    expect(msgs('var x: real\nfn f(v) {\n  let a = b\n  let b = v\n  a\n}\nminimize f(x)^2')).toEqual([
      'unknown name `b`',
    ]);
  });

  it("a function sees globals and its parameters, not its caller's locals", () => {
    expect(
      msgs('var x: real\nfn f(v) = v + secret\nfn g(v) {\n  let secret = 1\n  f(v)\n}\nminimize g(x)^2'),
    ).toContain('unknown name `secret`');
  });

  it('loop indices are local to the loop', () => {
    expect(
      msgs('var x: real\nfn f(v) {\n  state s = 0.0\n  for i in 0..3 { s += v }\n  s + i\n}\nminimize f(x)^2'),
    ).toContain('unknown name `i`');
  });

  it('names in unused functions are still checked', () => {
    expect(msgs('var x: real\nfn unused(v) = v + nope\nminimize x^2')).toContain('unknown name `nope`');
  });

  it('suggestions come from the names in scope, built-ins and distributions', () => {
    const c = check({
      source: 'data { y: real[n] }\nparam sigma: real > 0\nmodel { y ~ Normal(0, sigam) }\nsolve lbfgs',
      file: 's.opt',
    });
    expect(c.messages[0]).toMatchObject({
      message: 'unknown name `sigam`',
      hint: 'did you mean `sigma`?',
      line: 3,
      col: 23,
    });
  });
});
