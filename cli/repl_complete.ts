// Tab completion for the REPL: commands after `:`, file names after `:load` and `:data`,
// backends after `:backend`, methods after `solve` / `infer`, a method's options inside its
// parentheses (`solve adam(l<TAB>` -> `lr`), and otherwise the names in scope, built-in
// functions, distributions and keywords. Returns readline's [candidates, the word completed].

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BACKENDS, BUILTINS, DISTRIBUTIONS, METHOD_LIST } from '../compiler/index.js';

export const COMMANDS = [
  ':help',
  ':type',
  ':shape',
  ':graph',
  ':grad',
  ':load',
  ':data',
  ':backend',
  ':time',
  ':check',
  ':run',
  ':program',
  ':reset',
  ':quit',
];

const KEYWORDS = [
  'data',
  'var',
  'param',
  'start',
  'let',
  'fn',
  'import',
  'minimize',
  'maximize',
  'subject to',
  'solve',
  'model',
  'guide',
  'generate',
  'infer',
  'objective',
  'for',
  'in',
  'if',
  'then',
  'else',
  'true',
  'false',
];

const METHODS = new Map(METHOD_LIST.map((m) => [m.name, m]));

export function complete(line: string, scope: readonly string[]): [string[], string] {
  const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(line)?.[0] ?? '';
  const pick = (xs: Iterable<string>, w = word) => [...new Set(xs)].filter((x) => x.startsWith(w)).sort();

  const cmd = /^\s*(:\w*)$/.exec(line);
  if (cmd) return [pick(COMMANDS, cmd[1]), cmd[1]!];
  const file = /^\s*:(load|data)\s+(\S*)$/.exec(line);
  if (file) return [files(file[2]!, file[1] === 'load' ? ['.opt'] : ['.json', '.csv']), file[2]!];
  const backend = /^\s*:backend\s+(\w*)$/.exec(line);
  if (backend) return [pick(BACKENDS, backend[1]), backend[1]!];

  if (/\b(solve|infer)\s+\w*$/.test(line)) {
    const infer = /\binfer\s+\w*$/.test(line);
    return [pick(METHOD_LIST.filter((m) => m.kind === (infer ? 'infer' : 'solve')).map((m) => m.name)), word];
  }
  // Inside a method's parentheses, at an argument name: its options.
  const call = openCall(line);
  if (call && METHODS.has(call) && /(\(|,)\s*\w*$/.test(line))
    return [pick(Object.keys(METHODS.get(call)!.options).map((o) => o)), word];

  if (word === '') return [[], ''];
  const names = [...scope, ...BUILTINS.map((b) => b.name), ...Object.keys(DISTRIBUTIONS), ...KEYWORDS];
  return [pick(names), word];
}

/** The name of the innermost call whose `(` is still open at the end of `line`. */
function openCall(line: string): string | null {
  let depth = 0;
  for (let i = line.length - 1; i >= 0; i--) {
    const c = line[i];
    if (c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') {
      if (depth === 0) return c === '(' ? (/([A-Za-z_]\w*)\s*$/.exec(line.slice(0, i))?.[1] ?? null) : null;
      depth--;
    }
  }
  return null;
}

/** Files and folders starting with `prefix`, folders with a trailing `/`, files with one of `exts`. */
function files(prefix: string, exts: readonly string[]): string[] {
  const dir = prefix.endsWith('/') ? prefix : dirname(prefix);
  const base = prefix.endsWith('/') ? '' : basename(prefix);
  const d = dir === '' ? '.' : dir;
  if (!existsSync(d)) return [];
  const out: string[] = [];
  for (const name of readdirSync(d)) {
    if (!name.startsWith(base) || (name.startsWith('.') && !base.startsWith('.'))) continue;
    const path = dir === '.' && !prefix.startsWith('./') ? name : join(dir, name);
    let isDir = false;
    try {
      isDir = statSync(join(d, name)).isDirectory();
    } catch {
      continue;
    }
    if (isDir) out.push(path + '/');
    else if (exts.some((e) => name.endsWith(e))) out.push(path);
  }
  return out.sort();
}
