// Structural analysis: what kind of problem a program states, and which algorithm that implies.
// The objective is split into additive terms (through +, -, and scaling by data); each term is
// smooth, or a nonsmooth term with a known prox (c * norm1(v), c * norm2(v), group norms,
// nuclear norm ... of a whole variable v, c >= 0 after the sense is applied), or a problem: a
// nonsmooth subexpression no solver here can take, reported at the smallest such subexpression
// (as CVXPY does; the classes are smoothness.ts's). Var domains and constraints that bound a
// single variable are simple sets; other constraints are general equalities and inequalities
// (whose functions must be smooth).
// The decomposition becomes a problem shape (features such as prox, bounds, simplex, equalities,
// least_squares, stochastic), and the method table chooses (stdlib/methods/choose.ts: each entry
// says what it takes and when the analysis should pick it; no method is named here). `solve m(...)`
// or `infer m(...)` overrides, and is rejected, with the reason the table gives, when m cannot
// take the problem. `parts` keeps the same split as syntax for compiler/running/solve_problem.ts,
// which builds what the solvers take.

import type { ConstraintItem, Diagnostic, Expr, Model, Optimize, Stmt } from '../../grammar/index.js';
import { builtinTable } from '../front/builtins.js';
import { nestedBodies } from '../front/stmt_walk.js';
import { sourceText } from '../front/source_text.js';
import { unboundedWarnings } from './unbounded.js';
import { Classifier, CONST, join, type Scope } from './smoothness.js';
import { bilevelPlan, type BilevelSummary } from './bilevel_plan.js';
import type { CheckedProgram } from '../front/check_program.js';
import {
  chooseMethod,
  methodList,
  refusal,
  withDefaults,
  type Feature,
  type ProblemShape,
} from '../../stdlib/index.js';
import { backquote as q } from '../../runtime/index.js';

export interface ProxTerm {
  term: string;
  var: string;
  prox: string;
}
export interface SetTerm {
  var: string;
  set: string;
  from: 'domain' | 'constraint';
}
export interface ConstraintTerm {
  label: string | null;
  expr: string;
}

export interface Decomposition {
  kind: 'optimization' | 'model' | 'none';
  sense: 'minimize' | 'maximize' | null;
  /** Smooth terms of the objective as written (for a model: the log density's parts). */
  smooth: string[];
  prox: ProxTerm[];
  sets: SetTerm[];
  equalities: ConstraintTerm[];
  inequalities: ConstraintTerm[];
  stochastic: boolean;
  bilevel: BilevelSummary | null;
}

export interface AlgorithmChoice {
  name: string;
  reason: string;
  /** Runs in this release. */
  available: boolean;
  source: 'analysis' | 'solve' | 'infer';
  /** The effective options (defaults overlaid with the program's). */
  options: Record<string, unknown>;
}

export interface Analysis {
  decomposition: Decomposition;
  algorithm: AlgorithmChoice | null;
  diagnostics: Diagnostic[];
  /** The same decomposition as syntax, for the solver builders (compiler/running/solve_problem.ts). */
  parts: Parts;
  /** The shape the method table chooses by (stdlib/methods/choose.ts). */
  shape: ProblemShape;
}

/** One additive term of the objective: value = flip * prod(coefs) * e (the sense applied in flip). */
export interface ObjectiveTerm {
  e: Expr;
  flip: 1 | -1;
  coefs: { e: Expr; op: '*' | '/' }[];
  /** Set for a nonsmooth term taken by a prox step: the var, the registry operator, its group axis,
   *  per-coordinate weights (`norm1(w * x)`: |w|; `sum(w * abs(x))`: w, checked >= 0) and the
   *  built-in call whose other arguments give the registry options (builtins.ts `prox.options`). */
  prox: {
    var: string;
    op: string;
    axis: number | null;
    weights?: { e: Expr; abs: boolean };
    call?: Extract<Expr, { kind: 'Call' }>;
  } | null;
}

export interface Parts {
  terms: ObjectiveTerm[];
  /** Each leaf constraint: a simple bound on one var, or a general (smooth) constraint. */
  constraints: Map<ConstraintItem, 'bound' | 'general'>;
}

/** What the sections share: the program, the classifier, the result they fill, the problems found. */
interface Ctx {
  p: CheckedProgram;
  cl: Classifier;
  dec: Decomposition;
  parts: Parts;
  problems: { e: Expr; message: string }[];
  text: (e: { span: Diagnostic['span'] }) => string;
}

