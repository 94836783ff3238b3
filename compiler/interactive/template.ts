// Tagged templates: opt`var x: real[n] minimize sumsq(${A} @ x - ${b})`. Interpolations are data,
// never source text (template_source.ts). The work is cached at the template site (its strings
// array, which JavaScript keeps per call site) in three layers:
//   parse   once per site (and per set of string values, which are tokens of the text);
//   check   once per kinds-and-ranks of the interpolations (and per solve/infer override);
//   bind    once per shapes: data bound, dimensions inferred, graphs traced; `compile` prepares
//           the backend executables once per backend.
// A later call with new data of the same shapes only checks the values against their
// declarations and rebinds the executables' data: no parsing, checking or tracing
// (`templateCounters` counts each layer's work, for tests and the curious).
// Errors are thrown at the tag as a TemplateError whose messages point into the template as
// written, `${i}` marking interpolation i, with a hint saying what that value was.

import {
  LineMap,
  parse,
  type Diagnostic,
  type Infer,
  type Program,
  type Solve,
  type Span,
  type Stmt,
} from '../../grammar/index.js';
import { checkFrontEnd } from '../api.js';
import {
  bindDataValues,
  bindFrontEnd,
  checkDataDomains,
  checkLoaded,
  compileBound,
  loadData,
  type BoundProgram,
  type CompiledProgram,
  type FrontEnd,
  type NestedNumber,
} from '../compile.js';
import { loadProgram } from '../front/modules.js';
import { CompileError, fileDiagnostic, formatMessages, toMessages, type Message } from '../messages.js';
import type { DataArray } from '../front/data_binding.js';
import type { CheckResult, PosteriorSummary, RunResult } from '../running/result.js';
import { runProgram, type CheckpointHooks, type Progress } from '../running/run_program.js';
import { compiledGraphText, type GraphTextOptions } from '../graph_text.js';
import { platform, toNested } from '../../runtime/index.js';
import { evaluateAt, pointGraph, pointOf, startPoint, type PointTarget } from './point_eval.js';
import { inferDims, unboundDims } from './template_dims.js';
import {
  displayNames,
  hiddenHoles,
  holeRoles,
  mapSpan,
  templateText,
  type Role,
  type TemplateText,
} from './template_source.js';
import { classify, type DataHole, type Interpolation } from './template_values.js';
import type { BackendChoice } from '../running/backend_seam.js';

// ---- result types ----

/** A var's or param's value: a number, or nested arrays of numbers (null where not finite). */
export type TemplateValue = number | null | TemplateValue[];

/** What `opt<V>` promises about the program's vars and params; the default knows only the names' kind. */
export type TemplateValues = Record<string, TemplateValue>;

/** The posterior summary of a value of type T: each statistic in T's shape. */
export interface PosteriorOf<T> {
  mean: T;
  sd: T;
  q05: T;
  q50: T;
  q95: T;
}

/** A run result whose `values` (and posterior) are typed by the template's V. */
export interface TemplateResult<V extends TemplateValues = TemplateValues> extends Omit<
  RunResult,
  'values' | 'posterior'
> {
  values: V;
  /** Inference only: per param (typed by V) and per generated quantity. */
  posterior: ({ [K in keyof V]: PosteriorOf<V[K]> } & Record<string, PosteriorSummary>) | null;
}

/** A solve or infer option value: a number, a boolean, a name, or a nested method. */
export type TemplateOption = number | boolean | string | { method: string; options?: Record<string, TemplateOption> };

export interface TemplateRunOptions {
  seed?: number;
  backend?: BackendChoice;
  /** Overrides the step budget. */
  steps?: number;
  onProgress?(p: Progress): void;
  /** Aborting stops the run at the next step: status `stopped`, the iterate kept. */
  signal?: AbortSignal;
  checkpoint?: CheckpointHooks;
}

export interface TemplateSolveOptions extends TemplateRunOptions {
  /** The solver (default: the program's `solve`, else the one the analysis picks). */
  method?: string;
  /** The method's options, as in `solve method(options)`; they override the program's. */
  options?: Record<string, TemplateOption>;
}

