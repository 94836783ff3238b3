// `proxima export --to torch`: a compiled program as a self-contained Python package. model.py
// holds the objective (or the log density, transforms and log-Jacobians included) and the
// constrained values, generated from the lowered graphs by the runtime's torch emitter;
// data.json the bound data (files, defaults and --set applied); program.json the layout, the
// start point, the method and its options, and the row dimension that data-parallel runs shard;
// driver.py runs the method under torch.optim, in one process or under torchrun.
// Invariants: what cannot be exported is refused with every missing piece listed (ExportError);
// a method without a torch driver still exports the objective, and both the CLI note and the
// driver say so.

import { torchFunction, torchUnsupported, safeName, TORCH_PRELUDE } from '../../runtime/index.js';
import type { CompiledProgram } from '../compile.js';
import { PROXIMA_VERSION, RESULT_SCHEMA } from '../version.js';
import { TORCH_DRIVER } from './torch_driver.js';

export class ExportError extends Error {
  constructor(
    readonly file: string,
    readonly missing: readonly string[],
  ) {
    super(`${file}: cannot export to torch; missing:${missing.map((m) => `\n  - ${m}`).join('')}`);
  }
}

export interface TorchExportOptions {
  /** A data array whose leading dimension is the rows to shard; 'none' shards nothing; default: the largest array's. */
  rows?: string;
}

export interface TorchPackage {
  /** File name -> contents. */
  files: Record<string, string>;
  /** What the user should know (a method the driver does not run, the rows chosen). */
  notes: string[];
}

/** The optimization methods the driver runs with torch.optim, and the options each maps. */
export const TORCH_SOLVE_METHODS: Record<string, readonly string[]> = {
  lbfgs: ['steps', 'tol', 'history'],
  sgd: ['steps', 'tol', 'lr', 'schedule', 'batch', 'momentum', 'nesterov'],
  adam: ['steps', 'tol', 'lr', 'schedule', 'batch', 'beta1', 'beta2', 'eps'],
  adamw: ['steps', 'tol', 'lr', 'schedule', 'batch', 'beta1', 'beta2', 'eps', 'weight_decay'],
  adagrad: ['steps', 'tol', 'lr', 'schedule', 'batch', 'eps'],
  rmsprop: ['steps', 'tol', 'lr', 'schedule', 'batch', 'rho', 'eps'],
};
/** Inference methods with a driver: VI on the ELBO with Adam. */
const VI_GUIDES = ['mean_field', 'full_rank'];

