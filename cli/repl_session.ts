// The REPL's state and what each entry does, apart from the terminal (cli/repl.ts). The session
// is a program built one entry at a time: each statement is kept with its text, placed on lines
// of its own (indented to its original column) so that every message maps back to the entry and
// line it came from. A statement that declares a name already declared replaces the earlier
// one, as do a new objective, model, guide, generate, or solve/infer (which replace each other);
// constraints add up. An entry is accepted only if the whole program still checks. Entries with
// `solve` or `infer` run (:run reruns); a bare expression (or a `let`) is evaluated and printed
// at the current point: every var and param at its last solve's value, else at the start point.

import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import {
  BACKENDS,
  CompileError,
  check,
  compile,
  evaluateAt,
  expressionType,
  formatMessages,
  letValue,
  parse,
  pointGraph,
  pointGraphText,
  pointOf,
  run,
  startPoint,
  typeOf,
  type CheckResult,
  type CompiledProgram,
  type Diagnostic,
  type Message,
  type Program,
  type RunResult,
  readDataFile,
  DataError,
  DEFAULT_SEED,
  type DataObject,
} from '../compiler/index.js';
import { COMMANDS } from './repl_complete.js';
import { traceChart } from './repl_plot.js';
import { fmtNumber, showValue, type ShownValue } from './repl_print.js';

export interface ReplOutput {
  out(text: string): void;
  err(text: string): void;
  /** The progress line of a run (nothing when not on a terminal). */
  progress(): { update(step: number, total: number, f: number): void; done(): void };
}

export interface Control {
  /** True once the user asked to stop the running solve (Ctrl-C). */
  shouldStop(): boolean;
}

/** One statement of the session program. */
interface SessionStmt {
  /** What it defines; a later statement with a key in common replaces it. */
  keys: string[];
  /** Names it brings into scope. */
  names: string[];
  /** Dimension names its data bind (`A: real[m, n]` binds m and n). */
  dims: string[];
  kind: string;
  /** Its text in the session program (lines of its own, original columns). */
  text: string;
  /** The entry and line each line of `text` came from. */
  origin: { file: string; line: number }[];
  /** How :program shows it. */
  shown: string;
  /** `data from "..."`, resolved. */
  dataFrom?: string;
  /** Data declared (names). */
  data: string[];
}

/** The session program's file name in messages before they are mapped back to entries. */
const SESSION = 'repl session';
/** The name a bare expression is bound to. */
const IT = '__it';

const HELP = `Enter statements (data, var, param, let, fn, import, minimize ... solve ..., model ... infer ...)
or an expression to print its value. An open bracket or brace continues the entry on the next line.
  :help              this help
  :type e            the type of e (with dimension values once data binds them)
  :shape e           the shape of e
  :graph e           the IR graph of e
  :grad e wrt x      the gradient of the scalar e with respect to the var or param x
  :load file.opt     add a file's statements (run them with :run)
  :data file.json|csv  load data
  :backend [name]    show or set the backend (${BACKENDS.join(', ')})
  :time entry        run any entry and print how long it took
  :check             check the session program: decomposition and algorithm
  :run               run the session's solve or infer
  :program           print the session program
  :reset             forget everything
  :quit              leave (or Ctrl-D)
Tab completes names, functions, distributions, methods and options. Ctrl-C stops a running solve.`;

export class ReplSession {
  private stmts: SessionStmt[] = [];
  private data: DataObject = {};
  private sources = new Map<string, string>();
  private count = 0;
  backend = 'auto';
  /** The last run's values (vars and params by name), the point expressions are evaluated at. */
  private point: Record<string, unknown> | null = null;
  quit = false;

  constructor(private readonly io: ReplOutput) {}

  /** Names in scope (for completion). */
  names(): string[] {
    return this.stmts.flatMap((s) => s.names);
  }