export interface TemplateInferOptions extends TemplateRunOptions {
  /** The inference method (default: the program's `infer`, else `vi`). */
  method?: string;
  options?: Record<string, TemplateOption>;
  /** Posterior draws behind the summaries (default 4000). */
  draws?: number;
}

// ---- errors ----

/** A template that does not compile: messages on the template as written. */
export class TemplateError extends CompileError {
  constructor(
    diagnostics: Diagnostic[],
    /** The template as written, `${i}` for interpolation i. */
    readonly template: string,
    readonly site: string,
    /** The solve/infer statement that solve(options) or infer(options) rendered, if any. */
    optionsText: string | null = null,
  ) {
    super(diagnostics);
    this.name = 'TemplateError';
    const sources = new Map([[TEMPLATE_FILE, template]]);
    if (optionsText) sources.set(OPTIONS_FILE, optionsText);
    this.message = `opt template at ${site}:\n${formatMessages(this.messages, sources)}`;
  }
}

/** The file name template messages carry. */
export const TEMPLATE_FILE = 'template';
/** The file name of the statement solve(options) / infer(options) renders. */
const OPTIONS_FILE = 'options';

// ---- counters ----

/** Work done by templates since load: parses, checks (front ends), binds (graph traces), compiles (backends). */
export const templateCounters = { parses: 0, checks: 0, binds: 0, compiles: 0 };

// ---- the caches ----

interface Parsed {
  text: TemplateText;
  program: Program;
  roles: Role[];
  lines: LineMap;
  displayLines: LineMap;
}

interface Checked {
  fe: FrontEnd;
  /** Dimensions to infer (int data added to the program), with their first use. */
  inferred: Map<string, Span>;
  /** The interpolation each line of the declarations file declares. */
  holeOfLine: number[];
}

interface Bound {
  bound: BoundProgram;
  /** The dimensions inferred for these shapes. */
  dims: Map<string, number>;
  /** Data read from `data from` files, once. */
  fileData: Record<string, unknown>;
  compiled: Map<string, Promise<CompiledProgram>>;
  /** Runs that share executables take turns (each binds its own data first). */
  queue: Promise<unknown>;
  /** The data each backend's executables are bound to. */
  boundTo: Map<string, unknown>;
}

interface Site {
  where: string;
  strings: readonly string[];
  parses: Map<string, Parsed>;
  checks: Map<string, Checked>;
  binds: Map<string, Bound>;
}

const sites = new WeakMap<TemplateStringsArray, Site>();

/** What to run instead of the program's own solve/infer statement. */
interface Override {
  stmt: 'solve' | 'infer';
  method?: string;
  options?: Record<string, TemplateOption>;
}

/** One call of the template: its values, checked and bound. */
interface Call {
  site: Site;
  parsed: Parsed;
  checked: Checked;
  entry: Bound;
  arrays: Map<string, DataArray>;
  values: readonly unknown[];
  info: HoleInfo;
}

// ---- the tag ----

/**
 * Compiles the template once per site and binds its interpolations as data. `V` types the
 * result's `values` (and posterior) by var and param name: `opt<{ x: number[] }>`...``.
 */
export function opt<V extends TemplateValues = TemplateValues>(
  strings: TemplateStringsArray,
  ...values: Interpolation[]
): TemplateProgram<V> {
  let site = sites.get(strings);
  if (!site) {
    site = { where: callSite(), strings: [...strings], parses: new Map(), checks: new Map(), binds: new Map() };
    sites.set(strings, site);
  }
  return new TemplateProgram<V>(prepareCall(site, values, null));
}

export class TemplateProgram<V extends TemplateValues = TemplateValues> {
  /** @internal */
  constructor(private readonly call: Call) {}

  /** Names, types, shapes, the decomposition and the algorithm (the checks already passed at the tag). */
  check(): CheckResult {
    const r = checkFrontEnd(this.call.checked.fe);
    return { ...r, messages: mapMessages(this.call, r.messages) };
  }

