// The compile pipeline: load (imports) -> check names, types and shapes symbolically ->
// structural analysis -> bind data (JSON `data from` defaults resolved next to the .opt file,
// unless the caller passes data) -> check again with the dimensions bound -> lay out the
// decision vector -> lower to graphs -> autodiff -> compile on a backend with the data bound.
// User errors stop the pipeline with a CompileError carrying every message found so far in
// that stage; warnings travel on the CompiledProgram.

import type { Diagnostic, Expr, Span } from '../grammar/index.js';
import {
  GpuUnavailable,
  inline,
  platform,
  simplify,
  trace,
  valueAndGrad,
  type Graph,
  type Tracer,
} from '../runtime/index.js';
import { analyze, type AlgorithmChoice, type Decomposition } from './analysis/analyze.js';
import {
  isBackend,
  prepare,
  belowFloat32,
  BACKENDS,
  FLOAT32_BACKENDS,
  FLOAT32_REACH,
  type BackendChoice,
  type Executable,
} from './running/backend_seam.js';
import { checkProgram, type CheckedProgram } from './front/check_program.js';
import { sizeDiagnostics } from './front/size_check.js';
import { bindData, checkDomain, type DataArray } from './front/data_binding.js';
import { uniformInit as uniform } from './lower/start_point.js';
import { buildLayout, type Layout } from './lower/param_layout.js';
import { LowerError } from './lower/lower.js';
import { CompileError, fileDiagnostic, toMessages, type Message } from './messages.js';
import { DEFAULT_SEED } from './default_seed.js';
import { loadProgram, type LoadResult, type ReadFile } from './front/modules.js';
import { DataError, mergeData } from './front/data_files.js';
import { buildGraphs, evalData, programKit, type ProgramGraphs, type ProgramKit } from './lower/program_graphs.js';

export interface SourceInput {
  source: string;
  /** The file name messages use; imports and `data from` resolve relative to it. */
  file: string;
}

/** A path to a .opt file, or its text with a name. */
export type ProgramInput = string | SourceInput;

export interface CompileOptions {
  /** The data as values (replaces `data from` defaults and `dataFiles`). */
  data?: Record<string, unknown>;
  /** Data files (JSON or CSV) to load and merge, later ones winning; default: the program's `data from`. */
  dataFiles?: string[];
  /** `name=JSON` overrides merged over the data (the CLI's --set). */
  set?: string[];
  /** How data messages name the data's origin (default: the files read). */
  dataFile?: string;
  /** The memory the program may need, in bytes (default: front/size_check.ts). */
  maxMemory?: number;
  backend?: string;
  seed?: number;
  readFile?: ReadFile;
}

/** A smooth objective over the flat unconstrained vector, as the solver driver takes it. */
export interface CompiledObjective {
  n: number;
  evaluate(x: Float64Array, step: number): { f: number; g: Float64Array };
}

export interface LayoutEntry {
  name: string;
  kind: 'var' | 'param';
  shape: number[];
  offset: number;
  size: number;
  /** The constraint transform (identity for vars and unconstrained params). */
  constraint: string;
}

export interface CompiledProgram {
  file: string;
  sources: ReadonlyMap<string, string>;
  /** Warnings and notes (errors throw). */
  messages: Message[];
  decomposition: Decomposition;
  algorithm: AlgorithmChoice | null;
  kind: 'optimization' | 'model' | 'none';
  sense: 'minimize' | 'maximize' | null;
  /** The backend that runs the graphs (`auto` resolved). */
  backend: string;
  seed: number;
  layout: LayoutEntry[];
  n: number;
  /** The function to minimize (a `maximize` negated; a model's -log p), when there is one. */
  objective: CompiledObjective | null;
  /** log p + log|J| on the unconstrained space, with its gradient (models). */
  logDensity: CompiledObjective | null;
  /** Stan-style initial point: uniform(-2, 2) from `seed`, `start` values applied. */
  initialPoint(seed?: number): Float64Array;
  /** `start` values applied to the unconstrained point theta0 (the other slices keep theta0's values). */
  initialPointFrom(theta0: Float64Array): Float64Array;
  /** Every var and param, constrained, nested in its declared shape. */
  valuesAt(x: Float64Array): Record<string, NestedNumber>;
  /** Simplified graphs over (theta, ...data): value only, and value-and-gradient. */
  graphs: {
    objective: Graph | null;
    objectiveGrad: Graph | null;
    logDensity: Graph | null;
    logDensityGrad: Graph | null;
    /** theta -> each var's and param's constrained value, in layout order (the export's `values`). */
    values: Graph;
    dataInputs: string[];
  };
  /** The bound data, by name (for fingerprints). */
  data: ReadonlyMap<string, DataArray>;
  compileMs: number;
  /** Where run-time messages about the problem point (the objective, model, solve or infer). */
  anchor: Span | null;
  /** @internal */ checked: CheckedProgram;
  /** @internal The data-free check, exactly what `check` sees (the estimator plan reads it). */
  front: CheckedProgram;
  /** @internal The lowering pieces and bound data, for the inference engine (compiler/running/infer.ts). */
  internals: {
    kit: ProgramKit;
    layout: Layout;
    dataArrays: DataArray[];
    backend: BackendChoice;
    /** Every executable above, bound to `dataArrays` (rebinding new data of the same shapes needs no trace). */
    executables: Executable[];
  };
}