export function analyze(p: CheckedProgram): Analysis {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map(p.modules.map((m) => [m.file, m.source]));
  const text = (e: { span: Diagnostic['span'] }): string => sourceText(sources, e.span, 200);
  const error = (e: { span: Diagnostic['span'] }, message: string, hint?: string) =>
    diagnostics.push(
      hint ? { severity: 'error', message, span: e.span, hint } : { severity: 'error', message, span: e.span },
    );

  // ---- smoothness classes ----
  const cl = new Classifier(p);
  const ctx: Ctx = {
    p,
    cl,
    dec: emptyDecomposition(p),
    parts: { terms: [], constraints: new Map() },
    problems: [],
    text,
  };
  const { dec, parts, problems } = ctx;

  // ---- the objective's terms ----
  if (p.optimize) objectiveTerms(ctx, p.optimize);
  // ---- var domains and constraints ----
  domainSets(ctx);
  constraintSets(ctx, p.constraints, new Map());
  if (p.where) dec.bilevel = { variable: p.where.name.name, over: p.optimize?.over.map((o) => o.name) ?? [] };
  if (p.model) modelParts(ctx, p.model);

  if (dec.prox.length && (dec.equalities.length || dec.inequalities.length) && p.optimize) {
    const c = dec.equalities[0] ?? dec.inequalities[0]!;
    problems.push({
      e: p.optimize.objective,
      message: `no solver here takes a nonsmooth term (${q(dec.prox[0]!.term)}) together with a general constraint (${q(c.expr)}): the prox methods take simple sets only, and the augmented Lagrangian needs a smooth objective`,
    });
  }
  for (const pr of problems) error(pr.e, pr.message);
  if (!problems.length)
    diagnostics.push(...unboundedWarnings(p, new Set([...dec.sets.map((s) => s.var), ...dec.prox.map((t) => t.var)])));

  // ---- the algorithm: chosen from the method table by the problem's shape ----
  const shape = problemShape(p, dec, parts, text);
  const algorithm = chooseAlgorithm(p, shape, diagnostics);
  if (dec.bilevel) diagnostics.push(...bilevelPlan(p, dec.bilevel, algorithm));
  return { decomposition: dec, algorithm, diagnostics, parts, shape };
}

function emptyDecomposition(p: CheckedProgram): Decomposition {
  return {
    kind: p.optimize ? 'optimization' : p.model ? 'model' : 'none',
    sense: p.optimize?.sense ?? null,
    smooth: [],
    prox: [],
    sets: [],
    equalities: [],
    inequalities: [],
    stochastic: false,
    bilevel: null,
  };
}

/** A term of the objective as split: sign for convexity, flip for the value, the coefficients. */
type SplitTerm = { e: Expr; sign: number; flip: 1 | -1; coefs: ObjectiveTerm['coefs'] };

/**
 * The objective's additive terms, through +, -, unary minus and scaling by constants. sign: the
 * term's sign for convexity (literal coefficients' signs included); flip: only the sense, `-` and
 * unary minus (the coefficients carry their own signs in the value).
 */
function splitObjective(cl: Classifier, optimize: Optimize): SplitTerm[] {
  const sign0 = optimize.sense === 'maximize' ? -1 : 1;
  const terms: SplitTerm[] = [];
  // Iterative: a sum of 100,000 terms, or a long product of constants, costs no stack. The
  // coefficients so far are a linked list (shared by the terms of a sum), listed at each term.
  type Coefs = { c: ObjectiveTerm['coefs'][number]; up: Coefs } | null;
  const list = (k: Coefs): ObjectiveTerm['coefs'] => {
    const out: ObjectiveTerm['coefs'] = [];
    for (; k; k = k.up) out.push(k.c);
    return out.reverse();
  };
  const split = (e: Expr, sign: number, flip: 1 | -1, coefs: Coefs): void => {
    for (;;) {
      if (e.kind === 'Binary' && (e.op === '+' || e.op === '-')) {
        const rights: { e: Expr; minus: boolean }[] = [];
        let x: Expr = e;
        while (x.kind === 'Binary' && (x.op === '+' || x.op === '-')) {
          rights.push({ e: x.right, minus: x.op === '-' });
          x = x.left;
        }
        split(x, sign, flip, coefs);
        for (let i = rights.length - 1; i >= 0; i--) {
          const r = rights[i]!;
          split(r.e, r.minus ? -sign : sign, r.minus ? (-flip as 1 | -1) : flip, coefs);
        }
        return;
      }
      if (e.kind === 'Unary' && e.op === '-') {
        [e, sign, flip] = [e.operand, -sign, -flip as 1 | -1];
      } else if (e.kind === 'Binary' && e.op === '*' && cl.cls(e.left, new Map()).k === 'const') {
        [sign, coefs] = [sign * literalSign(e.left), { c: { e: e.left, op: '*' }, up: coefs }];
        e = e.right;
      } else if (e.kind === 'Binary' && (e.op === '*' || e.op === '/') && cl.cls(e.right, new Map()).k === 'const') {
        [sign, coefs] = [sign * literalSign(e.right), { c: { e: e.right, op: e.op }, up: coefs }];
        e = e.left;
      } else {
        terms.push({ e, sign, flip, coefs: list(coefs) });
        return;
      }
    }
  };
  split(optimize.objective, sign0, sign0 as 1 | -1, null);
  return terms;
}