  /** Runs the program's solve (or the one given); a model without one gets its MAP estimate by lbfgs. */
  solve(options: TemplateSolveOptions = {}): Promise<TemplateResult<V>> {
    const p = this.call.checked.fe.checked;
    const override =
      options.method || options.options || p.infer || (p.model && !p.solve)
        ? ({ stmt: 'solve', method: options.method, options: options.options } as Override)
        : null;
    return this.runWith(override, options);
  }

  /** Runs the program's infer (or the one given; default `vi`). */
  infer(options: TemplateInferOptions = {}): Promise<TemplateResult<V>> {
    const p = this.call.checked.fe.checked;
    const override =
      options.method || options.options || !p.infer
        ? ({ stmt: 'infer', method: options.method, options: options.options } as Override)
        : null;
    return this.runWith(override, options);
  }

  /** The compiled graph of the objective (or log density) as text, dot or JSON. */
  async graph(options: GraphTextOptions & { backend?: BackendChoice } = {}): Promise<string> {
    const text = compiledGraphText(await compiledFor(this.call, options.backend ?? 'auto'), options);
    return displayNames(this.call.parsed.text, text);
  }

  /**
   * The gradient of the objective (as written: `maximize f` gives the gradient of f) or, for a
   * model, of its log density, with respect to the var or param `name`, at `at` (other values:
   * the start point).
   */
  async grad(name: keyof V & string, at: Partial<V> = {}): Promise<NestedNumber> {
    return withExecutables(this.call, 'ref', undefined, async (c) => {
      const p = c.checked;
      if (!c.internals.layout.entries.some((e) => e.name === name))
        throw new Error(`\`${name}\` is not a var or param of the template`);
      const objective = p.optimize?.objective;
      const target: PointTarget | null =
        objective ?? (p.model ? (env, low) => c.internals.kit.modelLogp(env, low) : null);
      if (!target) throw new Error('the template has no objective or model to differentiate');
      const point = new Map([...startPoint(c), ...pointOf(c, at as Record<string, unknown>)]);
      const { grad } = await evaluateAt(c, pointGraph(c, target, name), point);
      return toNested(grad!) as NestedNumber;
    });
  }

  private async runWith(override: Override | null, o: TemplateRunOptions & { draws?: number }) {
    const call = override ? prepareCall(this.call.site, this.call.values, override) : this.call;
    const r = await withExecutables(call, o.backend ?? 'auto', o.seed, (c) =>
      runProgram(c, {
        steps: o.steps,
        onProgress: o.onProgress,
        shouldStop: o.signal ? () => o.signal!.aborted : undefined,
        checkpoint: o.checkpoint,
        draws: o.draws,
      }),
    );
    return { ...r, messages: mapMessages(call, r.messages) } as unknown as TemplateResult<V>;
  }
}

/**
 * Runs `f` on the call's compiled program with the call's data (and seed), in turn with the other
 * calls whose programs share the executables: each binds its own data first.
 */
async function withExecutables<T>(
  call: Call,
  backend: BackendChoice,
  seed: number | undefined,
  f: (c: CompiledProgram) => Promise<T>,
): Promise<T> {
  const c = withData(await compiledFor(call, backend), call.arrays, seed);
  const entry = call.entry;
  const turn = entry.queue.then(async () => {
    if (entry.boundTo.get(backend) !== call.arrays) {
      for (const x of c.internals.executables) x.bind(c.internals.dataArrays);
      entry.boundTo.set(backend, call.arrays);
    }
    return f(c);
  });
  entry.queue = turn.catch(() => undefined);
  return turn;
}

// ---- the stages ----