export type NestedNumber = number | NestedNumber[];

export function readProgram(input: ProgramInput, read: ReadFile): { file: string; source: string } {
  if (typeof input !== 'string') return input;
  try {
    return { file: input, source: read(input) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CompileError([
      fileDiagnostic(
        input,
        code === 'ENOENT' ? `cannot read ${input}: no such file` : `cannot read ${input}: ${(e as Error).message}`,
      ),
    ]);
  }
}

const stop = (ds: readonly Diagnostic[]): void => {
  if (ds.some((d) => d.severity === 'error')) throw new CompileError([...ds]);
};

/** The front half (no data): load, check, analyze. Shared by `check` and `compile`. */
export function frontEnd(
  input: ProgramInput,
  read: ReadFile,
  maxMemory?: number,
): {
  checked: CheckedProgram;
  analysis: ReturnType<typeof analyze>;
  diagnostics: Diagnostic[];
  sources: ReadonlyMap<string, string>;
  file: string;
} {
  const { file, source } = readProgram(input, read);
  return checkLoaded(loadProgram(file, source, read), file, maxMemory);
}

export type FrontEnd = ReturnType<typeof frontEnd>;

/** The front end after loading: check and analyze already-parsed modules (tagged templates parse their own). */
export function checkLoaded(
  loaded: LoadResult,
  file: string,
  maxMemory?: number,
): {
  checked: CheckedProgram;
  analysis: ReturnType<typeof analyze>;
  diagnostics: Diagnostic[];
  sources: ReadonlyMap<string, string>;
  file: string;
} {
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  if (loaded.diagnostics.some((d) => d.severity === 'error'))
    return { checked: null as never, analysis: null as never, diagnostics, sources: loaded.sources, file };
  const checked = checkProgram(loaded.modules, loaded.sources, new Map());
  diagnostics.push(...checked.diagnostics);
  if (!checked.diagnostics.some((d) => d.severity === 'error'))
    diagnostics.push(...sizeDiagnostics(checked, maxMemory)); // the sizes the program spells out
  if (diagnostics.some((d) => d.severity === 'error'))
    return { checked, analysis: null as never, diagnostics, sources: loaded.sources, file };
  const analysis = analyze(checked);
  diagnostics.push(...analysis.diagnostics);
  return { checked, analysis, diagnostics, sources: loaded.sources, file };
}

/** Everything before the backend: front end, data, the bound check, layout and graphs. Sync. */
export interface BoundProgram {
  file: string;
  sources: ReadonlyMap<string, string>;
  warnings: Diagnostic[];
  checked: CheckedProgram;
  late: CheckedProgram;
  analysis: ReturnType<typeof analyze>;
  backend: BackendChoice;
  seed: number;
  arrays: Map<string, DataArray>;
  layout: Layout;
  graphs: ProgramGraphs;
  kit: ProgramKit;
  t0: number;
}

export function bindProgram(input: ProgramInput, opts: CompileOptions = {}): BoundProgram {
  const t0 = performance.now();
  const read = opts.readFile ?? platform.readText;
  return bindFrontEnd(frontEnd(input, read, opts.maxMemory), opts, t0);
}

/** Data, the bound check, layout and graphs for a program already through the front end. */
export function bindFrontEnd(fe: FrontEnd, opts: CompileOptions = {}, t0 = performance.now()): BoundProgram {
  const read = opts.readFile ?? platform.readText;
  stop(fe.diagnostics);
  const { checked, analysis, file } = fe;
  const warnings = [...fe.diagnostics];

  const backend = opts.backend ?? 'auto';
  if (!isBackend(backend))
    throw new CompileError([
      fileDiagnostic(file, `unknown backend \`${backend}\``, `backends: ${BACKENDS.join(', ')}`),
    ]);
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed))
    throw new CompileError([fileDiagnostic(file, `the seed must be an integer, got ${seed}`)]);

  // ---- data ----
  const { data, origin, origins, warnings: dataWarnings } = loadData(checked, opts, read, file);
  warnings.push(...dataWarnings);
  const bound = bindDataValues(checked, data, origin, undefined, origins);
  warnings.push(...bound.warnings);
  const statics = bound.statics;
  // The same rules again, now with every dimension's value: late shape errors in user terms.
  const late = checkProgram(checked.modules, fe.sources, statics);
  stop(late.diagnostics);
  stop(sizeDiagnostics(late, opts.maxMemory)); // every dimension bound: before anything is allocated
  const unbound = late.decls.flatMap((d) => d.ty.shape.filter((x) => x.value === null).map((x) => ({ d, x })));
  if (unbound.length) {
    const { d, x } = unbound[0]!;
    throw new CompileError([
      {
        severity: 'error',
        message: `the dimension ${x.text} of \`${d.decl.name.name}\` is not bound by any data`,
        span: d.decl.type.span,
        hint: 'dimensions come from data shapes or int data',
      },
    ]);
  }
  checkDataDomains(late, bound.arrays, statics, origin, origins);

  // ---- graphs ----
  const layout = buildLayout(late);
  let graphs: ProgramGraphs;
  try {
    graphs = buildGraphs(late, layout, statics, bound.arrays);
  } catch (e) {
    if (e instanceof LowerError) throw new CompileError([{ severity: 'error', message: e.message, span: e.span }]);
    throw e;
  }
  const kit = programKit(late, layout, statics, bound.arrays);
  return {
    file,
    sources: fe.sources,
    warnings,
    checked,
    late,
    analysis,
    backend,
    seed,
    arrays: bound.arrays,
    layout,
    graphs,
    kit,
    t0,
  };
}