  /** True when `text` is an unfinished entry: a bracket still open, a trailing operator. */
  static incomplete(text: string): boolean {
    if (text.trim() === '' || text.trim().startsWith(':')) return false;
    const end = text.trimEnd().length;
    const atEnd = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === 'error' && d.span.start >= end);
    const st = parse(text, 'entry');
    if (st.program) return false;
    if (atEnd(st.diagnostics)) return true;
    const ex = parse(`let ${IT} =\n${text}`, 'entry');
    return !ex.program && ex.diagnostics.some((d) => d.severity === 'error' && d.span.start >= end + IT.length + 7);
  }

  /** Evaluates one entry (complete text). */
  async entry(text: string, ctl: Control): Promise<void> {
    if (text.trim() === '') return;
    if (text.trim().startsWith(':')) return this.command(text, ctl);
    const file = this.newEntry(text);
    await this.statementsOrExpression(text, file, '.', ctl);
  }

  private newEntry(text: string): string {
    const file = `[${++this.count}]`;
    this.sources.set(file, text);
    return file;
  }

  private async statementsOrExpression(text: string, file: string, baseDir: string, ctl: Control): Promise<void> {
    const st = parse(text, file);
    if (st.program) {
      await this.statements(st.program, text, file, baseDir, ctl, true);
      return;
    }
    const ex = parseExpression(text, file);
    if (!('errors' in ex)) return this.expression(ex);
    // Report the expression's errors when the entry does not begin like a statement.
    const first = st.diagnostics.find((d) => d.severity === 'error');
    const notStatement = first !== undefined && first.span.start === text.length - text.trimStart().length;
    this.errors(notStatement ? ex.errors : st.diagnostics);
  }

  // ---- statements ----

  private async statements(
    program: Program,
    text: string,
    file: string,
    baseDir: string,
    ctl: Control,
    runIt: boolean,
  ): Promise<boolean> {
    const news = program.body.flatMap((s) => sessionStmts(s, text, file, baseDir));
    const keys = new Set(news.flatMap((s) => s.keys));
    const next = [...this.stmts.filter((s) => !s.keys.some((k) => keys.has(k))), ...news];
    const loaded: DataObject = {};
    for (const s of news) {
      if (!s.dataFrom) continue;
      try {
        Object.assign(loaded, readDataFile(s.dataFrom));
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        this.io.err(`error: ${e.message}`);
        return false;
      }
    }
    const r = this.checkProgram(next);
    if (!r.ok) return false;
    this.stmts = next;
    Object.assign(this.data, loaded);
    if (Object.keys(loaded).length) this.io.out(`data: ${describeData(loaded)}`);
    if (runIt && news.some((s) => s.kind === 'Solve' || s.kind === 'Infer')) await this.run(ctl);
    else if (runIt && news.every((s) => s.kind === 'Let')) for (const s of news) await this.showLet(s.names[0]!);
    return true;
  }

  private checkProgram(stmts: SessionStmt[]): CheckResult {
    const { source, origin } = compose(stmts);
    const r = check({ source, file: SESSION }, { readFile: (p) => readFileSync(p, 'utf8'), partial: true });
    const shown = r.messages.filter((m) => m.severity !== 'note' || !r.ok);
    if (shown.length) this.messages(shown, origin);
    return r;
  }

  private async showLet(name: string): Promise<void> {
    const c = await this.compiled(this.needed(name));
    if (!c) return;
    const e = letValue(c.checked, name);
    if (e) await this.show(c, e, name, compose(this.stmts).origin);
  }

  // ---- expressions ----

  private async expression(ex: ParsedExpression): Promise<void> {
    const stmts = [...this.needed(ex.text), expressionStmt(ex)];
    const c = await this.compiled(stmts);
    if (!c) return;
    await this.show(c, letValue(c.checked, IT)!, null, compose(stmts).origin);
  }

  private async show(c: CompiledProgram, e: Expr, name: string | null, origin: Origin): Promise<void> {
    const ty = typeOf(c.checked, e);
    const label = name ? `${name}: ` : '';
    if (ty.elem === null) return this.io.out(`${label}${ty.type}`);
    const v = await this.guard(
      async () => (await evaluateAt(c, pointGraph(c, e), this.at(c), this.backendFor())).value,
      origin,
    );
    if (!v) return;
    this.io.out(label + showValue({ data: v.data, shape: v.shape, elem: ty.elem }));
  }

  /**
   * The declarations an expression needs (names it mentions, and theirs, transitively), with the
   * starts of its vars and params: an expression evaluates without the model, the objective or
   * data it does not read.
   */
  private needed(text: string): SessionStmt[] {
    const want = new Set(identifiers(text));
    const keep = new Set<SessionStmt>();
    for (let grew = true; grew;) {
      grew = false;
      for (const s of this.stmts) {
        if (keep.has(s) || ![...s.names, ...s.dims].some((n) => want.has(n))) continue;
        if (!['Data', 'Var', 'Param', 'Let', 'Fn', 'Import'].includes(s.kind)) continue;
        keep.add(s);
        grew = true;
        for (const n of identifiers(s.text)) want.add(n);
      }
    }
    for (const s of this.stmts)
      if (s.kind === 'Import' || (s.kind === 'Start' && s.keys.some((k) => want.has(k.slice('start:'.length)))))
        keep.add(s);
    return this.stmts.filter((s) => keep.has(s));
  }

  private at(c: CompiledProgram): Map<string, Float64Array> {
    return new Map([...startPoint(c), ...pointOf(c, this.point ?? {})]);
  }

  private backendFor(): 'ref' | 'cpu' | 'wasm' {
    return this.backend === 'auto' ? 'ref' : (this.backend as 'ref');
  }

  /** Compiles the session program (plus extra statements); prints errors and returns null on failure. */
  private async compiled(stmts: SessionStmt[], seed = DEFAULT_SEED): Promise<CompiledProgram | null> {
    const { source, origin } = compose(stmts);
    try {
      return await compile({ source, file: SESSION }, { data: this.dataFor(stmts), backend: this.backend, seed });
    } catch (e) {
      if (e instanceof CompileError) {
        this.messages(e.messages, origin);
        return null;
      }
      throw e;
    }
  }

  /** Runs `f`, printing a user error (CompileError) mapped to the entries instead of throwing. */
  private async guard<T>(f: () => Promise<T>, origin: Origin): Promise<T | null> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof CompileError) {
        this.messages(e.messages, origin);
        return null;
      }
      throw e;
    }
  }

  private dataFor(stmts: SessionStmt[]): Record<string, unknown> {
    const declared = new Set(stmts.flatMap((s) => s.data));
    return Object.fromEntries(Object.entries(this.data).filter(([k]) => declared.has(k)));
  }

  // ---- running ----

  private async run(ctl: Control): Promise<void> {
    if (!this.stmts.some((s) => s.kind === 'Solve' || s.kind === 'Infer')) {
      this.io.err('error: the session has no `solve` or `infer` to run');
      return;
    }
    const c = await this.compiled(this.stmts);
    if (!c) return;
    const trace: number[] = [];
    const bar = this.io.progress();
    let r: RunResult;
    try {
      r = await run(c, {
        onProgress: (p) => {
          trace.push(p.objective);
          bar.update(p.step, p.steps, p.objective);
        },
        shouldStop: () => ctl.shouldStop(),
      });
    } finally {
      bar.done();
    }
    this.printResult(r, c);
    if (r.status !== 'error') {
      this.point = r.values;
      const chart = traceChart(trace, c.checked.infer ? 'ELBO' : 'objective');
      if (chart) this.io.out(chart);
    }
  }

  private printResult(r: RunResult, c: CompiledProgram): void {
    const lines: string[] = [];
    const why = typeof r.diagnostics.stop_reason === 'string' ? ` (${r.diagnostics.stop_reason})` : '';
    lines.push(`status:    ${r.status}${why}`);
    if (r.status !== 'error') {
      lines.push(`objective: ${r.objective === null ? 'null' : fmtNumber(r.objective)}`);
      lines.push(`steps:     ${r.steps}   time ${r.time_ms.toFixed(0)} ms   backend ${r.backend}`);
      for (const e of c.layout) {
        const v = r.values[e.name];
        if (v === undefined) continue;
        const flat = flatNumbers(v);
        lines.push(`${e.name} = ${showValue({ data: flat, shape: e.shape, elem: 'real' })}`);
      }
      if (r.posterior) {
        const names = Object.keys(r.posterior);
        const w = Math.max(4, ...names.map((n) => n.length));
        lines.push(`posterior: ${'name'.padEnd(w)}  mean / sd`);
        for (const n of names) {
          const s = r.posterior[n]!;
          lines.push(`  ${n.padEnd(w)}  ${nestedText(s.mean)} / ${nestedText(s.sd)}`);
        }
      }
    }
    this.io.out(lines.join('\n'));
    if (r.messages.length) this.messages(r.messages, compose(this.stmts).origin);
  }

  // ---- commands ----

  private async command(line: string, ctl: Control): Promise<void> {
    const m = /^(\s*:(\w*))\s*(.*)$/s.exec(line)!;
    const name = `:${m[2]}`;
    const arg = m[3]!.trimEnd();
    const argAt = line.length - m[3]!.length;
    const known = COMMANDS.filter((c) => c.startsWith(name));
    const cmd = COMMANDS.includes(name) ? name : known.length === 1 ? known[0]! : null;
    if (!cmd) {
      this.io.err(
        `unknown command ${name}${known.length ? ` (did you mean ${known.join(', ')}?)` : ''}; :help lists them`,
      );
      return;
    }
    const needs = (what: string) => {
      if (arg) return false;
      this.io.err(`${cmd} needs ${what}`);
      return true;
    };
    switch (cmd) {
      case ':help':
        return this.io.out(HELP);
      case ':quit':
        this.quit = true;
        return;
      case ':reset':
        this.stmts = [];
        this.data = {};
        this.point = null;
        return this.io.out('session cleared');
      case ':backend':
        if (!arg) return this.io.out(`backend: ${this.backend}`);
        if (!(BACKENDS as readonly string[]).includes(arg))
          return this.io.err(`unknown backend \`${arg}\`; choose one of ${BACKENDS.join(', ')}`);
        this.backend = arg;
        return this.io.out(`backend: ${arg}`);
      case ':program':
        return this.io.out(this.stmts.map((s) => s.shown).join('\n') || '(empty)');
      case ':check':
        return this.checkCommand();
      case ':run':
        return this.run(ctl);
      case ':load':
        if (needs('a .opt file')) return;
        return this.load(arg, ctl);
      case ':data':
        if (needs('a .json or .csv file')) return;
        return this.loadData(arg);
      case ':time': {
        if (needs('an entry to time')) return;
        const t0 = performance.now();
        await this.entry(' '.repeat(argAt) + arg, ctl);
        return this.io.out(`time: ${fmtMs(performance.now() - t0)}`);
      }
      case ':type':
      case ':shape':
        if (needs('an expression')) return;
        return this.typeCommand(line, argAt, cmd === ':shape');
      case ':graph':
        if (needs('an expression')) return;
        return this.graphCommand(line, argAt, null);
      case ':grad': {
        const g = /^(.*)\s+wrt\s+([A-Za-z_]\w*)\s*$/s.exec(arg);
        if (!g) return void this.io.err(':grad needs an expression and a var: :grad e wrt x');
        return this.graphCommand(line, argAt, g[2]!, g[1]!);
      }
    }
  }

  /** The expression after a command, padded to its column in the typed line. */
  private commandExpression(line: string, at: number, text: string): ParsedExpression | null {
    const file = this.newEntry(line);
    const ex = parseExpression(' '.repeat(at) + text, file);
    if ('errors' in ex) {
      this.errors(ex.errors);
      return null;
    }
    return ex;
  }

  private typeCommand(line: string, at: number, shapeOnly: boolean): void {
    const ex = this.commandExpression(line, at, line.slice(at));
    if (!ex) return;
    const { source, origin } = compose([...this.stmts, expressionStmt(ex)]);
    try {
      const t = expressionType({ source, file: SESSION }, IT, { data: this.dataFor(this.stmts), backend: 'ref' });
      if (shapeOnly)
        return this.io.out(
          t.shape
            ? `[${t.shape.map((d, i) => d ?? t.type.match(/\[(.*)\]/)?.[1]?.split(', ')[i] ?? '?').join(', ')}]`
            : t.type,
        );
      this.io.out(`${t.type}${t.values}`);
    } catch (e) {
      if (e instanceof CompileError) return this.messages(e.messages, origin);
      throw e;
    }
  }

  private async graphCommand(line: string, at: number, wrt: string | null, text = line.slice(at)): Promise<void> {
    const ex = this.commandExpression(line, at, text);
    if (!ex) return;
    const stmts = [...this.stmts, expressionStmt(ex)];
    const c = await this.compiled(stmts);
    if (!c) return;
    const origin = compose(stmts).origin;
    const e = letValue(c.checked, IT)!;
    if (wrt === null) {
      const g = await this.guard(async () => pointGraph(c, e), origin);
      if (g) this.io.out(pointGraphText(c, g).trimEnd());
      return;
    }
    if (!c.layout.some((l) => l.name === wrt))
      return this.io.err(`error: \`${wrt}\` is not a var or param of the session`);
    const ty = typeOf(c.checked, e);
    if (ty.elem === null || (ty.shape && ty.shape.length > 0))
      return this.io.err(`error: :grad needs a scalar expression; this one is ${ty.type}`);
    const r = await this.guard(() => evaluateAt(c, pointGraph(c, e, wrt), this.at(c), this.backendFor()), origin);
    if (!r) return;
    const entry = c.layout.find((l) => l.name === wrt)!;
    this.io.out(`value: ${fmtNumber(r.value.data[0]!)}`);
    this.io.out(`d/d${wrt} = ${showValue({ data: r.grad!.data, shape: entry.shape, elem: 'real' } as ShownValue)}`);
  }

  private checkCommand(): void {
    const r = this.checkProgram(this.stmts);
    if (!r.ok) return;
    const lines = ['ok'];
    const d = r.decomposition;
    if (d && d.kind !== 'none') {
      lines.push(`decomposition: ${d.kind}${d.sense ? ` (${d.sense})` : ''}`);
      const part = (k: string, xs: string[]) => xs.length && lines.push(`  ${k}: ${xs.join('; ')}`);
      part('smooth', d.smooth);
      part(
        'prox',
        d.prox.map((t) => `${t.term} (prox ${t.prox})`),
      );
      part(
        'sets',
        d.sets.map((t) => `${t.var} in ${t.set}`),
      );
      part(
        'equalities',
        d.equalities.map((t) => (t.label ? `${t.label}: ` : '') + t.expr),
      );
      part(
        'inequalities',
        d.inequalities.map((t) => (t.label ? `${t.label}: ` : '') + t.expr),
      );
    }
    if (r.algorithm)
      lines.push(`algorithm: ${r.algorithm.name}${r.algorithm.reason ? ` (${r.algorithm.reason})` : ''}`);
    this.io.out(lines.join('\n'));
  }

  private async load(path: string, ctl: Control): Promise<void> {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return this.io.err(`error: cannot read ${path}`);
    }
    this.sources.set(path, text);
    const st = parse(text, path);
    if (!st.program) return this.errors(st.diagnostics);
    const before = new Set(this.names());
    if (!(await this.statements(st.program, text, path, dirname(path), ctl, false))) return;
    const added = this.names().filter((n) => !before.has(n));
    const runs = st.program.body.some((s) => s.kind === 'Solve' || s.kind === 'Infer');
    this.io.out(
      `loaded ${path}: ${st.program.body.length} statements${added.length ? ` (${added.join(', ')})` : ''}${runs ? '; :run runs its solve' : ''}`,
    );
  }

  private loadData(path: string): void {
    try {
      const d = readDataFile(path);
      Object.assign(this.data, d);
      this.io.out(`data: ${describeData(d)}`);
    } catch (e) {
      if (e instanceof DataError) return this.io.err(`error: ${e.message}`);
      throw e;
    }
  }

  // ---- messages ----

  private errors(ds: readonly Diagnostic[]): void {
    this.io.err(
      formatMessages(
        ds.map((d) => ({
          severity: d.severity,
          message: d.message,
          file: d.span.file,
          line: d.span.line,
          col: d.span.col,
          endLine: d.span.endLine,
          endCol: d.span.endCol,
          ...(d.hint ? { hint: d.hint } : {}),
        })),
        this.sources,
      ),
    );
  }

  /** Messages on the session program, shown on the entries (and files) they came from. */
  private messages(ms: readonly Message[], origin: Origin): void {
    const mapped = ms.map((m) => {
      if (m.file !== SESSION) return m;
      const o = origin[m.line - 1];
      if (!o) return { ...m, file: 'repl', line: 1, col: 1, endLine: 1, endCol: 1 };
      const oe = origin[m.endLine - 1];
      const end = oe && oe.file === o.file ? oe.line : o.line;
      return {
        ...m,
        file: o.file,
        line: o.line,
        endLine: end,
        endCol: end === o.line && m.endLine !== m.line ? m.col + 1 : m.endCol,
      };
    });
    this.io.err(formatMessages(mapped, this.sources));
  }
}