function prepareCall(site: Site, values: readonly unknown[], override: Override | null): Call {
  const strings = new Map<number, string>();
  values.forEach((v, i) => typeof v === 'string' && strings.set(i, v));
  const parsed = parseSite(site, strings);
  let holeOfLine: readonly number[] = [];
  const whats: string[] = values.map((v) => (typeof v === 'string' ? `the string ${JSON.stringify(v)}` : ''));
  const declared = new Map<string, number>();
  const fail = (ds: Diagnostic[], lines = holeOfLine, optionsText: string | null = null): never => {
    throw templateError(parsed, site, ds, lines, { whats, declared }, optionsText);
  };
  const at = (i: number) => parsed.lines.span(parsed.text.holes[i]!.src[0], parsed.text.holes[i]!.src[1]);

  const hidden = hiddenHoles(parsed.text, parsed.program);
  // What each value is, where it sits.
  const holes: (DataHole | null)[] = [];
  const problems: Diagnostic[] = [];
  const checkKey: string[] = [];
  values.forEach((v, i) => {
    const role = parsed.roles[i];
    const err = (message: string, hint?: string) =>
      problems.push({ severity: 'error', message: `\${${i}}: ${message}`, span: at(i), ...(hint ? { hint } : {}) });
    holes.push(null);
    if (typeof v === 'string') return checkKey.push(`s${JSON.stringify(v)}`);
    if (!role)
      return hidden.has(i)
        ? undefined
        : err('an interpolation must stand alone as a value', 'put a space or an operator around it');
    if (role.kind === 'bad') return err(role.why);
    if (role.kind === 'option') {
      if (typeof v !== 'number' && typeof v !== 'boolean')
        return err(`a solve or infer option takes a number or a boolean, not ${describe(v)}`);
      if (typeof v === 'number' && !Number.isFinite(v)) return err(`an option must be finite, not ${v}`);
      return checkKey.push(`o${v}`);
    }
    const c = classify(v, role.kind === 'data' ? role.int : true);
    if (typeof c === 'string') return err(`cannot be data: ${c}`);
    if (c.kind === 'string') return;
    holes[i] = c;
    whats[i] = c.what;
    if (role.kind === 'declared') declared.set(role.decl, i);
    checkKey.push(role.kind === 'declared' ? 'd' : `${c.elem}${c.shape.length}`);
  });
  for (const [i, where] of hidden) problems.push({ severity: 'error', message: `\${${i}} is ${where}`, span: at(i) });
  if (problems.length) fail(problems);

  const key = `${[...strings.entries()].map(([i, s]) => `${i}=${JSON.stringify(s)}`).join(',')}|${checkKey.join(',')}|${override ? JSON.stringify(override) : ''}`;
  let checked = site.checks.get(key);
  if (!checked) {
    checked = checkSite(site, parsed, holes, values, override, fail);
    site.checks.set(key, checked);
  }
  holeOfLine = checked.holeOfLine;

  // The data: every data or declared interpolation, by name, over `data from` files.
  const data: Record<string, unknown> = {};
  const shapeKey: string[] = [key];
  holes.forEach((h, i) => {
    if (!h) return;
    const role = parsed.roles[i]!;
    const name = role.kind === 'declared' ? role.decl : parsed.text.holes[i]!.name;
    data[name] = h.value;
    shapeKey.push(`${i}:${h.shape.join('x')}${h.elem === 'int' && h.shape.length === 0 ? `=${String(h.value)}` : ''}`);
  });
  let entry = site.binds.get(shapeKey.join('|'));
  if (!entry) {
    entry = bindSite(parsed, checked, data, holes, fail);
    site.binds.set(shapeKey.join('|'), entry);
    return { site, parsed, checked, entry, arrays: entry.bound.arrays, values, info: { whats, declared } };
  }
  // Same shapes: check the new values against their declarations and swap them in.
  const bound = entry.bound;
  const all: Record<string, unknown> = { ...entry.fileData, ...data, ...Object.fromEntries(entry.dims) };
  const changed = new Set(Object.keys(data));
  try {
    const b = bindDataValues(checked.fe.checked, all, ORIGIN, (name) =>
      dependsOn(bound, name, changed) ? undefined : bound.arrays.get(name),
    );
    checkDataDomains(bound.late, b.arrays, b.statics, ORIGIN);
    return { site, parsed, checked, entry, arrays: b.arrays, values, info: { whats, declared } };
  } catch (e) {
    if (e instanceof CompileError && !(e instanceof TemplateError)) return fail(e.diagnostics);
    throw e;
  }
}