/**
 * Data values bound to a checked program: each checked against its declaration, the dimensions
 * they bind, then defaults evaluated (`reuse` may supply a default's value known not to change).
 * Throws CompileError on bad data.
 */
export function bindDataValues(
  checked: CheckedProgram,
  data: Record<string, unknown>,
  origin: string | undefined,
  reuse?: (name: string) => DataArray | undefined,
  origins: Readonly<Record<string, string>> = {},
): { arrays: Map<string, DataArray>; statics: Map<string, number>; warnings: Diagnostic[] } {
  const bound = bindData(checked, data, origin, origins);
  stop(bound.diagnostics);
  const statics = new Map(bound.values);
  for (const info of bound.defaults) {
    const v = reuse?.(info.decl.name.name) ?? evalData(checked, info.decl.init!, statics, bound.arrays);
    bound.arrays.set(info.decl.name.name, v);
    if (info.family === 'int' && info.decl.type.dims.length === 0) statics.set(info.decl.name.name, v.data[0]!);
  }
  return { arrays: bound.arrays, statics, warnings: bound.diagnostics };
}

/** Every data value inside its declared domain (bounds evaluated with the data); throws CompileError. */
export function checkDataDomains(
  late: CheckedProgram,
  arrays: ReadonlyMap<string, DataArray>,
  statics: ReadonlyMap<string, number>,
  origin: string | undefined,
  origins: Readonly<Record<string, string>> = {},
): void {
  const errors: Diagnostic[] = [];
  const ev = (e: Expr): DataArray => {
    const c = literalValue(e);
    return c === null ? evalData(late, e, statics, arrays) : { data: Float64Array.of(c), shape: [] };
  };
  for (const d of late.decls) {
    const dom = d.decl.type.domain;
    const arr = arrays.get(d.decl.name.name);
    if (d.kind !== 'data' || !dom || !arr) continue;
    const lo = dom.kind === 'Interval' ? ev(dom.lo) : dom.op.startsWith('>') ? ev(dom.value) : null;
    const hi = dom.kind === 'Interval' ? ev(dom.hi) : dom.op.startsWith('<') ? ev(dom.value) : null;
    const strict: [boolean, boolean] = dom.kind === 'Bound' ? [dom.op === '>', dom.op === '<'] : [false, false];
    const from = Object.hasOwn(origins, d.decl.name.name) ? origins[d.decl.name.name] : origin;
    const bad = checkDomain(d.decl, arr, lo, hi, strict, from === '--set' ? ' from --set' : from ? ` in ${from}` : '');
    if (bad) errors.push(bad);
  }
  stop(errors);
}