// ---- parsing entries ----

interface ParsedExpression {
  /** The entry's text (the expression, padded to its columns). */
  text: string;
  file: string;
}

/** Parses `text` as one expression (wrapped as `let __it =` on a line before it). */
function parseExpression(text: string, file: string): ParsedExpression | { errors: Diagnostic[] } {
  const r = parse(`let ${IT} =\n${text}`, file);
  if (r.program && r.program.body.length === 1) return { text, file };
  const shift = IT.length + 8;
  // Positions quoted in the text (`opened at 2:5`) are on the wrapped text too.
  const errors = r.diagnostics.map((d) => ({
    ...d,
    message: d.message.replace(
      /\b(at )(\d+):(\d+)\b/g,
      (_, at: string, l: string, c: string) => `${at}${Number(l) - 1}:${c}`,
    ),
    span: {
      ...d.span,
      line: d.span.line - 1,
      endLine: d.span.endLine - 1,
      start: d.span.start - shift,
      end: d.span.end - shift,
    },
  }));
  return { errors: errors.length ? errors : [] };
}

function expressionStmt(ex: ParsedExpression): SessionStmt {
  const lines = ex.text.split('\n');
  return {
    keys: [`name:${IT}`],
    names: [],
    dims: [],
    kind: 'Let',
    text: `let ${IT} =\n${ex.text}`,
    shown: '',
    origin: [{ file: ex.file, line: 1 }, ...lines.map((_, i) => ({ file: ex.file, line: i + 1 }))],
    data: [],
  };
}