const ORIGIN = 'the template';

function parseSite(site: Site, strings: ReadonlyMap<number, string>): Parsed {
  const key = [...strings.entries()].map(([i, s]) => `${i}=${JSON.stringify(s)}`).join(',');
  const hit = site.parses.get(key);
  if (hit) return hit;
  const text = templateText(site.strings, strings);
  templateCounters.parses++;
  const r = parse(text.source, TEMPLATE_FILE);
  const parsedLike = {
    text,
    lines: new LineMap(TEMPLATE_FILE, text.source),
    displayLines: new LineMap(TEMPLATE_FILE, text.display),
  } as Parsed;
  if (!r.program) throw templateError(parsedLike, site, r.diagnostics);
  const parsed: Parsed = { ...parsedLike, program: r.program, roles: holeRoles(text, r.program) as Role[] };
  site.parses.set(key, parsed);
  return parsed;
}

function checkSite(
  site: Site,
  parsed: Parsed,
  holes: readonly (DataHole | null)[],
  values: readonly unknown[],
  override: Override | null,
  fail: (ds: Diagnostic[], holeOfLine?: readonly number[], optionsText?: string | null) => never,
): Checked {
  const program = structuredClone(parsed.program);
  const { text, roles } = parsed;
  const spanOf = (i: number) => parsed.lines.span(text.holes[i]!.src[0], text.holes[i]!.src[1]);
  // Options become literals; declared data lose their `= ${...}` (the value is the data).
  const literal = (i: number): unknown => {
    const v = values[i] as number | boolean;
    const span = spanOf(i);
    return typeof v === 'boolean' ? { kind: 'Bool', value: v, span } : numberLit(v, span);
  };
  replaceIdents(program, (name) => {
    const i = text.holes.findIndex((h) => h.name === name);
    return i >= 0 && roles[i]?.kind === 'option' ? literal(i) : null;
  });
  for (const st of program.body)
    if (st.kind === 'Data')
      for (const d of st.decls)
        if (d.init?.kind === 'Ident' && text.holes.some((h) => h.name === (d.init as { name: string }).name))
          d.init = null;
  // Each data interpolation is a `data` of its kind and shape, declared in a text of its own
  // (so the checker spells its dimensions `${i}.shape[j]`); messages there map to the `${i}`.
  const decls = declText(text, holes, roles);
  for (const d of decls.stmts) program.body.push(d);
  const inferred = unboundDims(program);
  for (const [name, span] of inferred) {
    const ident = (n: string) => ({ kind: 'Ident' as const, name: n, span });
    const type = { kind: 'Type' as const, name: ident('int'), dims: [], arrayDims: [], domain: null, span };
    program.body.push({
      kind: 'Data',
      source: null,
      decls: [{ kind: 'Decl', name: ident(name), type, init: null, span }],
      span,
    });
  }
  const overrideText = override ? applyOverride(program, override, (ds) => fail(ds)) : null;
  templateCounters.checks++;
  const loaded = loadProgram(TEMPLATE_FILE, text.source, undefined, program);
  loaded.sources.set(DECLS_FILE, decls.text);
  if (overrideText) loaded.sources.set(OPTIONS_FILE, overrideText);
  const fe = checkLoaded(loaded, TEMPLATE_FILE);
  if (fe.diagnostics.some((d) => d.severity === 'error')) fail(fe.diagnostics, decls.holeOfLine, overrideText);
  return { fe, inferred, holeOfLine: decls.holeOfLine };
}