/** A number literal, possibly negated (most bounds), without tracing. */
function literalValue(e: Expr): number | null {
  if (e.kind === 'Number') return e.value;
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'Number') return -e.operand.value;
  return null;
}

export async function compileProgram(input: ProgramInput, opts: CompileOptions = {}): Promise<CompiledProgram> {
  return compileBound(bindProgram(input, opts));
}

/** Gradient graphs and backend executables for a bound program. */
export async function compileBound(bound: BoundProgram): Promise<CompiledProgram> {
  const { file, sources, warnings, checked, late, analysis, backend, seed, arrays, layout, graphs, kit, t0 } = bound;
  const dataArrays = graphs.dataInputs.map((n) => arrays.get(n)!);
  const specs = graphs.objective ? graphs.objective.inAvals : graphs.values.inAvals;
  const withGrad = (g: Graph): Graph =>
    simplify(
      trace((theta: Tracer, ...d: Tracer[]) => {
        const [v, [gr]] = valueAndGrad((t: Tracer) => inline(g, [t, ...d])[0]!)(theta);
        return [v, gr!];
      }, specs),
    );

  const objectiveGrad = graphs.objective ? withGrad(graphs.objective) : null;
  const logDensityGrad = graphs.logDensity ? withGrad(graphs.logDensity) : null;
  // float32 cannot resolve tolerances below FLOAT32_REACH: `auto` keeps such a solve on float64,
  // and an explicit float32 backend is warned (its inner solves ask no less: solve_run.ts).
  const solveOptions = analysis.algorithm && analysis.algorithm.source !== 'infer' ? analysis.algorithm.options : {};
  const tight = belowFloat32(solveOptions);
  if (FLOAT32_BACKENDS.has(backend) && tight.length && (objectiveGrad || logDensityGrad)) {
    const [k, v] = tight[0]!;
    const at = checked.solve?.span ?? checked.optimize?.span ?? checked.model?.span;
    if (at)
      warnings.push({
        severity: 'warning',
        message: `\`${k} = ${v}\` is below what the float32 backend \`${backend}\` resolves (about ${FLOAT32_REACH.toExponential()} relative): the run cannot reach it; it ends at its step budget or where float32 rounding stops its progress`,
        span: at,
        hint: `use --backend js or ref (float64) for this tolerance, or \`${k} = ${FLOAT32_REACH.toExponential()}\` on ${backend}`,
      });
  }
  const exes: Executable[] = [];
  const exec = async (g: Graph, on: BackendChoice = backend) => {
    let x: Executable;
    try {
      x = await prepare(g, on, 1, dataArrays, tight.length > 0);
    } catch (e) {
      // No GPU here (no adapter, no browser for webgl): a user's choice that cannot run, not a bug.
      if (e instanceof GpuUnavailable) throw new CompileError([fileDiagnostic(file, e.message)]);
      throw e;
    }
    exes.push(x);
    return x;
  };
  const objExe = objectiveGrad ? await exec(objectiveGrad) : null;
  const ldExe = logDensityGrad ? await exec(logDensityGrad) : null;
  const valuesGraph = simplify(graphs.values);
  const valuesExe = await exec(valuesGraph, 'ref');
  const initExe = await exec(simplify(graphs.init), 'ref');
  const asObjective = (x: Executable | null): CompiledObjective | null =>
    x && {
      n: layout.n,
      evaluate(theta: Float64Array) {
        const [f, g] = x.run([{ data: theta, shape: [layout.n] }]);
        return { f: f!.data[0]!, g: Float64Array.from(g!.data) };
      },
    };
  const anchor = checked.optimize?.span ?? checked.infer?.span ?? checked.solve?.span ?? checked.model?.span ?? null;
  const compiled: CompiledProgram = {
    file,
    sources,
    messages: toMessages(warnings.filter((d) => d.severity !== 'error')),
    decomposition: analysis.decomposition,
    algorithm: analysis.algorithm,
    kind: analysis.decomposition.kind,
    sense: checked.optimize?.sense ?? null,
    backend: objExe?.backend ?? ldExe?.backend ?? (backend === 'auto' ? 'ref' : backend),
    seed,
    layout: layout.entries.map((e) => ({
      name: e.name,
      kind: e.kind,
      shape: e.shape,
      offset: e.offset,
      size: e.size,
      constraint: e.transform.name,
    })),
    n: layout.n,
    objective: asObjective(objExe),
    logDensity: asObjective(ldExe),
    initialPoint: (s = seed) => applyStarts(initExe, layout, uniform(layout.n, s)),
    initialPointFrom: (theta0) => applyStarts(initExe, layout, theta0),
    valuesAt: (x) => valuesAt(valuesExe, layout, x),
    graphs: {
      objective: graphs.objective ? simplify(graphs.objective) : null,
      objectiveGrad,
      logDensity: graphs.logDensity ? simplify(graphs.logDensity) : null,
      logDensityGrad,
      values: valuesGraph,
      dataInputs: graphs.dataInputs,
    },
    data: arrays,
    compileMs: 0,
    anchor,
    checked: late,
    front: checked,
    internals: { kit, layout, dataArrays, backend, executables: exes },
  };
  compiled.compileMs = performance.now() - t0;
  return compiled;
}