/** Each term smooth, a prox term (one per var, with the right sign), or a problem at its culprit. */
function objectiveTerms(ctx: Ctx, optimize: Optimize): void {
  const { cl, dec, parts, problems, text } = ctx;
  const proxVars = new Map<string, string>();
  for (const t of splitObjective(cl, optimize)) {
    const c = cl.cls(t.e, new Map());
    const term: ObjectiveTerm = { e: t.e, flip: t.flip, coefs: t.coefs, prox: null };
    parts.terms.push(term);
    if (c.k !== 'nonsmooth') {
      if (c.k === 'smooth') dec.smooth.push(termText(t, text));
      continue;
    }
    const prox = proxOf(t.e, cl.vars, (x) => cl.cls(x, new Map()).k === 'const');
    if (prox) {
      if (t.sign < 0) {
        problems.push({
          e: t.e,
          message: `${q(text(t.e))} enters the problem with the wrong sign: ${optimize.sense === 'maximize' ? 'maximizing' : 'minimizing'} it ${optimize.sense === 'maximize' ? 'rewards' : 'penalizes'} a nonconvex, nonsmooth term that no solver here can take`,
        });
        continue;
      }
      const prev = proxVars.get(prox!.var);
      if (prev) {
        problems.push({
          e: t.e,
          message: `${q(text(t.e))}: ${q(prox!.var)} already has a nonsmooth term (${q(prev)}); the solvers take one prox term per variable`,
        });
        continue;
      }
      proxVars.set(prox!.var, text(t.e));
      dec.prox.push({ term: termText(t, text), var: prox!.var, prox: prox!.prox });
      term.prox = {
        var: prox.var,
        op: prox.op,
        axis: prox.axis,
        ...(prox.weights ? { weights: prox.weights } : {}),
        ...(prox.call ? { call: prox.call } : {}),
      };
      continue;
    }
    problems.push({
      e: c.culprit,
      message: `no solver here can take ${q(text(c.culprit))}: ${c.why}, and it is not a term with a known prox (such as \`lambda * norm1(x)\` of a whole var)`,
    });
  }
}

/** The vars' domains (and simplexes) as sets. */
function domainSets({ p, dec, text }: Ctx): void {
  for (const d of p.decls) {
    if (d.kind !== 'var') continue;
    const dom = d.decl.type.domain;
    if (d.family === 'simplex') dec.sets.push({ var: d.decl.name.name, set: 'simplex', from: 'domain' });
    else if (dom)
      dec.sets.push({
        var: d.decl.name.name,
        set: dom.kind === 'Interval' ? `box ${text(dom)}` : `${dom.op.replace(/^([<>])$/, '$1=')} ${text(dom.value)}`,
        from: 'domain',
      });
  }
}

/** Each leaf constraint a simple bound on one var, or a general one (smooth, else a problem). */
function constraintSets(ctx: Ctx, items: readonly ConstraintItem[], sc: Scope): void {
  const { cl, dec, parts, problems, text } = ctx;
  for (const it of items) {
    if (it.kind === 'ConstraintFor') {
      const inner = new Map(sc);
      inner.set(it.name.name, CONST);
      constraintSets(ctx, it.body, inner);
      continue;
    }
    const e = it.expr;
    if (e.kind !== 'Compare') continue;
    const label = it.label?.name ?? null;
    const simple =
      e.ops.every((o) => o !== '==') && simpleBound(e.operands, cl.vars, (x) => cl.cls(x, sc).k === 'const');
    if (simple) {
      dec.sets.push({ var: simple, set: text(e), from: 'constraint' });
      parts.constraints.set(it, 'bound');
      continue;
    }
    const c = join(...e.operands.map((o) => cl.cls(o, sc)));
    if (c.k === 'nonsmooth') {
      problems.push({
        e: c.culprit,
        message: `the constraint ${q(text(e))} cannot be taken: ${q(text(c.culprit))} is not smooth (${c.why})`,
      });
      continue;
    }
    (e.ops.includes('==') ? dec.equalities : dec.inequalities).push({ label, expr: text(e) });
    parts.constraints.set(it, 'general');
  }
}

