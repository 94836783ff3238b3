// Names, types and shapes of a whole program: declarations (data, var, param and the dimensions
// data shapes bind), starts, blocks, the objective, constraints and the solve/infer statement
// with its options. Runs before data (symbolic) and again with the values data binds; see
// check_expr.ts for the expression rules. The result is everything later stages need, in
// declaration order.

import type {
  Arg,
  ConstraintItem,
  Decl,
  Diagnostic,
  Expr,
  Generate,
  Guide,
  Ident,
  Infer,
  Model,
  ObjectiveDef,
  Optimize,
  Solve,
  Span,
  Stmt,
  TypeExpr,
  Where,
} from '../../grammar/index.js';
import { dependencyOrder } from '../../grammar/index.js';
import { quotedSpan } from './source_text.js';
import { Checker, describeSym, literalInt } from './check_expr.js';
import { nestedBodies } from './stmt_walk.js';
import type { Module } from './modules.js';
import { lowerObjectiveDef } from '../lower/objective_program.js';
import { LowerError } from '../lower/lower.js';
import { Scope, didYouMean, type Sym } from './scope.js';
import {
  checkValue,
  choicesOf,
  methodList,
  methodOf,
  missingRequired,
  withDefaults,
  type AnyMethod,
  type MethodKind,
  type OptionSpec,
  type OptionSpecs,
} from '../../stdlib/index.js';
import { ERROR, dimEq, scalar, shapeText, tensor, tyText, type Dim, type TensorTy, type Ty } from './static_types.js';
import { backquote as q } from '../../runtime/index.js';

export type DeclKind = 'data' | 'var' | 'param';

/** The constrained families a declared type can name. */
export type Family = 'real' | 'int' | 'bool' | 'simplex' | 'ordered' | 'positive_ordered' | 'cholesky_corr' | 'cov';
const FAMILIES: Family[] = ['real', 'int', 'bool', 'simplex', 'ordered', 'positive_ordered', 'cholesky_corr', 'cov'];

export interface DeclInfo {
  kind: DeclKind;
  decl: Decl;
  family: Family;
  ty: TensorTy;
  file: string;
}

export interface MethodChoice {
  name: string;
  /** The method's entry in the table (stdlib/methods). */
  spec: AnyMethod;
  /** Options the program wrote (literal values; nested methods as {method, options}). */
  given: Record<string, unknown>;
  span: import('../../grammar/index.js').Span;
}

export interface CheckedProgram {
  modules: Module[];
  globals: Scope;
  decls: DeclInfo[];
  /** Dimension symbols bound by data shapes: name -> (data decl, axis). */
  dims: Map<string, { decl: Decl; axis: number }>;
  starts: Map<string, { value: Expr; span: import('../../grammar/index.js').Span }>;
  optimize: Optimize | null;
  constraints: ConstraintItem[];
  where: Where | null;
  model: Model | null;
  guide: Guide | null;
  generate: Generate | null;
  objectives: ObjectiveDef[];
  /**
   * Discrete latents: `int` params, each drawn in the model from a discrete distribution
   * (`z ~ Bernoulli(...)`). They are not in `decls` (nothing optimizes or transforms them); `infer
   * vi` gives each element its own Bernoulli guide and a per-site gradient estimator
   * (compiler/running/discrete_engine.ts).
   */
  latents: { decl: Decl; shape: number[] | null }[];
  solve: MethodChoice | null;
  infer: MethodChoice | null;
  /** `data from "file"` sources, resolved later relative to their module. */
  dataSources: { path: string; file: string; span: Span }[];
  types: Map<Expr, Ty>;
  diagnostics: Diagnostic[];
  checker: Checker;
}

/** Per check: the names `objective name = ...` defines anywhere in the program. */
const objectiveNames = new WeakMap<Checker, Set<string>>();

/** What the passes share: the checker, the global scope, the result they fill, every statement. */
interface Pass {
  c: Checker;
  globals: Scope;
  out: CheckedProgram;
  all: { st: Stmt; file: string }[];
  sources: ReadonlyMap<string, string>;
  values: ReadonlyMap<string, number>;
}

