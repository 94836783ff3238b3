// The `.opt` spellings of the prox registry's terms, table-driven: each spelling compiles to the
// right prox term (the decomposition `check` reports, and the registry entry the built-in maps
// to), and a denoising problem 0.5 ||x - y||^2 + lambda * TERM solves to the stdlib's answer
// prox_{lambda TERM}(y) (fista's first step from any start is exactly that prox at t = 1).
// The value semantics of each spelling (used in a smooth context) agree with the registry's value.

import { describe, expect, it } from 'vitest';
import { check, run } from '../../index.js';
import { BUILTINS, groupsFromIds } from '../../compiler/front/builtins.js';
import { lookupProx, valueOf } from '../../stdlib/prox/registry.js';
import { hostProx } from '../../stdlib/prox/host.js';
import { ops as P, trace, runRef } from '../../runtime/index.js';

const y = [1.5, -0.2, 0.7, -2.4, 0.05, 1.1, -0.9, 0.3];
const w = [1, 0, 2, 0.5, 1, 3, 0.2, 1];
const groups = [0, 0, 1, 1, 1, 2, 3, 3];
const gw = [1, 2, 0.5, 1];
const lam = 0.6;

interface Row {
  name: string;
  term: string;
  prox: string;
  op: string;
  options: Record<string, unknown>;
  /** Extra smooth part and how it changes the reference (elastic net). */
  extra?: string;
  ref?: (y: number[]) => number[];
}

const G = groupsFromIds(groups, 8);
const ROWS: Row[] = [
  { name: 'l1', term: 'norm1(x)', prox: 'l1 (soft thresholding)', op: 'norm1', options: {} },
  {
    name: 'weighted l1, norm1(w * x)',
    term: 'norm1(w * x)',
    prox: 'weighted l1 (soft thresholding per coordinate)',
    op: 'norm1',
    options: { weights: w },
  },
  {
    name: 'weighted l1, sum(w * abs(x))',
    term: 'sum(w * abs(x))',
    prox: 'weighted l1 (soft thresholding per coordinate)',
    op: 'norm1',
    options: { weights: w },
  },
  {
    name: 'weighted l1, sum(abs(x) * w)',
    term: 'sum(abs(x) * w)',
    prox: 'weighted l1 (soft thresholding per coordinate)',
    op: 'norm1',
    options: { weights: w },
  },
  {
    name: 'elastic net as l1 + smooth ridge',
    term: 'norm1(x)',
    extra: ' + 0.35 * sumsq(x)',
    prox: 'l1 (soft thresholding)',
    op: 'norm1',
    options: {},
    ref: (v) => Array.from(hostProx('elastic_net', { l1: lam, l2: 0.7 }, [8]).prox(Float64Array.from(v), 1)),
  },
  {
    name: 'group lasso over user groups',
    term: 'group_norm(x, groups)',
    prox: 'group l2 over user groups (block soft thresholding per group)',
    op: 'group_lasso',
    options: { groups: G },
  },
  {
    name: 'group lasso with group weights',
    term: 'group_norm(x, groups, gw)',
    prox: 'group l2 over user groups (block soft thresholding per group)',
    op: 'group_lasso',
    options: { groups: G, weights: gw },
  },
  { name: 'hard threshold (l0)', term: 'norm0(x)', prox: 'l0 (hard thresholding; nonconvex)', op: 'l0', options: {} },
  {
    name: 'sparse envelope',
    term: 'sparse_envelope(x, k = 3)',
    prox: 'sparse envelope S_k (sort and search)',
    op: 'sparse_envelope',
    options: { k: 3 },
  },
  {
    name: 'wgsef',
    term: 'wgsef(x, groups, k = 2)',
    prox: 'weighted group sparse envelope (WGSEF)',
    op: 'wgsef',
    options: { groups: G, k: 2 },
  },
  {
    name: 'wgsef with weights',
    term: 'wgsef(x, groups, 2, gw)',
    prox: 'weighted group sparse envelope (WGSEF)',
    op: 'wgsef',
    options: { groups: G, k: 2, weights: gw },
  },
  {
    name: 'wgsef_gap',
    term: 'wgsef_gap(x, groups, k = 2)',
    prox: 'sparse-envelope gap (nonconvex; zero iff at most k groups are nonzero)',
    op: 'wgsef_gap',
    options: { groups: G, k: 2 },
  },
];