/** A model's parts: its log density's statements, the transforms' log|J|, batches. */
function modelParts({ p, dec, text }: Ctx, model: Model): void {
  dec.stochastic = hasBatch(model.body);
  dec.smooth = model.body
    .filter((s) => s.kind === 'Sample' || s.kind === 'TargetAdd' || s.kind === 'For' || s.kind === 'IfStmt')
    .map((s) => text(s));
  if (p.decls.some((d) => (d.kind === 'param' && d.family !== 'real') || (d.kind === 'param' && d.decl.type.domain)))
    dec.smooth.push("log|J| of the constrained parameters' transforms");
}

/** The program's `solve m(...)`/`infer m(...)` (refused with the table's reason when m cannot take
 *  the problem), else the table's automatic choice for an optimization program. */
function chooseAlgorithm(p: CheckedProgram, shape: ProblemShape, diagnostics: Diagnostic[]): AlgorithmChoice | null {
  const named = p.infer ?? p.solve;
  if (named) {
    const spec = named.spec;
    const no = refusal(methodList, spec, shape);
    if (no) diagnostics.push({ severity: 'error', message: no.message, span: named.span, hint: no.hint });
    return {
      name: spec.name,
      reason: `\`${spec.kind} ${spec.name}\` in the program`,
      available: spec.available,
      source: p.infer ? 'infer' : 'solve',
      options: withDefaults(spec.options, named.given),
    };
  }
  if (!p.optimize) return null;
  const auto = chooseMethod(methodList, 'solve', shape);
  if (!auto) return null;
  return {
    name: auto.method.name,
    reason: auto.reason,
    available: auto.method.available,
    source: 'analysis',
    options: withDefaults(auto.method.options, {}),
  };
}

/** The problem's shape for the method table: its features, and their first instances in words. */
function problemShape(p: CheckedProgram, dec: Decomposition, parts: Parts, text: (e: Expr) => string): ProblemShape {
  const features = new Set<Feature>();
  const examples: ProblemShape['examples'] = {};
  const add = (f: Feature, example?: string) => {
    features.add(f);
    if (example !== undefined && !(f in examples)) examples[f] = example;
  };
  for (const t of dec.prox) add('prox', `the term ${q(t.term)}`);
  for (const s of dec.sets) add(s.set === 'simplex' ? 'simplex' : 'bounds', `the set of ${q(s.var)} (${s.set})`);
  for (const e of dec.equalities) add('equalities', `the equality ${q(e.expr)}`);
  for (const e of dec.inequalities) add('inequalities', `the inequality ${q(e.expr)}`);
  if (dec.bilevel) add('bilevel', 'an inner argmin (`where`)');
  if (dec.stochastic) add('stochastic');
  if (p.model) add('model');
  if (p.latents.length) add('discrete_latents', `the discrete latent ${q(p.latents[0]!.decl.name.name)}`);
  // A single smooth term `c * sumsq(r)` with c > 0 (data coefficients count as positive).
  const only = parts.terms.length === 1 ? parts.terms[0]! : null;
  if (
    only &&
    !only.prox &&
    only.e.kind === 'Call' &&
    only.e.callee.name === 'sumsq' &&
    only.e.args.length === 1 &&
    only.flip * only.coefs.reduce((s, c) => s * literalSign(c.e), 1) > 0
  )
    add('least_squares', `the objective ${q(text(only.e))}`);
  return {
    features,
    examples,
    counts: { prox: dec.prox.length, equalities: dec.equalities.length, inequalities: dec.inequalities.length },
    words: {
      proxKinds: dec.prox.map((x) => x.prox.split(' ')[0]!),
      setVars: [...new Set(dec.sets.map((s) => s.var))],
    },
  };
}

function literalSign(e: Expr): number {
  if (e.kind === 'Number') return e.value < 0 ? -1 : 1;
  if (e.kind === 'Unary' && e.op === '-') return -literalSign(e.operand);
  return 1; // data coefficients are assumed non-negative (documented)
}

function termText(t: { e: Expr; sign: number; coefs: ObjectiveTerm['coefs'] }, text: (e: Expr) => string): string {
  const mul = t.coefs
    .filter((c) => c.op === '*')
    .map((c) => text(c.e) + ' * ')
    .join('');
  const div = t.coefs
    .filter((c) => c.op === '/')
    .map((c) => ' / ' + text(c.e))
    .join('');
  return `${t.sign < 0 ? '-' : ''}${mul}${text(t.e)}${div}`;
}

