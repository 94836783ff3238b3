// From a built problem (solve_problem.ts) to the stdlib Problem a method runs on, with exactly the
// facets its table entry `needs` for its options: the smooth part's value and gradient (the
// compiled objective when the objective is all smooth, else the graph of its smooth terms),
// value and Hessian-vector products (traced on first use), the residual of `c * sumsq(r)`, the
// prox of the prox terms with the simple sets as projections, the bounds, the general
// constraints (a simplex as `sum = 1` with `>= 0` bounds), and per-row batches. Graphs run on the
// program's backend (`runner`); prox operators and projections run on the host in float64.
// What a method needs and the program cannot give is a BuildError that names the method.

import { compileSync, inline, ops as P, trace, type BackendName, type Tracer } from '../../runtime/index.js';
import {
  blockProx,
  constraintBlock,
  graphObjective,
  graphResidual,
  hostProx,
  lagrangianHvp,
  zeroProx,
  type AnyRunnable,
  type GraphRunner,
  type HostProx,
  type Problem,
  type ProxBlock,
} from '../../stdlib/index.js';
import type { CompiledProgram } from '../compile.js';
import { batchObjective } from './solve_batch.js';
import { bilevelFacet } from './bilevel_problem.js';
import { BuildError, type BuiltProblem } from './solve_problem.js';

/** Separable convex terms whose prox composes with a box by clipping. */
const CLIPS = new Set(['norm1', 'ridge', 'elastic_net']);

export function problemFor(
  compiled: CompiledProgram,
  pb: BuiltProblem,
  method: AnyRunnable,
  options: Readonly<Record<string, unknown>>,
  runner: GraphRunner | undefined,
  fuse?: { backend: BackendName; clock: { ms: number } },
): Problem {
  const needs = new Set(method.needs(options as never));
  const smooth = graphObjective(pb.smooth, pb.n, runner);
  // The compiled objective is the whole objective; it is the smooth part when there is no prox term.
  const whole = !pb.prox.length && compiled.objective;
  const base = whole ? compiled.objective! : smooth;
  const p: Problem = { n: pb.n, evaluate: (x, step) => base.evaluate(x, step), value: smooth.value, hvp: smooth.hvp };
  if (whole && fuse && !needs.has('batch')) p.compileStep = stepCompiler(compiled, fuse.backend, fuse.clock);
  if (needs.has('residual')) {
    if (!pb.residual)
      throw new BuildError(
        null,
        `${method.name} needs an objective of the form \`c * sumsq(r)\` (c > 0)`,
        'lbfgs takes any smooth objective',
      );
    p.residual = graphResidual(pb.residual, pb.n, runner);
  }
  if (needs.has('prox')) p.prox = proxOfProblem(pb);
  if (needs.has('bounds')) Object.assign(p, boundsOf(pb, false));
  if (needs.has('constraints')) Object.assign(p, constraintsOf(pb, runner, needs.has('bounds')));
  if (needs.has('bilevel')) p.bilevel = bilevelFacet(compiled, pb, runner);
  if (needs.has('batch')) {
    const b = batchObjective(compiled, pb, runner);
    if (typeof b === 'string')
      throw new BuildError(
        compiled.checked.solve?.span ?? null,
        `batch = adaptive(...): ${b}`,
        'adaptive batches need an objective that is a sum (or mean) over the rows of its data; see docs/optimization.md',
      );
    p.batch = b;
  }
  return p;
}

/**
 * Problem.compileStep for a program: the step function traced with the compiled objective graph
 * (over theta and the data) inlined where it calls `f`, compiled on the program's backend with the
 * data bound once as the plan's data inputs (preprocessing of data runs once, not per step). The
 * time it takes goes to `clock` (the run reports it as compile time).
 */
function stepCompiler(
  compiled: CompiledProgram,
  backend: BackendName,
  clock: { ms: number },
): NonNullable<Problem['compileStep']> {
  const objective = compiled.graphs.objective!;
  const data = compiled.internals.dataArrays;
  const dataSpecs = objective.inAvals.slice(1);
  return (fn, sig) => {
    const t0 = performance.now();
    const k = sig.length;
    const graph = trace(
      (...ins: Tracer[]) => fn((x) => inline(objective, [x, ...ins.slice(k)])[0]!, ...ins.slice(0, k)),
      [...sig, ...dataSpecs],
    );
    const exe = compileSync(graph, { backend, dataInputs: data.map((_, i) => k + i), data });
    clock.ms += performance.now() - t0;
    return (...inputs) =>
      exe
        .run(
          inputs.map((x, i) => ({
            data: typeof x === 'number' ? Float64Array.of(x) : x instanceof Float64Array ? x : new Float64Array(x),
            shape: sig[i]!,
          })),
        )
        .map((o) => (o.data instanceof Float64Array ? o.data : Float64Array.from(o.data)));
  };
}