function bindSite(
  parsed: Parsed,
  checked: Checked,
  data: Record<string, unknown>,
  holes: readonly (DataHole | null)[],
  fail: (ds: Diagnostic[], holeOfLine?: readonly number[], optionsText?: string | null) => never,
): Bound {
  try {
    const fileData = checked.fe.checked.dataSources.length
      ? loadData(checked.fe.checked, {}, platform.readText, TEMPLATE_FILE).data
      : {};
    let dims = new Map<string, number>();
    if (checked.inferred.size) {
      const candidates = holes.flatMap((h) =>
        !h ? [] : h.elem === 'int' && h.shape.length === 0 ? [...h.shape, Number(h.value)] : h.shape,
      );
      const r = inferDims(checked.fe, { ...fileData, ...data }, checked.inferred, candidates);
      if ('errors' in r) fail(r.errors);
      else dims = r.values;
    }
    templateCounters.binds++;
    const bound = bindFrontEnd(checked.fe, {
      data: { ...fileData, ...data, ...Object.fromEntries(dims) },
      dataFile: ORIGIN,
    });
    return { bound, dims, fileData, compiled: new Map(), queue: Promise.resolve(), boundTo: new Map() };
  } catch (e) {
    if (e instanceof CompileError && !(e instanceof TemplateError)) return fail(e.diagnostics);
    throw e;
  }
}

async function compiledFor(call: Call, backend: BackendChoice): Promise<CompiledProgram> {
  let p = call.entry.compiled.get(backend);
  if (!p) {
    templateCounters.compiles++;
    const entry = call.entry;
    p = compileBound({ ...entry.bound, backend }).then((c) => {
      entry.boundTo.set(backend, entry.bound.arrays);
      return c;
    });
    entry.compiled.set(backend, p);
  }
  return p;
}

/** The compiled program with this call's data (and seed); its executables are rebound before running. */
function withData(c: CompiledProgram, arrays: Map<string, DataArray>, seed = c.seed): CompiledProgram {
  const dataArrays = c.graphs.dataInputs.map((n) => arrays.get(n)!);
  return { ...c, seed, data: arrays, internals: { ...c.internals, dataArrays } };
}

/** Whether a data default reads (through other defaults) any value that changes per call. */
function dependsOn(bound: BoundProgram, name: string, changed: ReadonlySet<string>): boolean {
  const decl = bound.late.decls.find((d) => d.decl.name.name === name);
  if (!decl?.decl.init) return false;
  let hit = false;
  replaceIdents({ body: [decl.decl.init] } as never, (n) => {
    if (changed.has(n) || (n !== name && dependsOn(bound, n, changed))) hit = true;
    return null;
  });
  return hit;
}

// ---- overrides: solve(options) and infer(options) ----

/**
 * Replaces the program's solve/infer statement by the one `o` describes. The statement is
 * rendered as text (names checked to be names, numbers and booleans as literals) and parsed, so
 * that its messages point into it; options the program wrote for the same method are kept unless
 * overridden. Returns the rendered text, or null when the analysis is left to pick the method.
 */
function applyOverride(program: Program, o: Override, fail: (ds: Diagnostic[]) => never): string | null {
  const kind = o.stmt === 'solve' ? 'Solve' : 'Infer';
  const existing = program.body.find((st): st is Solve | Infer => st.kind === kind);
  // Defaults: vi for infer; a model's MAP estimate by lbfgs; else the analysis picks.
  const model = program.body.some((st) => st.kind === 'Model');
  const method = o.method ?? existing?.method.name ?? (o.stmt === 'infer' ? 'vi' : model ? 'lbfgs' : null);
  program.body = program.body.filter((st) => st.kind !== 'Solve' && st.kind !== 'Infer');
  const at = fileDiagnostic(OPTIONS_FILE, '');
  const bad = (message: string): never => fail([{ ...at, message }]);
  if (method === null) {
    if (o.options && Object.keys(o.options).length) bad('solve options need a method: solve({ method, options })');
    return null;
  }
  const name = (v: string, where: string) =>
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? v : bad(`${where}: \`${v}\` is not a name`);
  const render = (v: TemplateOption, where: string): string => {
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : bad(`${where}: ${v} is not a finite number`);
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'string') return name(v, where);
    if (v && typeof v === 'object' && typeof v.method === 'string')
      return `${name(v.method, where)}(${args(v.options ?? {}, where)})`;
    return bad(`${where}: an option is a number, a boolean, a name or { method, options }`);
  };
  const args = (opts: Record<string, TemplateOption>, where: string) =>
    Object.entries(opts)
      .map(([k, v]) => `${name(k, where)} = ${render(v, `${where}.${k}`)}`)
      .join(', ');
  const text = `${o.stmt} ${name(method, o.stmt)}(${args(o.options ?? {}, `${o.stmt} options`)})`;
  const r = parse(text, OPTIONS_FILE);
  if (!r.program) return fail(r.diagnostics);
  const st = r.program.body[0] as Solve | Infer;
  const given = new Set((st.args ?? []).map((a) => a.name?.name));
  if (existing && existing.method.name === method)
    st.args = [...(existing.args ?? []).filter((a) => !given.has(a.name?.name)), ...(st.args ?? [])];
  program.body.push(st);
  return text;
}