/**
 * The prox of `f(v)` for a whole var v, if f has one: its description, registry operator and
 * what its options come from. Recognized (w, groups, k: data or constants, no var):
 *   sum(abs(v)), norm1(v)            -> norm1          sum(w * abs(v)), norm1(w * v) -> weighted norm1
 *   sum(norm2(v, axis))              -> group_lasso over the fibers along axis
 *   any built-in with a `prox` entry whose first argument is v and whose other arguments are
 *   constants (norm2, norm_inf, nuclear_norm, norm0, group_norm, sparse_envelope, wgsef, wgsef_gap).
 */
function proxOf(
  e: Expr,
  vars: Set<string>,
  isConst: (e: Expr) => boolean,
): {
  var: string;
  prox: string;
  op: string;
  axis: number | null;
  weights?: { e: Expr; abs: boolean };
  call?: Extract<Expr, { kind: 'Call' }>;
} | null {
  if (e.kind !== 'Call') return null;
  const name = e.callee.name;
  const arg = e.args[0]?.value;
  const isVar = (x: Expr | undefined): x is Extract<Expr, { kind: 'Ident' }> =>
    !!x && x.kind === 'Ident' && vars.has(x.name);
  /** `w * y` or `y * w` with w constant: [w, y]. */
  const scaled = (x: Expr | undefined): [Expr, Expr] | null => {
    if (!x || x.kind !== 'Binary' || x.op !== '*') return null;
    if (isConst(x.left) && !isConst(x.right)) return [x.left, x.right];
    if (isConst(x.right) && !isConst(x.left)) return [x.right, x.left];
    return null;
  };
  const L1 = 'l1 (soft thresholding)',
    WL1 = 'weighted l1 (soft thresholding per coordinate)';
  if (name === 'sum' && arg && e.args.length === 1) {
    const sw = scaled(arg);
    if (
      sw &&
      sw[1].kind === 'Call' &&
      sw[1].callee.name === 'abs' &&
      sw[1].args.length === 1 &&
      isVar(sw[1].args[0]!.value)
    ) {
      return {
        var: (sw[1].args[0]!.value as Extract<Expr, { kind: 'Ident' }>).name,
        prox: WL1,
        op: 'norm1',
        axis: null,
        weights: { e: sw[0], abs: false },
      };
    }
    if (arg.kind !== 'Call') return null;
    const inner = arg.callee.name;
    const v = arg.args[0]?.value;
    if (inner === 'abs' && isVar(v) && arg.args.length === 1) return { var: v.name, prox: L1, op: 'norm1', axis: null };
    const ax = arg.args[1]?.value;
    const axis =
      ax?.kind === 'Number'
        ? ax.value
        : ax?.kind === 'Unary' && ax.op === '-' && ax.operand.kind === 'Number'
          ? -ax.operand.value
          : null;
    if (inner === 'norm2' && isVar(v) && arg.args.length === 2 && axis !== null)
      return { var: v.name, prox: 'group l2 (block soft thresholding per group)', op: 'group_lasso', axis };
    return null;
  }
  if (name === 'norm1' && e.args.length === 1) {
    const sw = scaled(arg);
    if (sw && isVar(sw[1]))
      return { var: sw[1].name, prox: WL1, op: 'norm1', axis: null, weights: { e: sw[0], abs: true } };
  }
  const b = builtinTable.get(name);
  if (!b?.prox || !isVar(arg)) return null;
  if (e.args.slice(1).some((a) => !isConst(a.value))) return null;
  if (e.args.length > 1 && !b.prox.options) return null;
  return { var: arg.name, prox: b.prox.text, op: b.prox.op, axis: null, ...(e.args.length > 1 ? { call: e } : {}) };
}

/** The var a constraint bounds when it is `v op const` (or a chain) with v a var or an element of one. */
function simpleBound(operands: readonly Expr[], vars: Set<string>, isConst: (e: Expr) => boolean): string | null {
  let found: string | null = null;
  for (const o of operands) {
    const base = o.kind === 'Index' && o.indices.every((i) => i.kind === 'Slice' || isConst(i)) ? o.target : o;
    if (base.kind === 'Ident' && vars.has(base.name)) {
      if (found) return null;
      found = base.name;
    } else if (!isConst(o)) return null;
  }
  return found;
}

function hasBatch(body: readonly Stmt[]): boolean {
  return body.some(
    (s) =>
      (s.kind === 'For' && s.iter.kind === 'Call' && s.iter.callee.name === 'batch') || nestedBodies(s).some(hasBatch),
  );
}
