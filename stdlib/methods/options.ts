// Option specs of the method table: each option of each method is declared once, here in its
// entry (kind, default, range, a line of documentation), and every consumer reads it from there:
// `check` (the .opt front end extracts literal values and asks `checkValue`), the library API
// (`validateOptions`), error messages, the options table (`proxima methods`) and the result's
// `options`. Option names are snake_case, as written in .opt programs.
// Invariant: a value that passed `checkValue` / `validateOptions` needs no further check by the
// method that reads it; defaults are stated in the spec and nowhere else.

import { backquote as q } from '../../runtime/index.js';

/** A call-valued option as written: `cosine(steps = 100)` is `{ method: 'cosine', steps: 100 }`. */
export interface CallValue {
  method: string;
  [option: string]: unknown;
}

interface Doc {
  /** One line for the options table. */
  doc?: string;
}
export interface IntOption extends Doc {
  kind: 'int';
  default?: number;
  min: number;
  /** A call option (inside `name(...)`) that must be given. */
  required?: boolean;
}
export interface RealOption extends Doc {
  kind: 'real';
  default?: number;
  /** The smallest value allowed (inclusive). */
  min?: number;
  positive?: boolean;
  open01?: boolean;
  required?: boolean;
}
export interface BoolOption extends Doc {
  kind: 'bool';
  default?: boolean;
  required?: boolean;
}
export interface EnumOption<V extends string = string> extends Doc {
  kind: 'enum';
  values: readonly V[];
  default?: V;
  required?: boolean;
}
/** A nested method call such as `optimizer = adam(lr = 0.1)`, from the table's methods of `table`. */
export interface MethodOption extends Doc {
  kind: 'method';
  table: 'solve' | 'hypergrad';
  /** Only methods of these families (e.g. stochastic first-order optimizers). */
  families?: readonly string[];
  default?: string;
  required?: boolean;
}
/**
 * A name: a built-in choice, or a name the program defines (a guide, an objective); `calls`
 * lists the built-ins that may also be written as calls, with their options (`iwae(k = 5)`).
 */
export interface NameOption extends Doc {
  kind: 'name';
  builtins: readonly string[];
  default?: string;
  calls?: Readonly<Record<string, Readonly<Record<string, OptionSpec>>>>;
  required?: boolean;
}

export type OptionSpec = IntOption | RealOption | BoolOption | EnumOption | MethodOption | NameOption;
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The value type of one option. */
export type ValueOf<S> = S extends IntOption | RealOption
  ? number
  : S extends BoolOption
    ? boolean
    : S extends EnumOption<infer V>
      ? V
      : S extends MethodOption | NameOption
        ? string | CallValue
        : never;

/** The options a method's code reads: defaulted options are always present. */
export type OptionsOf<S extends OptionSpecs> = {
  readonly [K in keyof S]: S[K] extends { default: unknown } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

/** What a caller may pass: any subset. */
export type GivenOptions<S extends OptionSpecs> = { readonly [K in keyof S]?: ValueOf<S[K]> };

// ---- builders (they keep the literal types, so `OptionsOf` sees which options have defaults) ----

export const int = <const O extends Omit<IntOption, 'kind'>>(o: O): { kind: 'int' } & O => ({ kind: 'int', ...o });
export const real = <const O extends Omit<RealOption, 'kind'>>(o: O): { kind: 'real' } & O => ({ kind: 'real', ...o });
export const bool = <const O extends Omit<BoolOption, 'kind'>>(o: O): { kind: 'bool' } & O => ({ kind: 'bool', ...o });
export const oneOf = <const V extends string, const O extends Omit<EnumOption<V>, 'kind'>>(
  o: O & { values: readonly V[] },
): { kind: 'enum' } & O => ({ kind: 'enum', ...o });
export const name = <const O extends Omit<NameOption, 'kind'>>(o: O): { kind: 'name' } & O => ({ kind: 'name', ...o });
export const method = <const O extends Omit<MethodOption, 'kind'>>(o: O): { kind: 'method' } & O => ({
  kind: 'method',
  ...o,
});

// ---- checks ----

/**
 * Checks a number or boolean against its spec (ranges, integrality); returns the error text
 * (without the `method(key = ...)` prefix the caller adds) or null. Names and calls are checked
 * by `checkName` and the front end that parsed them.
 */
export function checkValue(spec: OptionSpec, v: unknown): string | null {
  switch (spec.kind) {
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) return `expected an integer, got ${show(v)}`;
      if (v < spec.min) return `must be at least ${spec.min}, got ${v}`;
      return null;
    case 'real':
      if (typeof v !== 'number') return `expected a number, got ${show(v)}`;
      if (spec.min !== undefined && !(v >= spec.min)) return `must be at least ${spec.min}, got ${v}`;
      if (spec.positive && !(v > 0)) return `must be positive, got ${v}`;
      if (spec.open01 && !(v > 0 && v < 1)) return `must lie strictly between 0 and 1, got ${v}`;
      if (Number.isNaN(v)) return 'must be a number, got NaN';
      return null;
    case 'bool':
      return typeof v === 'boolean' ? null : `expected true or false, got ${show(v)}`;
    case 'enum':
      return typeof v === 'string' && spec.values.includes(v) ? null : `expected one of ${spec.values.join(', ')}`;
    case 'name':
    case 'method':
      return typeof v === 'string' || (typeof v === 'object' && v !== null && 'method' in v)
        ? null
        : `expected a name${spec.kind === 'method' ? ' or a method call' : ''}, got ${show(v)}`;
  }
}

