// Code blocks of a Markdown page, with the line each starts on; REPL transcripts split into
// entries and the output expected after each.
import { readFileSync } from 'node:fs';

export interface CodeBlock {
  lang: string;
  code: string;
  line: number;
}

export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!m) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    out.push({ lang: m[1]!, code: body.join('\n'), line: start + 1 });
  }
  return out;
}

/** The transcript's entries with the output expected after each. */
export function transcript(code: string): { entry: string; output: string[] }[] {
  const out: { entry: string; output: string[] }[] = [];
  for (const line of code.split('\n')) {
    if (line.startsWith('proxima> ')) out.push({ entry: line.slice('proxima> '.length), output: [] });
    else if (line.startsWith('     ... ') && out.length && out.at(-1)!.output.length === 0)
      out.at(-1)!.entry += '\n' + line.slice('     ... '.length);
    else if (out.length) out.at(-1)!.output.push(line);
  }
  return out;
}