export function checkProgram(
  modules: Module[],
  sources: ReadonlyMap<string, string>,
  values: ReadonlyMap<string, number>,
): CheckedProgram {
  const globals = new Scope(null);
  const c = new Checker({ sources, values }, globals);
  const out = emptyChecked(modules, globals, c);
  const all: { st: Stmt; file: string }[] = modules.flatMap((m) => m.program.body.map((st) => ({ st, file: m.file })));
  // `infer vi(objective = name)` may name an objective defined later in the file.
  objectiveNames.set(c, new Set(all.flatMap(({ st }) => (st.kind === 'ObjectiveDef' ? [st.name.name] : []))));
  const pass: Pass = { c, globals, out, all, sources, values };

  // Pass 1: every top-level name, so that order does not matter at the top level.
  declareData(pass);
  declareVarsAndParams(pass);
  for (const { st } of all) {
    if (st.kind === 'Fn') declare(pass, st.name, { kind: 'fn', name: st.name, node: st });
    else if (st.kind === 'Let') declare(pass, st.name, { kind: 'let', name: st.name, node: st, ty: undefined });
  }
  typeLets(pass);

  // Pass 2: declarations' domains and defaults.
  for (const info of out.decls) checkDomainAndInit(c, info, globals);

  // Pass 3: the statements.
  checkStatements(pass);
  programLevel(c, out);
  // Bound phase only: every remaining symbolic dim is unbound data, reported by data binding.
  out.diagnostics = c.bag.sorted();
  return out;
}

/** The result before the passes fill it. */
function emptyChecked(modules: Module[], globals: Scope, c: Checker): CheckedProgram {
  return {
    modules,
    globals,
    decls: [],
    dims: new Map(),
    starts: new Map(),
    optimize: null,
    constraints: [],
    where: null,
    model: null,
    guide: null,
    generate: null,
    objectives: [],
    latents: [],
    solve: null,
    infer: null,
    dataSources: [],
    types: c.types,
    diagnostics: [],
    checker: c,
  };
}

/** A top-level name, or an error naming where it was declared first. */
function declare({ c, globals }: Pass, name: Ident, sym: Sym): void {
  const prev = globals.own(name.name);
  if (prev) {
    c.error(
      name.span,
      `${q(name.name)} is already declared (as ${describeSym(prev)} at ${prev.name.span.file}:${prev.name.span.line}:${prev.name.span.col})`,
    );
    return;
  }
  globals.set(name.name, sym);
}

/** Pass 1, data: the `data from` sources, int scalars first (they may size other data), then the
 *  rest with the dimension names their shapes bind. */
function declareData(pass: Pass): void {
  const { c, globals, out, all, sources, values } = pass;
  const dataDecls: { d: Decl; file: string }[] = [];
  for (const { st, file } of all) {
    if (st.kind === 'Data') {
      if (st.source !== null) out.dataSources.push({ path: st.source, file, span: quotedSpan(sources, st.span) });
      for (const d of st.decls) dataDecls.push({ d, file });
    }
  }
  // Int scalars first: they may size other data.
  for (const { d } of dataDecls) {
    if (d.type.name.name === 'int' && d.type.dims.length === 0) {
      const v = values.get(d.name.name);
      declare(pass, d.name, { kind: 'data', name: d.name, decl: d, ty: scalar('int', false, v) });
    }
  }
  for (const { d, file } of dataDecls) {
    const fam = family(c, d.type, 'data');
    if (!(d.type.name.name === 'int' && d.type.dims.length === 0)) {
      d.type.dims.forEach((dim, axis) => {
        if (dim.kind === 'Ident' && !globals.get(dim.name)) {
          const v = values.get(dim.name);
          globals.set(dim.name, { kind: 'dim', name: dim, of: d, axis, ty: scalar('int', false, v) });
          out.dims.set(dim.name, { decl: d, axis });
        }
      });
    }
    const shape = fam ? c.declaredShape(d.type, globals) : null;
    const ty = shape ? tensor(shape.elem, shape.shape, false) : tensor('real', [], false);
    if (!(d.type.name.name === 'int' && d.type.dims.length === 0))
      declare(pass, d.name, { kind: 'data', name: d.name, decl: d, ty, broken: !shape });
    else {
      const s = globals.own(d.name.name);
      if (s && s.kind === 'data') s.ty = scalar('int', false, values.get(d.name.name));
    }
    if (fam)
      out.decls.push({
        kind: 'data',
        decl: d,
        family: fam,
        ty: (globals.own(d.name.name) as { ty: TensorTy } | undefined)?.ty ?? ty,
        file,
      });
  }
}

