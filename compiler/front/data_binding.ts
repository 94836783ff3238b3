// Binding data to the program's `data` declarations. Each value is checked against its
// declaration (present, numeric, rectangular, the declared rank, int where int, finite, inside
// its domain), and the dimensions it carries bind the program's dimension symbols: the first
// value that mentions a dimension binds it, and every later mention, and every `int` data of
// the same name, must agree; a disagreement names both sides. Keys the program does not declare
// are ignored with one warning that lists them. Messages point at the declaration in the .opt
// file and name where the value came from (a data file, `--set`) when the caller says. Values
// are read strictly: a boolean binds only `bool` data (JSON `true` is not 1 for `int` or `real`).

import type { Decl, Diagnostic, Expr, Span } from '../../grammar/index.js';
import type { CheckedProgram, DeclInfo } from './check_program.js';
import { backquote as q } from '../../runtime/index.js';

export interface DataArray {
  data: Float64Array | Int32Array | Uint8Array;
  shape: number[];
}

export interface BoundData {
  /** Every dimension symbol and int data scalar, by name. */
  values: Map<string, number>;
  /** Every data declaration's value, by name (defaults filled in later by the caller). */
  arrays: Map<string, DataArray>;
  /** Declarations without a value that have a default, to evaluate once the rest is bound. */
  defaults: DeclInfo[];
  diagnostics: Diagnostic[];
}

interface Parsed {
  flat: number[];
  shape: number[];
  /** The flat index of the first boolean entry, or -1. */
  firstBool: number;
}

/** Nested arrays -> flat values and a shape, or a message naming the offending entry. */
export function parseValue(name: string, v: unknown): Parsed | string {
  const shape: number[] = [];
  const flat: number[] = [];
  let firstBool = -1;
  const walk = (x: unknown, depth: number, path: number[]): string | null => {
    if (Array.isArray(x) || ArrayBuffer.isView(x)) {
      const arr = x as ArrayLike<unknown>;
      if (depth === shape.length) {
        if (depth > 0 && flat.length > 0)
          return `${q(name + fmtIndex(path))} is an array where the other entries are numbers`;
        shape.push(arr.length);
      } else if (shape[depth] !== arr.length) {
        return `${q(name)} is ragged: ${path.length ? q(name + fmtIndex(path)) : 'it'} has ${arr.length} entr${arr.length === 1 ? 'y' : 'ies'}, but ${shape[depth]} were expected (from its first ${depth === 0 ? 'level' : 'row'})`;
      }
      for (let i = 0; i < arr.length; i++) {
        const r = walk(arr[i], depth + 1, [...path, i]);
        if (r) return r;
      }
      return null;
    }
    if (depth !== shape.length)
      return `${q(name)} is ragged: ${q(name + fmtIndex(path))} is a number where an array of ${shape[depth]} was expected`;
    if (typeof x === 'number') flat.push(x);
    else if (typeof x === 'boolean') {
      if (firstBool < 0) firstBool = flat.length;
      flat.push(x ? 1 : 0);
    } else return `${q(name + fmtIndex(path))} is ${JSON.stringify(x) ?? String(x)}, not a number`;
    return null;
  };
  const err = walk(v, 0, []);
  if (err) return err;
  return { flat, shape, firstBool };
}

const fmtIndex = (path: number[]) => (path.length ? `[${path.join(', ')}]` : '');

function indexOf(flat: number, shape: number[]): number[] {
  const out: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    out.unshift(flat % shape[d]!);
    flat = Math.floor(flat / shape[d]!);
  }
  return out;
}

function rankWord(r: number, shape: number[]): string {
  if (r === 0) return 'a single number';
  if (r === 1) return `a vector of length ${shape[0]}`;
  if (r === 2) return `a ${shape[0]} x ${shape[1]} matrix`;
  return `an array of shape [${shape.join(', ')}]`;
}

/**
 * Binds `data` to the program's data declarations. `dataFile` names the data's origin in
 * messages; `origins` names it per key (a file's path, or `--set`) and wins where it has the key.
 */