// ---- helpers ----

/** The file of the interpolations' declarations: line i declares the i-th data interpolation. */
const DECLS_FILE = 'template interpolations';

/** `data { __i0: real[__i0_d0, __i0_d1] }`, one line per data interpolation, as text and as parsed nodes. */
function declText(
  t: TemplateText,
  holes: readonly (DataHole | null)[],
  roles: readonly (Role | undefined)[],
): { text: string; stmts: Stmt[]; holeOfLine: number[] } {
  const lines: string[] = [];
  const holeOfLine: number[] = [];
  const pieces: { name: string; elem: string; dims: string[] }[] = [];
  holes.forEach((h, i) => {
    if (!h || roles[i]?.kind !== 'data') return;
    const name = t.holes[i]!.name;
    const dims = h.shape.map((_, j) => `${name}_d${j}`);
    pieces.push({ name, elem: h.elem, dims });
    lines.push(`data { ${name}: ${h.elem}${dims.length ? `[${dims.join(', ')}]` : ''} }`);
    holeOfLine.push(i);
  });
  const text = lines.join('\n');
  const map = new LineMap(DECLS_FILE, text);
  const stmts: Stmt[] = [];
  let off = 0;
  pieces.forEach((p, k) => {
    const line = lines[k]!;
    const at = (s: string, from = 0) => off + line.indexOf(s, from);
    const ident = (name: string, start: number) => ({
      kind: 'Ident' as const,
      name,
      span: map.span(start, start + name.length),
    });
    const nameAt = at(p.name);
    const typeStart = at(p.elem, line.indexOf(':'));
    const dims = p.dims.map((d) => ident(d, at(d)));
    const typeEnd = off + line.length - 2;
    const span = map.span(nameAt, typeEnd);
    const type = {
      kind: 'Type' as const,
      name: ident(p.elem, typeStart),
      dims,
      arrayDims: [],
      domain: null,
      span: map.span(typeStart, typeEnd),
    };
    stmts.push({
      kind: 'Data',
      source: null,
      decls: [{ kind: 'Decl', name: ident(p.name, nameAt), type, init: null, span }],
      span: map.span(off, off + line.length),
    });
    off += line.length + 1;
  });
  return { text, stmts, holeOfLine };
}

function numberLit(v: number, span: Span): unknown {
  const lit = { kind: 'Number', value: Math.abs(v), raw: String(Math.abs(v)), isInt: Number.isInteger(v), span };
  return v < 0 || Object.is(v, -0) ? { kind: 'Unary', op: '-', operand: lit, span } : lit;
}

/** Replaces Ident expressions for which `f` returns a node (and visits all of them). */
function replaceIdents(node: unknown, f: (name: string) => unknown): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => {
      if (n && typeof n === 'object' && n.kind === 'Ident') {
        const r = f(n.name);
        if (r) node[i] = r;
      } else replaceIdents(n, f);
    });
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'span') continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && (v as { kind?: string }).kind === 'Ident') {
      const r = f((v as { name: string }).name);
      if (r) (node as Record<string, unknown>)[k] = r;
    } else replaceIdents(v, f);
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return typeof v === 'object' ? (v === null ? 'null' : 'an object') : `a ${typeof v}`;
}

type Shown = Pick<Parsed, 'text' | 'lines' | 'displayLines'>;