/** Pass 1, vars and params (int params are discrete latents), params numbered in order. */
function declareVarsAndParams(pass: Pass): void {
  const { c, globals, out, all } = pass;
  let paramOrder = 0;
  for (const { st, file } of all) {
    if (st.kind !== 'Var' && st.kind !== 'Param') continue;
    const kind = st.kind === 'Var' ? 'var' : 'param';
    for (const d of st.decls) {
      if (kind === 'param' && d.type.name.name === 'int') {
        // A discrete latent (see CheckedProgram.latents); its draw is checked in programLevel.
        const shape = c.declaredShape(d.type, globals);
        const ty = tensor('int', shape ? shape.shape : [], true);
        declare(pass, d.name, { kind: 'param', name: d.name, decl: d, ty, order: paramOrder++, broken: !shape });
        out.latents.push({ decl: d, shape: shape ? shape.shape.map((x) => x.value ?? -1) : null });
        continue;
      }
      const fam = family(c, d.type, kind);
      const shape = fam ? familyShape(c, d.type, fam, globals) : null;
      const ty = tensor('real', shape ?? [], true);
      if (kind === 'var') declare(pass, d.name, { kind: 'var', name: d.name, decl: d, ty, broken: !shape });
      else declare(pass, d.name, { kind: 'param', name: d.name, decl: d, ty, order: paramOrder++, broken: !shape });
      if (fam && shape) out.decls.push({ kind, decl: d, family: fam, ty, file });
    }
  }
}

/** The lets' types, each after the lets it uses: a chain of thousands of lets that use one
 *  another is resolved in a loop, not by one recursion per link (grammar/spine.ts). */
function typeLets({ c, globals, all }: Pass): void {
  const lets = all.flatMap(({ st }) => (st.kind === 'Let' ? [{ name: st.name.name, value: st.value, st }] : []));
  for (const { st } of dependencyOrder(lets)) {
    const s = globals.own(st.name.name);
    if (s && s.kind === 'let' && s.node === st) c.symTy(s, st.name);
  }
}

/** Pass 3: each statement in order; blocks and statements a program has once are recorded. */
function checkStatements(pass: Pass): void {
  const { c, globals, out, all } = pass;
  const seenOnce = new Map<string, Stmt>();
  const once = (st: Stmt, what: string): boolean => {
    const prev = seenOnce.get(st.kind);
    if (prev) {
      c.error(st.span, `a program has at most one ${what} (the first is at line ${prev.span.line})`);
      return false;
    }
    seenOnce.set(st.kind, st);
    return true;
  };
  for (const { st } of all) {
    switch (st.kind) {
      case 'Fn':
        c.fnDefinition(st);
        break;
      case 'Let': {
        const s = globals.own(st.name.name);
        if (s && s.kind === 'let' && s.node === st) c.symTy(s, st.name);
        break;
      }
      case 'Start':
        checkStart(pass, st);
        break;
      case 'Model':
        if (once(st, '`model` block')) out.model = st;
        c.stmts(st.body, globals.child(), 'model');
        break;
      case 'Guide':
        if (once(st, '`guide` block')) out.guide = st;
        c.stmts(st.body, globals.child(), 'guide');
        break;
      case 'Generate':
        if (once(st, '`generate` block')) out.generate = st;
        c.stmts(st.body, globals.child(), 'generate');
        break;
      case 'Optimize':
        if (once(st, 'objective (`minimize` or `maximize`)')) out.optimize = st;
        objective(c, st, globals);
        break;
      case 'SubjectTo':
        out.constraints.push(...st.constraints);
        constraints(c, st.constraints, globals);
        break;
      case 'Where':
        if (once(st, '`where` inner problem')) out.where = st;
        whereClause(c, st, globals);
        break;
      case 'Solve':
        if (once(st, '`solve`')) out.solve = method(c, st, 'solve', 'solver', globals);
        break;
      case 'Infer':
        if (once(st, '`infer`')) out.infer = method(c, st, 'infer', 'inference method', globals);
        break;
      case 'ObjectiveDef':
        checkObjectiveDef(pass, st);
        break;
      default:
        break;
    }
  }
}

/** `start name = value`: of a var or param, once, and not beside a start in its declaration. */
function checkStart({ c, globals, out }: Pass, st: Extract<Stmt, { kind: 'Start' }>): void {
  const s = globals.get(st.name.name);
  if (!s) {
    c.unknownName(st.name, globals);
    return;
  }
  if (s.kind !== 'var' && s.kind !== 'param') {
    c.error(st.name.span, `\`start\` sets vars and params; ${q(st.name.name)} is ${describeSym(s)}`);
    return;
  }
  if (out.starts.has(st.name.name)) c.error(st.span, `${q(st.name.name)} already has a start value`);
  else if (s.decl.init)
    c.error(st.span, `${q(st.name.name)} already has a start value in its declaration (line ${s.decl.span.line})`);
  startValue(c, st.value, s.ty, st.name.name, globals);
  out.starts.set(st.name.name, { value: st.value, span: st.span });
}