export function bindData(
  p: CheckedProgram,
  data: Record<string, unknown>,
  dataFile?: string,
  origins: Readonly<Record<string, string>> = {},
): BoundData {
  const out: BoundData = { values: new Map(), arrays: new Map(), defaults: [], diagnostics: [] };
  const err = (span: Span, message: string, hint?: string) =>
    out.diagnostics.push(hint ? { severity: 'error', message, span, hint } : { severity: 'error', message, span });
  const fileWhere = dataFile ? ` in ${dataFile}` : '';
  const whereOf = (name: string) => {
    const o = Object.hasOwn(origins, name) ? origins[name] : undefined;
    return o === undefined ? fileWhere : o === '--set' ? ' from --set' : ` in ${o}`;
  };
  const dataDecls = p.decls.filter((d) => d.kind === 'data');
  const declared = new Set(dataDecls.map((d) => d.decl.name.name));

  const unknown = Object.keys(data).filter((k) => !declared.has(k));
  if (unknown.length) {
    const at = dataDecls[0]?.decl.span ?? p.modules[p.modules.length - 1]!.program.span;
    const byWhere = new Map<string, string[]>();
    for (const k of unknown.sort()) byWhere.set(whereOf(k), [...(byWhere.get(whereOf(k)) ?? []), k]);
    for (const [where, keys] of byWhere)
      out.diagnostics.push({
        severity: 'warning',
        message: `data keys the program does not declare are ignored${where}: ${keys.join(', ')}`,
        span: { ...at, endLine: at.line, endCol: at.col + 1, end: at.start + 1 },
      });
  }

  /** Where each dimension got its value, for messages: a phrase and the data's name. */
  const boundBy = new Map<string, { from: string; name: string }>();
  // Int scalars first: they may size the others.
  const order = [...dataDecls.filter(isIntScalar), ...dataDecls.filter((d) => !isIntScalar(d))];
  for (const info of order) {
    const { decl } = info;
    const name = decl.name.name;
    const where = whereOf(name);
    const raw = data[name];
    if (raw === undefined || raw === null) {
      if (decl.init) out.defaults.push(info);
      else
        err(
          decl.name.span,
          `missing data ${q(name)}${where} (declared as ${typeText(info)})`,
          dataFile ? `add ${q(name)} to ${dataFile}` : `pass ${q(name)} as data`,
        );
      continue;
    }
    const parsed = parseValue(name, raw);
    if (typeof parsed === 'string') {
      err(decl.name.span, (where ? `${where.trim()}: ` : '') + parsed);
      continue;
    }
    if (parsed.firstBool >= 0 && info.family !== 'bool') {
      const at = q(name + fmtIndex(indexOf(parsed.firstBool, parsed.shape)));
      err(
        decl.name.span,
        `data ${at}${where} is ${parsed.flat[parsed.firstBool] ? 'true' : 'false'}, a boolean, but ${q(name)} is declared ${info.family}`,
        `write the number (${parsed.flat[parsed.firstBool]}), or declare ${q(name)} as bool`,
      );
      continue;
    }
    const rank = decl.type.dims.length;
    if (parsed.shape.length !== rank) {
      const want =
        rank === 0 ? 'a single number' : rank === 1 ? 'a vector' : rank === 2 ? 'a matrix' : `an array of rank ${rank}`;
      err(
        decl.name.span,
        `data ${q(name)}${where} should be ${want} (${typeText(info)}), but it is ${rankWord(parsed.shape.length, parsed.shape)}`,
      );
      continue;
    }
    if (!checkValues(info, parsed, err, where)) continue;
    let ok = true;
    decl.type.dims.forEach((dim, axis) => {
      const n = parsed.shape[axis]!;
      if (dim.kind === 'Number') {
        if (dim.value !== n) {
          err(
            dim.span,
            `data ${q(name)}${where} has ${n} entries along dimension ${axis}, but it is declared ${dim.raw}`,
          );
          ok = false;
        }
        return;
      }
      if (dim.kind !== 'Ident') return; // an expression dim: checked by the bound type check
      const sym = dim.name;
      const known = out.values.get(sym);
      if (known === undefined) {
        out.values.set(sym, n);
        boundBy.set(sym, { from: `${q(name)} (its dimension ${axis})`, name });
      } else if (known !== n) {
        const by = boundBy.get(sym)!;
        err(
          dim.span,
          `data ${q(name)}${where} has ${n} entries along dimension ${sym}, but ${sym} = ${known} from ${by.from}`,
          `the data of ${q(name)} and ${q(by.name)} must agree on ${sym}`,
        );
        ok = false;
      }
    });
    if (!ok) continue;
    if (isIntScalar(info)) {
      out.values.set(name, parsed.flat[0]!);
      boundBy.set(name, { from: `the int data ${q(name)}`, name });
    }
    out.arrays.set(name, { data: typed(info, parsed.flat), shape: parsed.shape });
  }
  return out;
}

