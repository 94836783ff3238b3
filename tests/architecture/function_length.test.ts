// Long functions stay split (issue #13): the functions that were split at their section comments
// (wherever in the sources they live now), and every function in the files that hold them and
// their parts (closures and methods included), stay within MAX_LINES lines, measured on the
// TypeScript AST from the first to the last line of the function's text. A failure names the
// function and its file:line.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const MAX_LINES = 100;

/** The split functions, in the files that hold them and the files their parts moved to. */
const WATCHED: { file: string; names: string[] }[] = [
  { file: 'compiler/front/check_program.ts', names: ['checkProgram'] },
  { file: 'compiler/analysis/analyze.ts', names: ['analyze'] },
  { file: 'compiler/running/solve_problem.ts', names: ['buildProblem'] },
  { file: 'compiler/running/infer.ts', names: ['runInference'] },
  { file: 'compiler/running/mcmc_report.ts', names: ['mcmcReport'] },
  { file: 'cli/commands/run.ts', names: ['runCommand'] },
  { file: 'compiler/analysis/smoothness.ts', names: ['clsOf'] },
];

interface Fn {
  name: string;
  line: number;
  lines: number;
}

/** Every function-like node of a source text, with the name it is known by and its length. */
function functionLengths(fileName: string, text: string): Fn[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Fn[] = [];
  const nameOf = (n: ts.Node): string => {
    const named = (n as { name?: ts.Node }).name;
    if (named && (ts.isIdentifier(named) || ts.isPrivateIdentifier(named) || ts.isStringLiteral(named)))
      return named.text;
    if (ts.isConstructorDeclaration(n)) return 'constructor';
    const p = n.parent;
    if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)))
      return ts.isIdentifier(p.name) ? p.name.text : '<anonymous>';
    return '<anonymous>';
  };
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && (n as { body?: ts.Node }).body) {
      const start = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
      out.push({ name: nameOf(n), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The repository's non-test TypeScript: the source folders and the package's index.ts. */
const SOURCE_DIRS = ['grammar', 'runtime', 'stdlib', 'compiler', 'cli', 'web'];
function sourceFiles(): string[] {
  const out = [join(ROOT, 'index.ts')];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') walk(p);
      else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const d of SOURCE_DIRS) walk(join(ROOT, d));
  return out;
}

describe('the split functions stay short', () => {
  it('measures: a long function is found and named, closures included', () => {
    const body = Array.from({ length: MAX_LINES }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const src = `export function outer() {\n  const inner = () => {\n${body}\n  };\n  return inner;\n}\n`;
    const fns = functionLengths('x.ts', src);
    expect(fns.find((f) => f.name === 'inner')).toEqual({ name: 'inner', line: 2, lines: MAX_LINES + 2 });
    expect(fns.find((f) => f.name === 'outer')!.lines).toBe(MAX_LINES + 5);
  });

  it('the split functions, wherever they are in the sources', () => {
    const names = new Set(WATCHED.flatMap((w) => w.names));
    const found = new Set<string>();
    const long: string[] = [];
    for (const path of sourceFiles()) {
      const file = relative(ROOT, path);
      const text = readFileSync(path, 'utf8');
      // Only files that name one of them need parsing.
      if (![...names].some((n) => text.includes(n))) continue;
      for (const f of functionLengths(file, text)) {
        if (!names.has(f.name)) continue;
        found.add(f.name);
        if (f.lines > MAX_LINES) long.push(`${f.name} (${file}:${f.line}, ${f.lines} lines)`);
      }
    }
    expect(
      [...names].filter((n) => !found.has(n)),
      'split functions not found in the sources',
    ).toEqual([]);
    expect(long, `functions over ${MAX_LINES} lines`).toEqual([]);
  });

  it.each(WATCHED)('$file', ({ file, names }) => {
    const fns = functionLengths(file, readFileSync(join(ROOT, file), 'utf8'));
    for (const name of names)
      expect(
        fns.map((f) => f.name),
        `${name} is in ${file}`,
      ).toContain(name);
    const long = fns.filter((f) => f.lines > MAX_LINES).map((f) => `${f.name} (${file}:${f.line}, ${f.lines} lines)`);
    expect(long, `functions over ${MAX_LINES} lines`).toEqual([]);
  });
});