/** `objective name = ...`: checked by lowering it (objective_program.ts), the same code `infer` runs. */
function checkObjectiveDef({ c, out }: Pass, st: ObjectiveDef): void {
  out.objectives.push(st);
  try {
    lowerObjectiveDef(st, 1);
  } catch (e) {
    if (!(e instanceof LowerError)) throw e;
    c.error(e.span, e.message);
  }
}

/** The model's `name ~ D(...)` statement, at the top or inside loops. */
function modelDraw(stmts: readonly Stmt[], name: string): Extract<Stmt, { kind: 'Sample' }> | null {
  for (const st of stmts) {
    if (st.kind === 'Sample' && st.target.kind === 'Ident' && st.target.name === name) return st;
    for (const b of nestedBodies(st)) {
      const r = modelDraw(b, name);
      if (r) return r;
    }
  }
  return null;
}

function family(c: Checker, t: TypeExpr, kind: DeclKind): Family | null {
  const n = t.name.name;
  if (!(FAMILIES as string[]).includes(n)) {
    c.error(t.name.span, `unknown type ${q(n)}`, didYouMean(n, FAMILIES) || `types are ${FAMILIES.join(', ')}`);
    return null;
  }
  const fam = n as Family;
  if (kind === 'data' && fam !== 'real' && fam !== 'int' && fam !== 'bool') {
    c.error(t.name.span, `data is real, int or bool; ${q(n)} is a constrained parameter type`);
    return null;
  }
  if (kind !== 'data' && (fam === 'int' || fam === 'bool')) {
    c.error(
      t.name.span,
      `a ${kind} must be real-valued; ${q(n)} ${kind === 'var' ? 'variables need a mixed-integer solver, which Proxima does not have' : 'parameters cannot be differentiated'}`,
    );
    return null;
  }
  if (kind === 'var' && fam !== 'real' && fam !== 'simplex') {
    c.error(
      t.name.span,
      `a var is \`real\` (with an optional domain) or \`simplex\`; ${q(n)} is a param type`,
      'declare it with `param`, which changes variables',
    );
    return null;
  }
  if (fam !== 'real' && fam !== 'int' && fam !== 'bool') {
    if (t.dims.length !== 1) {
      c.error(t.span, `${q(n)} takes one dimension, as in \`${n}[k]\``);
      return null;
    }
    if (t.domain && fam !== 'ordered') {
      c.error(
        t.domain.span,
        `a ${n} cannot also have a domain`,
        fam === 'positive_ordered' ? 'it is already `ordered[k] > 0`' : undefined,
      );
      return null;
    }
  }
  if (t.arrayDims.length > 0) {
    if (fam === 'real' || fam === 'int' || fam === 'bool') {
      c.error(
        t.arrayDims[0]!.span,
        `an array of ${n} is written with one bracket: \`${n}[${[...t.arrayDims, ...t.dims].map((d) => c.text(d)).join(', ')}]\``,
        `\`T[k][m]\` is for constrained types, e.g. \`simplex[k][m]\`: m simplexes of size k`,
      );
      return null;
    }
    if (kind !== 'param') {
      c.error(t.arrayDims[0]!.span, `an array of ${n} is a param type; a var takes one \`simplex[k]\``);
      return null;
    }
  }
  return fam;
}

/** The value's shape: the array dims (`simplex[k][m]`: [m]) then the family's own. */
function familyShape(c: Checker, t: TypeExpr, fam: Family, scope: Scope): Dim[] | null {
  const s = c.declaredShape(t, scope);
  if (!s) return null;
  const arr = t.arrayDims.length ? c.declaredShape({ ...t, dims: t.arrayDims, arrayDims: [] }, scope) : { shape: [] };
  if (!arr) return null;
  if (fam === 'cholesky_corr' || fam === 'cov') return [...arr.shape, s.shape[0]!, s.shape[0]!];
  if (
    (fam === 'simplex' || fam === 'ordered' || fam === 'positive_ordered') &&
    s.shape[0]!.value !== null &&
    s.shape[0]!.value < 1
  ) {
    c.error(t.dims[0]!.span, `a ${fam} needs at least one entry`);
    return null;
  }
  return [...arr.shape, ...s.shape];
}