// ---- session statements ----

function sessionStmts(st: Program['body'][number], text: string, file: string, baseDir: string): SessionStmt[] {
  const place = (span: Span, prefix = '', suffix = '') => {
    const body = ' '.repeat(span.col - 1) + text.slice(span.start, span.end);
    const lines = Array.from({ length: span.endLine - span.line + 1 }, (_, i) => ({ file, line: span.line + i }));
    const origin = [
      ...(prefix ? [{ file, line: span.line }] : []),
      ...lines,
      ...(suffix ? [{ file, line: span.endLine }] : []),
    ];
    return { text: `${prefix}${body}${suffix}`, origin, shown: dedent(body) };
  };
  const base = {
    keys: [] as string[],
    names: [] as string[],
    dims: [] as string[],
    kind: st.kind as string,
    data: [] as string[],
  };
  switch (st.kind) {
    case 'Data':
    case 'Var':
    case 'Param': {
      const kw = st.kind.toLowerCase();
      const from = st.kind === 'Data' && st.source !== null ? join(baseDir, st.source) : undefined;
      return st.decls.map((d, i) => {
        const n = d.name.name;
        return {
          ...base,
          keys: [`name:${n}`],
          names: [n],
          data: st.kind === 'Data' ? [n] : [],
          dims: st.kind === 'Data' ? d.type.dims.flatMap((x) => identifiers(text.slice(x.span.start, x.span.end))) : [],
          ...place(d.span, `${kw} {\n`, '\n}'),
          shown: `${kw} ${text.slice(d.span.start, d.span.end)}`,
          ...(from && i === 0 ? { dataFrom: from } : {}),
        };
      });
    }
    case 'Let':
    case 'Fn':
    case 'ObjectiveDef':
      return [{ ...base, keys: [`name:${st.name.name}`], names: [st.name.name], ...place(st.span) }];
    case 'Start':
      return [{ ...base, keys: [`start:${st.name.name}`], ...place(st.span) }];
    case 'Optimize':
      return [{ ...base, keys: ['objective'], ...place(st.span) }];
    case 'Solve':
    case 'Infer':
      return [{ ...base, keys: ['run'], ...place(st.span) }];
    case 'Model':
    case 'Guide':
    case 'Generate':
      return [{ ...base, keys: [st.kind], ...place(st.span) }];
    case 'Where':
      return [{ ...base, keys: [`where:${st.name.name}`], ...place(st.span) }];
    case 'Import': {
      const path = baseDir === '.' ? st.path : relative('.', join(baseDir, st.path));
      const placed = place(st.span);
      return [
        {
          ...base,
          keys: [`import:${path}`],
          text: ' '.repeat(st.span.col - 1) + `import ${JSON.stringify(path)}`,
          shown: `import ${JSON.stringify(path)}`,
          origin: placed.origin.slice(0, 1),
        },
      ];
    }
    default:
      return [{ ...base, ...place(st.span) }];
  }
}

function identifiers(text: string): string[] {
  return text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
}

function compose(stmts: readonly SessionStmt[]): { source: string; origin: { file: string; line: number }[] } {
  return { source: stmts.map((s) => s.text).join('\n'), origin: stmts.flatMap((s) => s.origin) };
}

function dedent(text: string): string {
  const lines = text.split('\n');
  const pad = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(pad)).join('\n');
}

function describeData(d: DataObject): string {
  return Object.entries(d)
    .map(([k, v]) => {
      const shape: number[] = [];
      for (let x: unknown = v; Array.isArray(x); x = x[0]) shape.push(x.length);
      return shape.length ? `${k} [${shape.join(' x ')}]` : `${k} = ${fmtNumber(Number(v))}`;
    })
    .join(', ');
}

function nestedText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(nestedText).join(', ')}]`;
  return v === null ? 'null' : fmtNumber(Number(v));
}

function fmtMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

type Span = Diagnostic['span'];
type Expr = NonNullable<ReturnType<typeof letValue>>;
type Origin = { file: string; line: number }[];

function flatNumbers(v: unknown): number[] {
  if (Array.isArray(v)) return v.flatMap(flatNumbers);
  return [v === null ? NaN : Number(v)];
}