const isIntScalar = (d: DeclInfo) => d.family === 'int' && d.decl.type.dims.length === 0;

function typeText(info: DeclInfo): string {
  const t = info.decl.type;
  return t.dims.length ? `${t.name.name}[${t.dims.map(exprText).join(', ')}]` : t.name.name;
}

function exprText(e: Expr): string {
  if (e.kind === 'Ident') return e.name;
  if (e.kind === 'Number') return e.raw;
  return '...';
}

function typed(info: DeclInfo, flat: number[]): Float64Array | Int32Array | Uint8Array {
  if (info.family === 'int') return Int32Array.from(flat);
  if (info.family === 'bool') return Uint8Array.from(flat);
  return Float64Array.from(flat);
}

function checkValues(info: DeclInfo, v: Parsed, err: (s: Span, m: string, h?: string) => void, where: string): boolean {
  const name = info.decl.name.name;
  const at = (i: number) => q(name + fmtIndex(indexOf(i, v.shape)));
  for (let i = 0; i < v.flat.length; i++) {
    const x = v.flat[i]!;
    if (Number.isNaN(x) || !Number.isFinite(x)) {
      err(
        info.decl.name.span,
        `data ${at(i)}${where} is ${Number.isNaN(x) ? 'NaN' : x > 0 ? 'Inf' : '-Inf'}; ${q(name)} must be finite`,
      );
      return false;
    }
    if (info.family === 'int' && !Number.isInteger(x)) {
      err(info.decl.name.span, `data ${at(i)}${where} is ${x}, but ${q(name)} is declared int`);
      return false;
    }
    if (info.family === 'bool' && x !== 0 && x !== 1) {
      err(info.decl.name.span, `data ${at(i)}${where} is ${x}, but ${q(name)} is declared bool`);
      return false;
    }
  }
  return true;
}

/** Domain checks once every value (defaults included) is known; bounds are evaluated by the caller. */
export function checkDomain(
  decl: Decl,
  arr: DataArray,
  lo: DataArray | null,
  hi: DataArray | null,
  strict: [boolean, boolean],
  where: string,
): Diagnostic | null {
  const name = decl.name.name;
  const val = (b: DataArray, i: number) => (b.data.length === 1 ? b.data[0]! : b.data[i % b.data.length]!);
  for (let i = 0; i < arr.data.length; i++) {
    const x = arr.data[i]!;
    const bad =
      (lo && (strict[0] ? !(x > val(lo, i)) : !(x >= val(lo, i)))) ||
      (hi && (strict[1] ? !(x < val(hi, i)) : !(x <= val(hi, i))));
    if (bad) {
      const dom = decl.type.domain!;
      const span = dom.span;
      const idx = arr.shape.length ? fmtIndex(indexOf(i, arr.shape)) : '';
      const rule =
        lo && hi
          ? `[${val(lo, i)}, ${val(hi, i)}]`
          : lo
            ? `${strict[0] ? '>' : '>='} ${val(lo, i)}`
            : `${strict[1] ? '<' : '<='} ${val(hi!, i)}`;
      return {
        severity: 'error',
        message: `data ${q(name + idx)}${where} is ${x}, outside its domain ${lo && hi ? 'in ' : ''}${rule}`,
        span,
      };
    }
  }
  return null;
}