function checkDomainAndInit(c: Checker, info: DeclInfo, scope: Scope): void {
  const { decl, kind, ty } = info;
  const dom = decl.type.domain;
  const bounds: Expr[] = dom ? (dom.kind === 'Bound' ? [dom.value] : [dom.lo, dom.hi]) : [];
  for (const b of bounds) {
    const t = c.tensorOf(b, scope);
    if (!t) continue;
    if (t.elem === 'bool') {
      c.error(b.span, `the bound ${q(c.text(b))} is bool, not a number`);
      continue;
    }
    if (t.shape.length > 0 && info.family === 'ordered') {
      c.error(
        b.span,
        `the bound ${q(c.text(b))} of the ordered ${q(decl.name.name)} must be a scalar (one bound for the whole vector)`,
      );
      continue;
    }
    if (
      t.shape.length > 0 &&
      (t.shape.length > ty.shape.length ||
        t.shape.some((d, i) => dimEq(d, ty.shape[ty.shape.length - t.shape.length + i]!) === false))
    ) {
      c.error(
        b.span,
        `the bound ${q(c.text(b))} is ${shapeText(t.shape)} but ${q(decl.name.name)} is ${shapeText(ty.shape)}`,
      );
      continue;
    }
    if (t.dyn && kind !== 'param') {
      c.error(
        b.span,
        `the bound ${q(c.text(b))} depends on a var or param; ${kind === 'var' ? "a var's domain is a constraint for the solver: write it in `subject to`" : 'data bounds must be data'}`,
      );
      continue;
    }
    if (t.dyn) {
      const me = scope.get(decl.name.name);
      const order = me && me.kind === 'param' ? me.order : Infinity;
      for (const id of idents(b)) {
        const s = scope.get(id.name);
        if (s && s.kind === 'var')
          c.error(
            id.span,
            `the bound of ${q(decl.name.name)} uses the var ${q(id.name)}; a param's bounds may use data and earlier params`,
          );
        else if (s && s.kind === 'param' && s.order >= order) {
          c.error(
            id.span,
            s.order === order
              ? `the bound of ${q(decl.name.name)} refers to ${q(id.name)} itself`
              : `the bound of ${q(decl.name.name)} uses ${q(id.name)}, which is declared after it`,
            s.order === order ? undefined : `declare ${q(id.name)} first`,
          );
        }
      }
    }
  }
  if (dom?.kind === 'Bound' && (dom.op === '<' || dom.op === '>') && kind === 'var') {
    c.warning(dom.span, `a strict bound on a var is treated as \`${dom.op}=\``);
  }
  if (decl.init) {
    if (kind === 'data') {
      const t = c.tensorOf(decl.init, scope);
      if (t && t.dyn) c.error(decl.init.span, `the default of ${q(decl.name.name)} depends on a var or param`);
      else if (t) assignable(c, decl.init, t, ty, decl.name.name);
    } else startValue(c, decl.init, ty, decl.name.name, scope);
  }
}

function startValue(c: Checker, e: Expr, ty: TensorTy, name: string, scope: Scope): void {
  const t = c.tensorOf(e, scope);
  if (!t) return;
  if (t.dyn) {
    c.error(e.span, `the start value of ${q(name)} must not depend on vars or params`);
    return;
  }
  assignable(c, e, t, ty, name);
}

function assignable(c: Checker, e: Expr, t: TensorTy, ty: TensorTy, name: string): void {
  if (t.elem === 'bool' && ty.elem !== 'bool') {
    c.error(e.span, `${q(c.text(e))} is bool but ${q(name)} is ${tyText(ty)}`);
    return;
  }
  if (t.shape.length === 0) return;
  if (t.shape.length !== ty.shape.length || t.shape.some((d, i) => dimEq(d, ty.shape[i]!) === false)) {
    c.error(e.span, `${q(c.text(e))} is ${shapeText(t.shape)} but ${q(name)} is ${shapeText(ty.shape)}`);
  }
}

/** The names an expression mentions, in source order (an explicit stack: any length, any depth). */
function idents(root: Expr): Ident[] {
  const out: Ident[] = [];
  const stack: Expr[] = [root];
  while (stack.length) {
    const e = stack.pop()!;
    const kids: Expr[] = [];
    switch (e.kind) {
      case 'Ident':
        out.push(e);
        continue;
      case 'Unary':
        kids.push(e.operand);
        break;
      case 'Binary':
        kids.push(e.left, e.right);
        break;
      case 'Call':
        for (const a of e.args) kids.push(a.value);
        break;
      case 'Index':
        kids.push(e.target);
        for (const i of e.indices) if (i.kind !== 'Slice') kids.push(i);
        break;
      case 'If':
        kids.push(e.cond, e.then, e.else);
        break;
      case 'Vector':
        kids.push(...e.elements);
        break;
      case 'Matrix':
        for (const r of e.rows) kids.push(...r);
        break;
      case 'Compare':
        kids.push(...e.operands);
        break;
      default:
        break;
    }
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!);
  }
  return out;
}