const hasBounds = (pb: BuiltProblem) => pb.lower.some((v) => v > -Infinity) || pb.upper.some((v) => v < Infinity);

/** Bounds (a simplex var adds its `>= 0` when `simplexBounds`); none when nothing is bounded. */
function boundsOf(pb: BuiltProblem, simplexBounds: boolean): Pick<Problem, 'lower' | 'upper'> {
  const lower = Float64Array.from(pb.lower),
    upper = Float64Array.from(pb.upper);
  if (simplexBounds)
    for (const v of pb.simplex)
      for (let j = 0; j < v.size; j++) lower[v.offset + j] = Math.max(lower[v.offset + j]!, 0);
  const any = hasBounds(pb) || (simplexBounds && pb.simplex.length > 0);
  return any ? { lower, upper } : {};
}

/** c_E (the program's equalities, then `sum = 1` per simplex var), c_I, and the Lagrangian's Hessian products. */
function constraintsOf(pb: BuiltProblem, runner: GraphRunner | undefined, bounds: boolean): Partial<Problem> {
  const simplexRows = (x: Tracer) =>
    P.concat(pb.simplex.map((v) => P.reshape(P.sub(P.sum(P.slice(x, [v.offset], [v.offset + v.size])), 1), [1])));
  const parts = [pb.eq, pb.simplex.length ? simplexRows : null].filter((f): f is (x: Tracer) => Tracer => !!f);
  const eq = parts.length
    ? (x: Tracer) => (parts.length === 1 ? parts[0]!(x) : P.concat(parts.map((f) => P.reshape(f(x), [-1]))))
    : null;
  const out: Partial<Problem> = bounds ? boundsOf(pb, true) : {};
  if (eq) {
    out.eq = constraintBlock(eq, pb.n, runner);
    out.lagHvp = lagrangianHvp(pb.smooth, eq, pb.n, out.eq.m, runner);
  }
  if (pb.ineq) out.ineq = constraintBlock(pb.ineq, pb.n, runner);
  return out;
}

/** The prox of the nonsmooth part: each term on its var's slice, sets as projections. */
function proxOfProblem(pb: BuiltProblem): HostProx {
  const blocks: ProxBlock[] = [];
  const boxOf = (v: { offset: number; size: number }) => {
    const lo = Array.from(pb.lower.subarray(v.offset, v.offset + v.size)),
      hi = Array.from(pb.upper.subarray(v.offset, v.offset + v.size));
    return lo.some((x) => x > -Infinity) || hi.some((x) => x < Infinity) ? { lower: lo, upper: hi } : null;
  };
  const taken = new Set<string>();
  for (const t of pb.prox) {
    let term = hostProx(t.op, t.options, t.op === 'nuclear' ? t.shape : [t.size]);
    const box = boxOf(t);
    if (box || pb.simplex.some((v) => v.name === t.name)) {
      if (!box || !CLIPS.has(t.op))
        throw new BuildError(
          null,
          `\`${t.term}\` together with the set of \`${t.name}\` has no prox here`,
          'a box composes with norm1, ridge and elastic_net; put the set on another var or write it as a constraint',
        );
      term = clipped(term, box.lower, box.upper);
    }
    blocks.push({ offset: t.offset, size: t.size, term });
    taken.add(t.name);
  }
  for (const v of pb.vars) {
    if (taken.has(v.name)) continue;
    const box = boxOf(v);
    const simplex = pb.simplex.some((s) => s.name === v.name);
    if (simplex && box)
      throw new BuildError(null, `\`${v.name}\` is a simplex and has bounds; write the bounds as constraints (auglag)`);
    if (simplex) blocks.push({ offset: v.offset, size: v.size, term: hostProx('simplex', { radius: 1 }, [v.size]) });
    else if (box) blocks.push({ offset: v.offset, size: v.size, term: hostProx('box', box, [v.size]) });
  }
  return blocks.length ? blockProx(blocks) : zeroProx;
}

/** prox of h + indicator(box) for a separable convex h: the box's clip of h's prox. */
function clipped(h: HostProx, lo: number[], hi: number[]): HostProx {
  const clip = (z: Float64Array) => z.map((v, i) => Math.min(Math.max(v, lo[i]!), hi[i]!));
  const inside = (x: Float64Array) =>
    x.every(
      (v, i) =>
        v >= lo[i]! - 1e-12 * Math.max(1, Math.abs(lo[i]!)) && v <= hi[i]! + 1e-12 * Math.max(1, Math.abs(hi[i]!)),
    );
  const out: HostProx = { prox: (x, t) => clip(h.prox(x, t)), value: (x) => (inside(x) ? h.value(x) : Infinity) };
  if (h.proxDiag) out.proxDiag = (x, t) => clip(h.proxDiag!(x, t));
  return out;
}