export function exportTorch(c: CompiledProgram, opts: TorchExportOptions = {}): TorchPackage {
  const missing: string[] = [];
  const notes: string[] = [];
  const value = c.graphs.objective ?? c.graphs.logDensity;
  const valueName = c.graphs.objective ? 'objective' : 'log_density';
  if (!value) throw new ExportError(c.file, ['an objective or a model (the program has neither)']);
  for (const m of torchUnsupported(value)) missing.push(`${m} (in the ${valueName})`);
  for (const m of torchUnsupported(c.graphs.values)) missing.push(`${m} (in the values)`);
  const method = methodPlan(c, missing, notes);
  if (missing.length) throw new ExportError(c.file, [...new Set(missing)]);

  const rows = rowPlan(c, opts.rows, notes);
  const inputs = ['theta', ...c.graphs.dataInputs.map(safeName)];
  const slices = c.layout.map((e) => ({ name: e.name, offset: e.offset, size: e.size }));
  const spec = { inputs, slices, rows: rows?.size ?? null };
  const model = [
    `"""${c.file} exported by proxima ${PROXIMA_VERSION} (proxima export --to torch). Generated from the`,
    `lowered graphs: edit the .opt program and export again instead of editing this file.`,
    ``,
    `${valueName}(theta, <data>, n): ${valueName === 'objective' ? 'the objective to minimize (a `maximize` negated)' : 'log p + log|J| on the unconstrained scale'};`,
    `values(theta, <data>, n): each var and param, constrained, in layout order; n is the row count."""`,
    TORCH_PRELUDE,
    `DATA_INPUTS = ${JSON.stringify(c.graphs.dataInputs)}`,
    `VALUE = ${JSON.stringify(valueName)}`,
    '',
    '',
    torchFunction(value, { ...spec, name: valueName }),
    '',
    torchFunction(c.graphs.values, { ...spec, name: 'values' }),
    '',
    'def value(theta, data, n):',
    `    """The exported scalar (${valueName}) on a dict of data tensors whose rows number n."""`,
    `    return ${valueName}(theta, *[data[k] for k in DATA_INPUTS], n)[0]`,
    '',
    '',
    'def constrained(theta, data, n):',
    '    return values(theta, *[data[k] for k in DATA_INPUTS], n)',
    '',
  ].join('\n');

  const data: Record<string, unknown> = {};
  for (const name of c.graphs.dataInputs) {
    const a = c.data.get(name);
    if (!a) throw new Error(`export: data input ${name} is not bound`);
    const dtype = a.data instanceof Int32Array ? 'int32' : a.data instanceof Uint8Array ? 'bool' : 'float64';
    data[name] = { dtype, shape: a.shape, data: Array.from(a.data, (v) => (Number.isFinite(v) ? v : String(v))) };
  }
  const program = {
    schema: RESULT_SCHEMA,
    proxima: PROXIMA_VERSION,
    program: c.file,
    kind: c.kind,
    sense: c.sense,
    value: valueName,
    seed: c.seed,
    n: c.n,
    layout: c.layout.map((e) => ({
      name: e.name,
      kind: e.kind,
      shape: e.shape,
      offset: e.offset,
      size: e.size,
      constraint: e.constraint,
    })),
    theta0: Array.from(c.initialPoint(c.seed)),
    method,
    rows,
    batch: method.driver === 'vi' ? plateBatch(c, rows, notes) : null,
  };
  return {
    files: {
      'model.py': model,
      'driver.py': TORCH_DRIVER,
      'data.json': JSON.stringify(data) + '\n',
      'program.json': JSON.stringify(program, null, 2) + '\n',
    },
    notes,
  };
}

interface MethodPlan {
  name: string;
  /** 'solve' (torch.optim on the objective), 'vi' (Adam on the ELBO), or 'none' (no driver). */
  driver: 'solve' | 'vi' | 'none';
  options: Record<string, unknown>;
  /** Why the driver does not run it (driver 'none'). */
  reason?: string;
}

function methodPlan(c: CompiledProgram, missing: string[], notes: string[]): MethodPlan {
  const a = c.algorithm;
  if (!a) return none('(no method)', {}, 'the program names no solve or infer method', notes);
  const o = a.options;
  if (a.source !== 'infer' && c.kind === 'optimization') {
    const known = TORCH_SOLVE_METHODS[a.name];
    if (!known) {
      missing.push(
        `method ${a.name}: no torch.optim counterpart (the driver runs ${Object.keys(TORCH_SOLVE_METHODS).join(', ')})`,
      );
      return { name: a.name, driver: 'none', options: o };
    }
    for (const k of Object.keys(o))
      if (!known.includes(k)) missing.push(`${a.name} option ${k}: no torch.optim counterpart`);
    if (o.schedule !== undefined && o.schedule !== 'constant')
      missing.push(`${a.name}(schedule = ${String(o.schedule)}): only the constant schedule is exported`);
    if (o.batch !== undefined && o.batch !== 'full')
      missing.push(`${a.name}(batch = ${String(o.batch)}): only full batches are exported`);
    const bounded = c.layout.filter((e) => e.constraint !== 'identity');
    if (bounded.length)
      missing.push(`bounds on ${bounded.map((e) => e.name).join(', ')} (torch.optim methods are unconstrained)`);
    const d = c.decomposition;
    if (d.prox.length) missing.push('prox terms (no proximal method in torch.optim)');
    if (d.sets.length) missing.push('set constraints (no projection in torch.optim)');
    if (d.equalities.length + d.inequalities.length) missing.push('constraints (no constrained method in torch.optim)');
    if (d.bilevel) missing.push('a bilevel problem');
    return { name: a.name, driver: 'solve', options: o };
  }
  if (a.name === 'vi') {
    if (c.checked.latents.length)
      return none(
        'vi',
        o,
        `vi over discrete latents (${c.checked.latents.map((l) => l.decl.name).join(', ')}) has no torch driver`,
        notes,
      );
    const opt = o.optimizer;
    const optName = typeof opt === 'string' ? opt : (opt as { method?: string } | undefined)?.method;
    const bad: string[] = [];
    if (!VI_GUIDES.includes(String(o.guide)))
      bad.push(`guide = ${String(o.guide)} (exported: ${VI_GUIDES.join(', ')})`);
    if (o.objective !== 'elbo') bad.push(`objective = ${String(o.objective)} (exported: elbo)`);
    if (optName !== 'adam') bad.push(`optimizer = ${String(optName)} (exported: adam)`);
    if (bad.length) return none('vi', o, `vi with ${bad.join(', ')} has no torch driver`, notes);
    return { name: 'vi', driver: 'vi', options: o };
  }
  return none(a.name, o, `${a.name} has no torch driver (PyTorch has no ${a.name} of its own)`, notes);
}