function objective(c: Checker, st: Optimize, scope: Scope): void {
  const t = c.tensorOf(st.objective, scope, 'the objective must be a real number');
  if (t) {
    if (t.elem === 'bool')
      c.error(st.objective.span, `the objective ${q(c.text(st.objective))} is bool; it must be a real number`);
    else if (t.shape.length !== 0) {
      c.error(
        st.objective.span,
        `the objective must be a scalar, but ${q(c.text(st.objective))} is ${shapeText(t.shape)}`,
        'reduce it, e.g. with `sum(...)` or `sumsq(...)`',
      );
    } else if (!t.dyn && !c.bag.hasErrors())
      c.warning(st.objective.span, `the objective does not depend on any var or param`);
  }
  for (const o of st.over) {
    const s = scope.get(o.name);
    if (!s) c.unknownName(o, scope);
    else if (s.kind !== 'var') c.error(o.span, `\`over\` lists vars; ${q(o.name)} is ${describeSym(s)}`);
  }
}

function constraints(c: Checker, items: readonly ConstraintItem[], scope: Scope): void {
  const labels = new Set<string>();
  const walk = (xs: readonly ConstraintItem[], sc: Scope): void => {
    for (const it of xs) {
      if (it.kind === 'ConstraintFor') {
        const r = c.expr(it.iter, sc);
        if (r.kind !== 'range' && r.kind !== 'error')
          c.error(
            it.iter.span,
            `a constraint loop runs over a range such as \`0..n\`; ${q(c.text(it.iter))} is ${tyText(r)}`,
          );
        const inner = sc.child();
        inner.set(it.name.name, { kind: 'local', name: it.name, ty: scalar('int'), what: 'loop index' });
        walk(it.body, inner);
        continue;
      }
      if (it.label) {
        if (labels.has(it.label.name)) c.error(it.label.span, `the constraint label ${q(it.label.name)} is used twice`);
        labels.add(it.label.name);
      }
      if (it.expr.kind !== 'Compare') {
        c.error(
          it.expr.span,
          `a constraint compares two sides with \`==\`, \`<=\` or \`>=\`; ${q(c.text(it.expr))} does not`,
        );
        c.expr(it.expr, sc);
        continue;
      }
      if (it.expr.ops.includes('!=')) {
        c.error(
          it.expr.span,
          `${q(c.text(it.expr))}: \`!=\` cannot be a constraint (the feasible set would not be closed)`,
        );
        continue;
      }
      const t = c.expr(it.expr, sc);
      if (t.kind === 'tensor' && !t.dyn)
        c.warning(it.expr.span, `the constraint ${q(c.text(it.expr))} does not involve any var`);
      if (it.expr.ops.some((o) => o === '<' || o === '>'))
        c.warning(it.expr.span, `a strict inequality is treated as non-strict (\`<=\`, \`>=\`)`);
    }
  };
  walk(items, scope);
}

function whereClause(c: Checker, st: Where, scope: Scope): void {
  const s = scope.get(st.name.name);
  if (!s) c.unknownName(st.name, scope);
  else if (s.kind !== 'var')
    c.error(st.name.span, `\`where\` defines a var by an inner problem; ${q(st.name.name)} is ${describeSym(s)}`);
  for (const w of st.wrt) {
    const ws = scope.get(w.name);
    if (!ws) c.unknownName(w, scope);
    else if (ws.kind !== 'var') c.error(w.span, `${st.sense} is over vars; ${q(w.name)} is ${describeSym(ws)}`);
  }
  const t = c.block(st.body, scope.child(), 'fn');
  if (t.kind === 'tensor' && t.shape.length !== 0)
    c.error(
      st.body.result.span,
      `the inner objective must be a scalar, but ${q(c.text(st.body.result))} is ${shapeText(t.shape)}`,
    );
  if (st.constraints) constraints(c, st.constraints, scope);
}

