// Distribution arguments outside their parameter's domain, named at run time. A constant one
// (`Normal(0, -1)`) is a `check` error (front/check_expr.ts); one that depends on data or
// params is found here: when a model's log density is not finite at a point (the start, or
// where a run diverged), a site-checking graph counts, for every `~` statement and each of its
// distribution's parameters, the entries outside the parameter's constraint (a scale <= 0, a
// probability outside [0, 1], a non-finite location, a probability vector off the simplex),
// and each nonzero count becomes an error at that statement. The graph is traced only when
// needed, from the same lowering as the log density (a `~` inside a loop accumulates through
// the loop's carry, like the target).

import { ops as P, simplify, trace, type Tracer } from '../../runtime/index.js';
import type { Stmt } from '../../grammar/index.js';
import type { DistSpec } from '../../stdlib/index.js';
import type { CompiledProgram } from '../compile.js';
import { SITES, TARGET, type DistV, type LV } from '../lower/lower.js';
import { messageAt, type Message } from '../messages.js';
import { sourceText } from '../front/source_text.js';
import { prepare } from './backend_seam.js';

type Sample = Extract<Stmt, { kind: 'Sample' }>;

/** Parameters checked per site (no distribution has more). */
const SLOTS = 8;

const WORDS: Partial<Record<string, string>> = {
  positive: '> 0',
  nonnegative: '>= 0',
  unit_interval: 'in [0, 1]',
  simplex: 'a simplex (entries >= 0 that sum to 1)',
  real: 'finite',
};

interface SiteGraph {
  sites: Sample[];
  specs: Map<number, DistSpec>;
  run(x: Float64Array): Float64Array;
}

const cache = new WeakMap<CompiledProgram, Promise<SiteGraph | null>>();

/** Errors for the `~` statements whose distribution arguments are outside their domain at x. */
export async function siteProblems(compiled: CompiledProgram, x: Float64Array, when: string): Promise<Message[]> {
  let g = cache.get(compiled);
  if (!g) cache.set(compiled, (g = siteGraph(compiled)));
  const sg = await g;
  if (!sg) return [];
  const counts = sg.run(x);
  const out: Message[] = [];
  for (let i = 0; i < sg.sites.length; i++) {
    const spec = sg.specs.get(i);
    if (!spec) continue;
    for (let j = 0; j < Math.min(SLOTS, spec.params.length); j++) {
      const n = counts[i * SLOTS + j]!;
      if (!n) continue;
      const p = spec.params[j]!;
      const st = sg.sites[i]!;
      const values = n === 1 ? 'it is not' : `it is not, in ${n} entries`;
      out.push(
        messageAt(
          'error',
          st.span,
          `\`${sourceText(compiled.sources, st.span)}\`: the ${p.name} of ${spec.name} must be ${WORDS[p.constraint] ?? p.constraint}, but ${when} ${values}`,
          'if it depends on a param, give that param a domain (e.g. `real > 0`); if on data, check the data',
        ),
      );
    }
  }
  return out;
}

async function siteGraph(compiled: CompiledProgram): Promise<SiteGraph | null> {
  const model = compiled.checked.model;
  if (!model) return null;
  const sites = samplesIn(model.body);
  if (!sites.length) return null;
  const index = new Map(sites.map((s, i) => [s, i]));
  const specs = new Map<number, DistSpec>();
  const { kit, dataArrays } = compiled.internals;
  const size = sites.length * SLOTS;
  const g = trace((theta: Tracer, ...data: Tracer[]) => {
    const { env, low } = kit.setup(data);
    kit.unpack(theta, env, low);
    const menv = env.child();
    menv.set(TARGET, { kind: 'state', v: 0 });
    menv.set(SITES, { kind: 'state', v: P.zeros([size]) });
    low.onSite = (st, dist, e) => {
      const i = index.get(st);
      const b = e.get(SITES);
      if (i === undefined || !b || b.kind !== 'state') return;
      specs.set(i, dist.spec);
      const row = new Float64Array(size);
      const counts: Tracer[] = [];
      dist.spec.params.slice(0, SLOTS).forEach((p, j) => {
        row.fill(0);
        row[i * SLOTS + j] = 1;
        counts.push(P.mul(P.constant(Float64Array.from(row), 'float64', [size]), outside(dist, j, p.constraint)));
      });
      b.v = counts.reduce((acc: Tracer, c) => P.add(acc, c), b.v as Tracer);
    };
    try {
      low.stmts(model.body, menv);
    } finally {
      low.onSite = undefined;
    }
    return [(menv.get(SITES) as { v: LV }).v as Tracer];
  }, kit.specs as never);
  const exe = await prepare(simplify(g), 'ref', 1, dataArrays);
  return {
    sites,
    specs,
    run: (x) => Float64Array.from(exe.run([{ data: x, shape: [x.length] }])[0]!.data),
  };
}

/** How many entries of the distribution's j-th parameter are outside its constraint (a float scalar). */
function outside(dist: DistV, j: number, constraint: string): Tracer {
  const x = P.cast(dist.params[j]!, 'float64');
  const count = (bad: Tracer) => P.sum(P.cast(bad, 'float64'));
  switch (constraint) {
    case 'positive':
      return count(P.not(P.gt(x, 0)));
    case 'nonnegative':
      return count(P.not(P.ge(x, 0)));
    case 'unit_interval':
      return count(P.not(P.and(P.ge(x, 0), P.le(x, 1))));
    case 'real':
      return count(P.not(P.lt(P.abs(x), Infinity)));
    case 'simplex':
      return P.add(count(P.not(P.ge(x, 0))), count(P.not(P.le(P.abs(P.sub(P.sum(x, -1), 1)), 1e-6))));
    default:
      return P.zeros([]);
  }
}

/** Every `~` statement of a model, loops included, in source order. */
function samplesIn(body: readonly Stmt[]): Sample[] {
  const out: Sample[] = [];
  const stack: Stmt[] = [...body].reverse();
  while (stack.length) {
    const st = stack.pop()!;
    if (st.kind === 'Sample') out.push(st);
    else if (st.kind === 'For') for (let k = st.body.length - 1; k >= 0; k--) stack.push(st.body[k]!);
  }
  return out;
}
