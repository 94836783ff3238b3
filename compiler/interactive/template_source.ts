// The source text of a tagged template and where its interpolations sit. The parser reads the
// template's strings with each interpolation replaced by a placeholder name (a prefix that no
// string of the template contains, so it cannot clash with the user's names), or, for a string
// value, by one escaped string token. Either way the value is one token: it can never add,
// remove or reshape syntax. Messages are shown on the template as written, each interpolation
// spelled `${i}`; `mapSpan` carries a position in the parsed text over to that display text.
// After parsing, `holeRoles` says what each placeholder is in the tree: a data value (in an int
// position or not), the value of a declared `data` (`A: real[m, n] = ${A}`), a solve or infer
// option, or something no value may be (a name, a word glued to it, the inside of a comment).

import { LineMap, type Expr, type Program, type Span } from '../../grammar/index.js';

export interface Hole {
  /** The placeholder name the parser sees (for string values, the name is unused). */
  name: string;
  /** [start, end) in the parsed text and in the display text. */
  src: [number, number];
  disp: [number, number];
  /** The interpolation was a string, substituted as one string token. */
  string: boolean;
}

export interface TemplateText {
  /** What the parser reads. */
  source: string;
  /** The template as written, `${i}` for interpolation i (what messages show). */
  display: string;
  holes: Hole[];
  /** Placeholder prefix: `${prefix}${i}` is interpolation i, `${prefix}${i}_d${j}` its dimension j. */
  prefix: string;
}

/** A string as a .opt string token, or null when it holds a character no token can (CR). */
export function stringToken(s: string): string | null {
  if (s.includes('\r')) return null;
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t') + '"';
}

export function templateText(strings: readonly string[], stringValues: ReadonlyMap<number, string>): TemplateText {
  let prefix = '__i';
  while (strings.some((s) => s.includes(prefix))) prefix = '_' + prefix;
  let source = strings[0]!;
  let display = strings[0]!;
  const holes: Hole[] = [];
  for (let i = 1; i < strings.length; i++) {
    const k = i - 1;
    const str = stringValues.get(k);
    const text = str === undefined ? `${prefix}${k}` : (stringToken(str) ?? '""');
    const shown = '${' + k + '}';
    holes.push({
      name: `${prefix}${k}`,
      src: [source.length, source.length + text.length],
      disp: [display.length, display.length + shown.length],
      string: str !== undefined,
    });
    source += text + strings[i]!;
    display += shown + strings[i]!;
  }
  return { source, display, holes, prefix };
}

/** An offset of the parsed text as an offset of the display text (`end`: the end of a range). */
export function mapOffset(t: TemplateText, off: number, end: boolean): number {
  let delta = 0;
  for (const h of t.holes) {
    if (off < h.src[0] || (end && off === h.src[0])) break;
    if (off < h.src[1] || (end && off === h.src[1])) return end ? h.disp[1] : h.disp[0];
    delta = h.disp[1] - h.src[1];
  }
  return Math.min(off + delta, t.display.length);
}

export function mapSpan(t: TemplateText, span: Span, file: string, lines: LineMap): Span {
  const s = mapOffset(t, span.start, false);
  const e = mapOffset(t, span.end, true);
  return { ...lines.span(s, e), file };
}

/** The message text with placeholder names in the user's spelling: `${0}`, `${0}.shape[1]`. */
export function displayNames(t: TemplateText, text: string): string {
  const p = t.prefix.replace(/[$]/g, '\\$&');
  // A string token as messages quote it: whitespace runs as one space, long ones cut with `...`.
  for (const [i, h] of t.holes.entries()) {
    if (!h.string) continue;
    const token = t.source.slice(h.src[0], h.src[1]).replace(/\s+/g, ' ');
    text = text.split(token).join('${' + i + '}');
    for (let k = token.length - 1; k >= 8; k--) text = text.split(token.slice(0, k) + '...').join('${' + i + '}...');
  }
  return text
    .replace(new RegExp(`\\b${p}(\\d+)_d(\\d+)\\b`, 'g'), (_, i, j) => '${' + i + '}.shape[' + j + ']')
    .replace(new RegExp(`\\b${p}(\\d+)\\b`, 'g'), (_, i) => '${' + i + '}');
}

export type Role =
  /** A value used as data; `int`: in a dimension, index or range. */
  | { kind: 'data'; int: boolean }
  /** The value of the declared data `decl` (its `= ${...}` default is removed before checking). */
  | { kind: 'declared'; decl: string }
  /** A solve or infer option: substituted as a literal. */
  | { kind: 'option' }
  /** Somewhere no value may be; the message says why. */
  | { kind: 'bad'; why: string; span: Span };