function method(c: Checker, st: Solve | Infer, kind: MethodKind, what: string, scope: Scope): MethodChoice | null {
  const spec = methodOf(st.method.name, kind);
  if (!spec) {
    const other = methodOf(st.method.name, kind === 'solve' ? 'infer' : 'solve');
    const known = methodList.filter((m) => m.kind === kind).map((m) => m.name);
    c.error(
      st.method.span,
      `unknown ${what} ${q(st.method.name)}`,
      other
        ? `${st.method.name} is ${st.kind === 'Solve' ? 'an inference method: `infer' : 'a solver: `solve'} ${st.method.name}(...)\``
        : didYouMean(st.method.name, known) || `known: ${known.join(', ')}`,
    );
    return null;
  }
  const given = options(c, st.method.name, spec.options, st.args ?? [], scope);
  return given ? { name: spec.name, spec, given, span: st.span } : null;
}

/** The options written in `name(...)`: each checked against its spec (stdlib/methods/options.ts). */
function options(
  c: Checker,
  name: string,
  specs: OptionSpecs,
  args: readonly Arg[],
  scope: Scope,
): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  let ok = true;
  const keys = Object.keys(specs);
  for (const a of args) {
    if (!a.name) {
      c.error(
        a.span,
        `${name}'s options are named, as in \`${name}(${keys[0]} = ...)\``,
        `options: ${keys.join(', ')}`,
      );
      ok = false;
      continue;
    }
    const o = specs[a.name.name];
    if (!o) {
      c.error(
        a.name.span,
        `${name} has no option ${q(a.name.name)}`,
        didYouMean(a.name.name, keys) || `options: ${keys.join(', ')}`,
      );
      ok = false;
      continue;
    }
    if (a.name.name in out) {
      c.error(a.name.span, `the option ${q(a.name.name)} is given twice`);
      ok = false;
      continue;
    }
    const v = optionValue(c, name, a.name.name, o, a.value, scope);
    if (v === undefined) ok = false;
    else out[a.name.name] = v;
  }
  return ok ? out : null;
}

/** A call-valued option `name(...)`: its own options checked, required ones present, defaults filled. */
function callOptions(
  c: Checker,
  e: Extract<Expr, { kind: 'Call' }>,
  specs: OptionSpecs,
  scope: Scope,
): Record<string, unknown> | undefined {
  const given = options(c, e.callee.name, specs, e.args, scope);
  if (!given) return undefined;
  const miss = missingRequired(specs, given, e.callee.name);
  if (miss) {
    c.error(e.span, miss);
    return undefined;
  }
  return { method: e.callee.name, ...withDefaults(specs, given) };
}

function optionValue(c: Checker, method: string, key: string, o: OptionSpec, e: Expr, scope: Scope): unknown {
  const bad = (msg: string) => {
    c.error(e.span, `${method}(${key} = ...): ${msg}`);
    return undefined;
  };
  const checked = (v: unknown) => {
    const err = checkValue(o, v);
    return err ? bad(err) : v;
  };
  switch (o.kind) {
    case 'int': {
      const v = literalInt(e);
      return v === null ? bad(`expected an integer, got ${q(c.text(e))}`) : checked(v);
    }
    case 'real': {
      const v = literalNumber(e);
      return v === null ? bad(`expected a number, got ${q(c.text(e))}`) : checked(v);
    }
    case 'bool':
      return e.kind !== 'Bool' ? bad(`expected true or false, got ${q(c.text(e))}`) : e.value;
    case 'enum':
    case 'name': {
      if (o.kind === 'name' && o.calls && e.kind === 'Call') {
        const opts = o.calls[e.callee.name];
        if (!opts)
          return bad(
            `${q(e.callee.name)} takes no options; these do: ${Object.keys(o.calls)
              .map((k) => `${k}(...)`)
              .join(', ')}`,
          );
        return callOptions(c, e, opts, scope);
      }
      if (e.kind !== 'Ident') return bad(`expected a name, got ${q(c.text(e))}`);
      const allowed = choicesOf(o);
      if (allowed.includes(e.name)) {
        // A built-in with required call options must be written as a call.
        const opts = o.kind === 'name' ? o.calls?.[e.name] : undefined;
        const miss = opts && missingRequired(opts, {}, e.name);
        return miss ? bad(miss) : e.name;
      }
      if (o.kind === 'name') {
        const s = scope.get(e.name);
        if (s) return e.name;
        if (key === 'objective' && objectiveNames.get(c)?.has(e.name)) return e.name;
        if (key === 'guide' && e.name === 'guide') return e.name;
      }
      c.error(
        e.span,
        `${method}(${key} = ...): unknown ${key} ${q(e.name)}`,
        didYouMean(e.name, [...allowed]) || `choices: ${allowed.join(', ')}`,
      );
      return undefined;
    }
    case 'method': {
      const nameOf = e.kind === 'Call' ? e.callee : e.kind === 'Ident' ? e : null;
      if (!nameOf) return bad(`expected a method such as \`${o.default}(...)\`, got ${q(c.text(e))}`);
      const fits = (m: AnyMethod) => m.kind === o.table && (!o.families || o.families.includes(m.family));
      const spec = methodOf(nameOf.name, o.table);
      if (!spec || !fits(spec)) {
        const known = methodList.filter(fits).map((m) => m.name);
        c.error(
          nameOf.span,
          spec
            ? `${method}(${key} = ...): ${q(nameOf.name)} is not a ${o.families?.join(' or ').replace(/_/g, '-') ?? ''} method`
            : `${method}(${key} = ...): unknown ${o.table === 'solve' ? 'solver' : 'hypergradient method'} ${q(nameOf.name)}`,
          didYouMean(nameOf.name, known) || `known: ${known.join(', ')}`,
        );
        return undefined;
      }
      const given = options(c, nameOf.name, spec.options, e.kind === 'Call' ? e.args : [], scope);
      return given ? { method: spec.name, ...withDefaults(spec.options, given) } : undefined;
    }
  }
}