const data = { y, w, groups, gw, lam };
const source = (r: Row) =>
  `data { y: real[8]\n w: real[8]\n groups: int[8]\n gw: real[4]\n lam: real }\nvar x: real[8]\nminimize 0.5 * sumsq(x - y) + lam * ${r.term}${r.extra ?? ''}\nsolve fista(steps = 2000, tol = 1e-12)\n`;

describe('prox spellings', () => {
  it('every prox built-in names a registry entry (one table: builtins.ts prox.op)', () => {
    for (const b of BUILTINS) if (b.prox) expect(lookupProx(b.prox.op), b.name).toBeDefined();
  });

  it.each(ROWS)('$name: `$term` -> $op', async (r) => {
    const c = check({ source: source(r), file: 'spelling.opt' });
    expect(c.messages.filter((m) => m.severity === 'error')).toEqual([]);
    expect(c.decomposition!.prox).toEqual([{ term: `lam * ${r.term}`, var: 'x', prox: r.prox }]);
    expect(c.algorithm!.name).toBe('fista');
    const res = await run({ source: source(r), file: 'spelling.opt' }, { data, backend: 'ref' });
    expect(res.status).toBe('converged');
    const want = r.ref
      ? r.ref(y)
      : Array.from(hostProx(r.op, { lambda: lam, ...r.options }, [8]).prox(Float64Array.from(y), 1));
    (res.values.x as number[]).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 8));
  });

  it.each(ROWS.filter((r) => !r.extra))(
    '$name: the value of `$term` in a smooth context is the registry value',
    async (r) => {
      const x = [0.3, -1.2, 0, 0.8, 2.1, -0.4, 0, 0.05];
      const src = `data { y: real[8]\n w: real[8]\n groups: int[8]\n gw: real[4]\n lam: real }\nvar x: real[8]\nminimize sumsq(x - y)\n`;
      // The term's value, reported through `proxima graph`-style lowering: evaluate via a data-only objective.
      const res = await run(
        {
          source: src.replace(
            'var x: real[8]\nminimize sumsq(x - y)',
            `data { x0: real[8] }\nvar z: real\nminimize (z - ${r.term.replaceAll('x', 'x0').replace('x0, groups', 'x0, groups')})^2`,
          ),
          file: 'value.opt',
        },
        { data: { ...data, x0: x }, backend: 'ref' },
      );
      const want = valueOf(r.op, { lambda: 1, ...r.options });
      const g = trace(() => want(P.constant(x, 'float64', [8])), []);
      const v = runRef(g, [])[0]!.data[0]!;
      expect(res.values.z as number).toBeCloseTo(v, 6);
    },
  );

  it.each([
    [
      'sum(w * abs(x))',
      { w: [1, -1, 0, 1] },
      /the weight `w` is -1 at entry 1; the weights of an l1 term must be >= 0/,
    ],
    ['group_norm(x, g)', { g: [0, -1, 1, 1] }, /group id -1 at entry 1 is not an int >= 0/],
    ['group_norm(x, g, gw)', { g: [0, 0, 1, 1], gw: [1] }, /no weight for group id 1/],
  ])('`%s` with bad data is a run error naming the term', async (term, extra, re) => {
    const src = `data { y: real[4]\n w: real[4]\n g: int[4]\n gw: real[1] }\nvar x: real[4]\nminimize 0.5 * sumsq(x - y) + ${term}\n`;
    const r = await run(
      { source: src, file: 'bad.opt' },
      { data: { y: [1, 2, 3, 4], w: [1, 1, 1, 1], g: [0, 0, 1, 1], gw: [1], ...extra } },
    );
    expect(r.status).toBe('error');
    expect(r.messages.at(-1)!.message).toMatch(re);
  });
});
