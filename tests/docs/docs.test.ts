// Every code block of docs/api.md and docs/repl.md runs, and so do the README's TypeScript and
// REPL blocks. A ```ts block is written to a file and imported (vitest resolves `proxima` to the
// sources) and must finish without throwing. A ```repl block is a transcript: each entry after a
// `proxima>` prompt (continued after `...`) goes to a fresh REPL session, and what the session
// prints must be the lines that follow it, with only run times ("time 12 ms") normalized.
// Pages may hold no other kind of code block.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReplSession } from '../../cli/repl_session.js';
import { codeBlocks, transcript, type CodeBlock } from './code_blocks.js';

const ROOT = join(import.meta.dirname, '../..');
const DIR = mkdtempSync(join(tmpdir(), 'proxima-docs-'));

async function runTs(page: string, b: CodeBlock): Promise<void> {
  const file = join(DIR, `${page.replace(/\W/g, '_')}_${b.line}.ts`);
  writeFileSync(file, b.code + '\nexport {};\n');
  const log = console.log;
  console.log = () => {};
  try {
    await import(pathToFileURL(file).href);
  } finally {
    console.log = log;
  }
}

const normalize = (s: string) =>
  s
    .replace(/time \d+ ms/g, 'time N ms')
    .replace(/time: [\d.]+ m?s/g, 'time: N ms')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trimEnd();

async function runRepl(b: CodeBlock): Promise<void> {
  const printed: string[] = [];
  const io = {
    out: (t: string) => printed.push(...t.split('\n')),
    err: (t: string) => printed.push(...t.split('\n')),
    progress: () => ({ update() {}, done() {} }),
  };
  const session = new ReplSession(io);
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    for (const { entry, output } of transcript(b.code)) {
      printed.length = 0;
      await session.entry(entry, { shouldStop: () => false });
      expect(normalize(printed.join('\n')), `after \`${entry}\``).toBe(normalize(output.join('\n')));
    }
  } finally {
    process.chdir(cwd);
  }
}

for (const page of ['docs/api.md', 'docs/repl.md', 'README.md']) {
  describe(page, () => {
    const blocks = codeBlocks(join(ROOT, page));
    const runnable = blocks.filter((b) => b.lang === 'ts' || b.lang === 'repl');
    if (page !== 'README.md')
      it('holds only TypeScript and REPL blocks', () => {
        expect(blocks.filter((b) => b.lang !== 'ts' && b.lang !== 'repl').map((b) => `${b.line}: ${b.lang}`)).toEqual(
          [],
        );
      });
    it('has examples', () => expect(runnable.length).toBeGreaterThan(0));
    for (const b of runnable)
      it(`${b.lang} block at line ${b.line}`, () => (b.lang === 'ts' ? runTs(page, b) : runRepl(b)), 120_000);
  });
}