/** What each interpolation was (for hints), and which declared data each one is. */
interface HoleInfo {
  whats: readonly string[];
  declared: ReadonlyMap<string, number>;
}

function templateError(
  parsed: Shown,
  site: Site,
  ds: Diagnostic[],
  holeOfLine: readonly number[] = [],
  about?: HoleInfo,
  optionsText: string | null = null,
) {
  return new TemplateError(
    ds.map((d) => mapDiagnostic(parsed, d, holeOfLine, about)),
    parsed.text.display,
    site.where,
    optionsText,
  );
}

function mapDiagnostic(
  parsed: Shown,
  d: Diagnostic,
  holeOfLine: readonly number[],
  info: HoleInfo = { whats: [], declared: new Map() },
): Diagnostic {
  const t = parsed.text;
  const message = displayNames(t, d.message);
  let span: Span;
  if (d.span.file === TEMPLATE_FILE) span = mapSpan(t, d.span, TEMPLATE_FILE, parsed.displayLines);
  else if (d.span.file === DECLS_FILE && holeOfLine[d.span.line - 1] !== undefined) {
    const h = t.holes[holeOfLine[d.span.line - 1]!]!;
    span = { ...parsed.displayLines.span(h.disp[0], h.disp[1]), file: TEMPLATE_FILE };
  } else span = d.span;
  // Which values the message concerns: those it names, or the one it points at.
  const shown = parsed.displayLines.source.slice(
    span.file === TEMPLATE_FILE ? offsetOf(parsed.displayLines, span.line, span.col) : 0,
    span.file === TEMPLATE_FILE ? offsetOf(parsed.displayLines, span.endLine, span.endCol) : 0,
  );
  const named = new Set([...`${message} ${shown}`.matchAll(/\$\{(\d+)\}/g)].map((m) => Number(m[1])));
  const about = [...named]
    .sort((a, b) => a - b)
    .filter((i) => info.whats[i])
    .map((i) => `\${${i}} is ${info.whats[i]}`);
  for (const [name, i] of info.declared)
    if (message.includes('`' + name + '`') || message.includes('`' + name + '['))
      about.push(`\`${name}\` is \${${i}}, ${info.whats[i]}`);
  const hints = [d.hint === undefined ? '' : displayNames(t, d.hint), ...about].filter((x) => x);
  return hints.length
    ? { severity: d.severity, message, span, hint: hints.join('; ') }
    : { severity: d.severity, message, span };
}

function offsetOf(lines: LineMap, line: number, col: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) off += lines.lineText(l).length + 1;
  return off + col - 1;
}

/** Result messages (line/col in the parsed text) on the template as written. */
function mapMessages(call: Call, ms: readonly Message[]): Message[] {
  const parsed = call.parsed;
  const starts = [0];
  for (let i = 0; i < parsed.text.source.length; i++) if (parsed.text.source.charCodeAt(i) === 10) starts.push(i + 1);
  const off = (line: number, col: number) => (starts[line - 1] ?? 0) + col - 1;
  return toMessages(
    ms.map((m) => {
      const d: Diagnostic = {
        severity: m.severity,
        message: m.message,
        span: {
          file: m.file,
          start: off(m.line, m.col),
          end: off(m.endLine, m.endCol),
          line: m.line,
          col: m.col,
          endLine: m.endLine,
          endCol: m.endCol,
        },
        ...(m.hint === undefined ? {} : { hint: m.hint }),
      };
      const whole = m.line === 1 && m.col === 1 && m.endLine === 1 && m.endCol === 1;
      return whole
        ? { ...d, message: displayNames(parsed.text, d.message) }
        : mapDiagnostic(parsed, d, call.checked.holeOfLine, call.info);
    }),
  );
}

/** `file:line:col` of the code that called the tag (for messages), best effort. */
function callSite(): string {
  for (const l of (new Error().stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(l);
    if (m && !/compiler[\\/]interactive[\\/]template\./.test(m[1]!))
      return `${m[1]!.replace(/^file:\/\//, '')}:${m[2]}:${m[3]}`;
  }
  return 'an opt template';
}