/**
 * The program's data: `data` as given, else the files (`dataFiles`, or the program's `data from`
 * defaults resolved next to the modules that name them) read and merged here, JSON or CSV, then
 * the `set` overrides. Merge warnings become compile warnings; a bad file is a CompileError.
 */
export function loadData(
  p: CheckedProgram,
  opts: CompileOptions,
  read: ReadFile,
  file: string,
): {
  data: Record<string, unknown>;
  origin: string | undefined;
  /** Each key's origin (a file's path, or `--set`), so a message names the right one. */
  origins: Record<string, string>;
  warnings: Diagnostic[];
} {
  if (opts.data) return { data: opts.data, origin: opts.dataFile, origins: {}, warnings: [] };
  const files =
    opts.dataFiles ??
    p.dataSources.map((s) =>
      platform.path.isAbsolute(s.path) ? s.path : platform.path.join(platform.path.dirname(s.file), s.path),
    );
  const sets = opts.set ?? [];
  try {
    const m = mergeData(files, sets, read);
    const warnings = m.warnings.map((w) => ({ ...fileDiagnostic(file, w), severity: 'warning' as const }));
    const origin = opts.dataFile ?? (files.length ? files.join(', ') : sets.length ? '--set' : undefined);
    return { data: m.data, origin, origins: opts.dataFile ? {} : m.origins, warnings };
  } catch (e) {
    // A `data from` file that cannot be read is reported where the program names it.
    const named = opts.dataFiles
      ? undefined
      : p.dataSources.find(
          (s) =>
            e instanceof DataError &&
            e.path !== undefined &&
            (platform.path.isAbsolute(s.path) ? s.path : platform.path.join(platform.path.dirname(s.file), s.path)) ===
              e.path,
        );
    if (e instanceof DataError)
      throw new CompileError([
        named ? { severity: 'error', message: e.message, span: named.span } : fileDiagnostic(file, e.message),
      ]);
    throw e;
  }
}

function applyStarts(exe: Executable, layout: Layout, theta0: Float64Array): Float64Array {
  const [x] = exe.run([{ data: theta0, shape: [layout.n] }]);
  const out = Float64Array.from(x!.data);
  // A start value outside its transform's support inverts to a non-finite point: fall back to
  // the random draw for that slice (checking starts against bounds is the optimization issue's).
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) out[i] = theta0[i]!;
  return out;
}

function valuesAt(exe: Executable, layout: Layout, x: Float64Array): Record<string, NestedNumber> {
  const outs = exe.run([{ data: x, shape: [layout.n] }]);
  const r: Record<string, NestedNumber> = {};
  layout.entries.forEach((e, i) => (r[e.name] = nest(Array.from(outs[i]!.data), e.shape)));
  return r;
}

function nest(flat: number[], shape: number[]): NestedNumber {
  if (shape.length === 0) return flat[0]!;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0]! }, (_, i) => nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}