/** The allowed built-in names of an enum or name option (for membership and suggestions). */
export const choicesOf = (spec: EnumOption | NameOption): readonly string[] =>
  spec.kind === 'enum' ? spec.values : spec.builtins;

/** The required options a call left out, as an error text, or null. */
export function missingRequired(
  specs: OptionSpecs,
  given: Readonly<Record<string, unknown>>,
  call: string,
): string | null {
  const miss = Object.keys(specs).filter((k) => specs[k]!.required && !(k in given));
  return miss.length ? `${call}(...) needs ${miss.map(q).join(', ')}` : null;
}

/** The effective options: the defaults overlaid with what was given. */
export function withDefaults(specs: OptionSpecs, given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(specs)) {
    if (k in given && given[k] !== undefined) out[k] = given[k];
    else if (o.default !== undefined) out[k] = o.default;
  }
  return out;
}

/**
 * The library API's check of options given as a plain object: unknown names, kinds and ranges,
 * names and nested calls against their specs (`nested` resolves a nested method's options).
 * Returns the effective options (defaults filled) or the list of errors.
 */
export function validateOptions(
  owner: string,
  specs: OptionSpecs,
  given: Readonly<Record<string, unknown>>,
  nested?: (spec: MethodOption, name: string) => OptionSpecs | null,
): { options: Record<string, unknown>; errors: string[] } {
  const errors: string[] = [];
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined || k === 'method') continue;
    const spec = specs[k];
    if (!spec) {
      errors.push(`${owner} has no option ${q(k)} (options: ${Object.keys(specs).join(', ')})`);
      continue;
    }
    const bad = checkValue(spec, v) ?? checkNamed(owner, k, spec, v, nested);
    if (bad) errors.push(bad.startsWith(owner) ? bad : `${owner}(${k} = ...): ${bad}`);
  }
  const miss = missingRequired(specs, given, owner);
  if (miss) errors.push(miss);
  return { options: withDefaults(specs, given), errors };
}

function checkNamed(
  owner: string,
  key: string,
  spec: OptionSpec,
  v: unknown,
  nested?: (spec: MethodOption, name: string) => OptionSpecs | null,
): string | null {
  if (spec.kind !== 'name' && spec.kind !== 'method') return null;
  const call = typeof v === 'string' ? { method: v } : (v as CallValue);
  if (spec.kind === 'method') {
    const inner = nested?.(spec, call.method);
    if (!inner) return `unknown method ${q(call.method)}`;
    return validateOptions(call.method, inner, call, nested).errors[0] ?? null;
  }
  if (typeof v === 'string') return null; // a built-in or a name the program defines
  const inner = spec.calls?.[call.method];
  if (!inner) return `${q(call.method)} takes no options`;
  return validateOptions(call.method, inner, call).errors[0] ?? null;
}

function show(v: unknown): string {
  return typeof v === 'string' ? q(v) : (JSON.stringify(v) ?? String(v));
}

/** One line per option for the options table: `lr (0.01, > 0): the step size`. */
export function describeOptions(specs: OptionSpecs): string[] {
  return Object.entries(specs).map(([k, o]) => {
    const bits: string[] = [];
    if (o.default !== undefined) bits.push(String(o.default));
    if (o.kind === 'int') bits.push(`int >= ${o.min}`);
    if (o.kind === 'real' && o.positive) bits.push('> 0');
    if (o.kind === 'real' && o.min !== undefined) bits.push(`>= ${o.min}`);
    if (o.kind === 'real' && o.open01) bits.push('in (0, 1)');
    if (o.kind === 'enum') bits.push(o.values.join(' | '));
    if (o.kind === 'name') bits.push(o.builtins.join(' | '));
    if (o.kind === 'method') bits.push(`a ${o.table} method`);
    if (o.required) bits.push('required');
    return `${k} (${bits.join(', ')})${o.doc ? `: ${o.doc}` : ''}`;
  });
}

// ---- options most methods share ----

/** The step budget. */
export const stepsOption = (d: number) => int({ default: d, min: 1, doc: 'the step budget' });
/** The convergence tolerance (what it measures: the method's `test`). */
export const tolOption = (d: number) =>
  real({ default: d, min: 0, doc: 'the convergence tolerance (0: run the whole budget)' });