/** Fields that hold names, not expressions, by node kind. */
const NAME_FIELDS: Record<string, readonly string[]> = {
  Decl: ['name'],
  Let: ['name'],
  State: ['name'],
  Fn: ['name'],
  FnParam: ['name'],
  Start: ['name'],
  Call: ['callee'],
  Arg: ['name'],
  Type: ['name'],
  Optimize: ['over'],
  Where: ['name', 'wrt'],
  Constraint: ['label'],
  ConstraintFor: ['name'],
  For: ['name'],
  Solve: ['method'],
  Infer: ['method'],
  ObjectiveDef: ['name'],
};
/** Fields whose expressions must be ints. */
const INT_FIELDS: Record<string, readonly string[]> = {
  Type: ['dims'],
  Index: ['indices'],
  Slice: ['start', 'end'],
  Range: ['start', 'end'],
};
/** Kinds through which an int position passes on to the operands. */
const INT_PASSES = new Set(['Unary', 'Binary', 'If', 'Slice']);

type AnyNode = { kind: string; span: Span; [k: string]: unknown };

/** What each interpolation is in the parsed tree (undefined entries are reported by the caller). */
export function holeRoles(t: TemplateText, program: Program): (Role | undefined)[] {
  const byName = new Map(t.holes.map((h, i) => [h.name, i]));
  const roles: (Role | undefined)[] = t.holes.map(() => undefined);
  interface Ctx {
    int: boolean;
    option: boolean;
    name: boolean;
    inData: boolean;
  }
  const plain: Ctx = { int: false, option: false, name: false, inData: false };
  const visit = (node: unknown, ctx: Ctx): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, ctx);
      return;
    }
    if (!node || typeof node !== 'object' || !('kind' in node)) return;
    const n = node as AnyNode;
    if (n.kind === 'Ident') {
      const i = byName.get(n.name as string);
      if (i !== undefined)
        roles[i] = ctx.name
          ? { kind: 'bad', why: 'an interpolation is a value, never a name', span: n.span }
          : ctx.option
            ? { kind: 'option' }
            : { kind: 'data', int: ctx.int };
      return;
    }
    for (const [k, v] of Object.entries(n)) {
      if (k === 'span') continue;
      // `name: T = ${v}` inside `data`: the value of the declared data.
      if (n.kind === 'Decl' && k === 'init' && ctx.inData && isPlaceholder(v, byName)) {
        roles[byName.get((v as { name: string }).name)!] = {
          kind: 'declared',
          decl: (n.name as { name: string }).name,
        };
        continue;
      }
      visit(v, {
        name: NAME_FIELDS[n.kind]?.includes(k) ?? false,
        int: (INT_FIELDS[n.kind]?.includes(k) ?? false) || (ctx.int && INT_PASSES.has(n.kind)),
        // Options of solve/infer, and of a method call nested in one, take literal values.
        option:
          ((n.kind === 'Solve' || n.kind === 'Infer') && k === 'args') ||
          (ctx.option && ((n.kind === 'Arg' && k === 'value') || (n.kind === 'Call' && k === 'args'))),
        inData: n.kind === 'Data' && k === 'decls',
      });
    }
  };
  visit(program.body, plain);
  return roles;
}

const isPlaceholder = (v: unknown, byName: ReadonlyMap<string, number>): boolean =>
  !!v && typeof v === 'object' && (v as Expr).kind === 'Ident' && byName.has((v as { name: string }).name);

/** Interpolations inside comments or string tokens (the placeholder text appears there). */
export function hiddenHoles(t: TemplateText, program: Program): Map<number, string> {
  const out = new Map<number, string>();
  const check = (text: string, what: string) =>
    t.holes.forEach((h, i) => {
      if (!h.string && new RegExp(`${h.name.replace(/[$]/g, '\\$&')}(?!\\d)`).test(text)) out.set(i, what);
    });
  for (const c of program.comments) check(c.text, 'inside a comment, where it would be ignored');
  const strings: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as AnyNode;
      if (n.kind === 'String') strings.push(n.value as string);
      else if (n.kind === 'Import') strings.push(n.path as string);
      else if (n.kind === 'Data' && typeof n.source === 'string') strings.push(n.source);
      for (const [k, v] of Object.entries(n)) if (k !== 'span') walk(v);
    }
  };
  walk(program.body);
  for (const s of strings)
    check(s, 'inside a string, where it would become text (interpolate the whole string instead)');
  return out;
}