function literalNumber(e: Expr): number | null {
  if (e.kind === 'Number') return e.value;
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'Number') return -e.operand.value;
  return null;
}

/** Whole-program rules: what there is to solve, and whether the pieces fit together. */
function programLevel(c: Checker, p: CheckedProgram): void {
  const root = p.modules[p.modules.length - 1];
  const at = root ? root.program.span : null;
  if (!at) return;
  const hasVars = p.modules.some((m) => m.program.body.some((st) => st.kind === 'Var'));
  if (p.solve && !p.optimize && !p.model)
    c.error(p.solve.span, 'there is nothing to solve: add `minimize ...` or `maximize ...` (or a `model` for MAP)');
  if (p.infer && !p.model) c.error(p.infer.span, '`infer` needs a `model` block');
  for (const l of p.latents) {
    const name = l.decl.name.name;
    const draw = p.model ? modelDraw(p.model.body, name) : null;
    if (!p.infer || !p.model)
      c.error(
        l.decl.name.span,
        `${q(name)} is an int param, a discrete latent: it needs a model and \`infer vi\``,
        'or declare it as data',
      );
    else if (!draw)
      c.error(
        l.decl.name.span,
        `the discrete latent ${q(name)} is never drawn in the model`,
        `draw it from a discrete distribution: \`${name} ~ Bernoulli(p)\``,
      );
    else if (draw.dist.kind === 'Call' && !['Bernoulli', 'Categorical'].includes(draw.dist.callee.name))
      c.error(
        draw.dist.span,
        `the discrete latent ${q(name)} is drawn from ${q(draw.dist.callee.name)}; this release supports Bernoulli and Categorical latents`,
      );
  }
  if (p.solve && p.infer) c.error(p.infer.span, 'a program either solves (`solve`) or infers (`infer`), not both');
  if (p.optimize && p.model)
    c.error(
      p.optimize.span,
      'a program has either an objective or a model, not both',
      "put the model's terms into the objective, or use `target +=` in the model",
    );
  if (p.constraints.length && !p.optimize)
    c.error(p.constraints[0]!.span, '`subject to` needs an objective (`minimize` or `maximize`)');
  if (p.optimize && !hasVars && !p.model)
    c.error(p.optimize.span, 'the objective has no `var` to optimize over', 'declare one: `var x: real[n]`');
  if (p.model) {
    for (const d of p.decls)
      if (d.kind === 'var')
        c.error(d.decl.name.span, `a model has params, not vars; declare ${q(d.decl.name.name)} with \`param\``);
  } else if (p.optimize) {
    for (const d of p.decls)
      if (d.kind === 'param')
        c.error(
          d.decl.name.span,
          `${q(d.decl.name.name)} is a param, but there is no model; an objective optimizes \`var\`s`,
        );
  }
  if (
    p.optimize &&
    p.optimize.over.length &&
    !p.where &&
    p.optimize.over.every((o) => p.globals.get(o.name)?.kind === 'var')
  ) {
    const over = new Set(p.optimize.over.map((o) => o.name));
    for (const d of p.decls) {
      if (d.kind === 'var' && !over.has(d.decl.name.name))
        c.error(d.decl.name.span, `the var ${q(d.decl.name.name)} is not in \`over\`, and no \`where\` defines it`);
    }
  }
  void ERROR;
}