function none(name: string, options: Record<string, unknown>, reason: string, notes: string[]): MethodPlan {
  notes.push(
    `${reason}: the package exports the objective / log density (model.py) only, and driver.py refuses to run`,
  );
  return { name, driver: 'none', options, reason };
}

/** The rows data-parallel runs shard: a size, and the data arrays whose leading dimension it is. */
function rowPlan(
  c: CompiledProgram,
  choice: string | undefined,
  notes: string[],
): { size: number; arrays: string[] } | null {
  if (choice === 'none') return null;
  const arrays = c.graphs.dataInputs.map((name) => ({ name, shape: c.data.get(name)?.shape ?? [] }));
  let size: number;
  if (choice !== undefined) {
    const a = arrays.find((x) => x.name === choice);
    if (!a || a.shape.length === 0)
      throw new ExportError(c.file, [
        `--rows ${choice}: not a data array of the program (arrays: ${
          arrays
            .filter((x) => x.shape.length)
            .map((x) => x.name)
            .join(', ') || 'none'
        })`,
      ]);
    size = a.shape[0]!;
  } else {
    const big = arrays
      .filter((x) => x.shape.length > 0)
      .sort((p, q) => q.shape.reduce((s, d) => s * d, 1) - p.shape.reduce((s, d) => s * d, 1))[0];
    if (!big || big.shape[0]! < 2) return null;
    size = big.shape[0]!;
  }
  const sharded = arrays.filter((x) => x.shape[0] === size).map((x) => x.name);
  notes.push(`rows: ${size} (the leading dimension of ${sharded.join(', ')}); data-parallel runs shard them`);
  return { size, arrays: sharded };
}

/**
 * The rows per step of the model's minibatch plate (`for i in batch(N, B)`), for the VI driver's
 * row sampler: B when the program has plates of one size over the rows, else null (full data,
 * with a note when there were plates the driver cannot subsample).
 */
function plateBatch(c: CompiledProgram, rows: { size: number } | null, notes: string[]): number | null {
  const found: number[] = [];
  const seen = new Set<object>();
  const valueOf = (e: unknown): number | null => {
    const x = e as { kind?: string; value?: number; name?: string };
    if (x?.kind === 'Number') return x.value ?? null;
    if (x?.kind === 'Ident') return c.data.get(x.name!)?.data[0] ?? null;
    return null;
  };
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    const st = v as {
      kind?: string;
      iter?: { kind?: string; callee?: { name?: string }; args?: { value: unknown }[] };
    };
    if (st.kind === 'For' && st.iter?.kind === 'Call' && st.iter.callee?.name === 'batch') {
      // B only: the driver subsamples the marked rows, and checks (check_rows) that the log
      // density is a sum over them, so its estimate is unbiased whatever the plate's N is.
      const b = valueOf(st.iter.args?.[1]?.value);
      found.push(rows && b ? b : NaN);
    }
    for (const x of Object.values(v)) walk(x);
  };
  walk(c.checked.model);
  if (!found.length) return null;
  const sizes = [...new Set(found)];
  if (sizes.length === 1 && Number.isFinite(sizes[0])) {
    notes.push(`minibatch plate: the VI driver samples ${sizes[0]} rows per step (a DistributedSampler over the rows)`);
    return sizes[0]!;
  }
  notes.push(
    'minibatch plates of several sizes, or without rows to sample: the VI driver runs on all rows (--batch B to subsample)',
  );
  return null;
}
