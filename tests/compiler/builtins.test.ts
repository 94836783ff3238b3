// Every built-in function, table-driven: its lowering against a plain-JS reference on sample
// inputs, its result shape against its type rule, and its argument checking (arity, names).
// The table must cover every entry of BUILTINS, so a new built-in cannot land untested.

import { describe, expect, it } from 'vitest';
import { ops as P, trace, runRef, type Tracer } from '../../runtime/index.js';
import { BUILTINS, builtinTable } from '../../compiler/front/builtins.js';
import { dimOf } from '../../compiler/front/static_types.js';
import { check } from '../../index.js';
import { ROWS } from './builtin_rows.js';

const close = (actual: number, expected: number, tol: number) =>
  Number.isNaN(expected)
    ? Number.isNaN(actual)
    : !Number.isFinite(expected)
      ? actual === expected
      : Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));

describe('built-in functions', () => {
  it('no two built-ins share a name', () => {
    expect(new Set(BUILTINS.map((b) => b.name)).size).toBe(BUILTINS.length);
  });

  it('every built-in has rows in this table', () => {
    expect(Object.keys(ROWS).sort()).toEqual(BUILTINS.map((b) => b.name).sort());
  });

  for (const [name, rows] of Object.entries(ROWS)) {
    rows.forEach((row, k) => {
      it(`${name} #${k}: lowering matches the reference and the type rule's shape`, () => {
        const b = builtinTable.get(name)!;
        if (row.refuses) {
          const t = b.type({ expr: `${name}(...)`, args: [], axis: null, fns: [], nums: [], restCount: 0 });
          expect(t).toMatch(row.refuses);
          return;
        }
        const g = trace(
          (...xs: Tracer[]) => {
            const w = row.wrtCount ?? 0;
            const r = b.lower({
              args: xs.slice(w),
              axis: row.axis,
              ints: row.ints ?? [],
              nums: row.nums ?? [],
              fns: row.fns ?? [],
              restCount: row.restCount ?? 0,
              ...(row.body ? { body: row.body, wrt: xs.slice(0, w) } : {}),
            });
            return typeof r === 'number' ? P.full([], r) : r;
          },
          row.args.map((a) => a.shape),
        );
        const [out] = runRef(
          g,
          row.args.map((a) => ({ data: Float64Array.from(a.data), shape: a.shape })),
        );
        expect([...out!.shape]).toEqual(row.out.shape);
        Array.from(out!.data).forEach((x, i) =>
          expect(close(x, row.out.data[i]!, row.tol ?? 1e-10), `entry ${i}: ${x} vs ${row.out.data[i]}`).toBe(true),
        );
        const ty = b.type({
          expr: `${name}(...)`,
          args: [
            ...(row.bodyShape ? [{ shape: row.bodyShape.map(dimOf), text: 'e', elem: 'real' as const }] : []),
            ...row.args.map((a, i) => ({
              shape: a.shape.map(dimOf),
              text: `a${i}`,
              elem: row.elems?.[i] ?? ('real' as const),
            })),
            ...(row.ints ?? []).map((n, i) => ({ shape: [], text: `n${i}`, elem: 'int' as const, static: n })),
          ],
          axis: row.axis ?? null,
          fns: row.fnTypes ?? [],
          nums: row.nums?.map((n) => n ?? null) ?? [],
          restCount: row.restCount ?? 0,
        });
        expect(typeof ty).toBe('object');
        if (typeof ty === 'object') expect(ty.shape.map((d) => d.value)).toEqual(row.out.shape);
      });
    });
  }

  const errors: [string, RegExp][] = [
    ['exp(x, x)', /exp takes 1 argument, got 2/],
    ['dot(x)', /dot needs 2 arguments, got 1: `b` is missing/],
    ['sum(x, axes = 0)', /sum has no argument `axes`/],
    ['sum(x, axis = 1)', /axis 1 is out of range for x, which is \[3\]/],
    ['sum(x, axis = k)', /the axis must be an integer literal/],
    ['trace(x)', /trace takes a square matrix/],
    ['dot(x, [1, 2])', /the lengths 3 and 2 must be equal/],
    ['group_norm(x, x)', /the groups x must be an int vector of group ids/],
    ['group_norm(x, [0, 1])', /has 2 group ids; x has 3 entries/],
    ['sparse_envelope(x, k = 0)', /k \(0\) must be an int >= 1/],
  ];
  for (const [expr, re] of errors) {
    it(`rejects ${expr}`, () => {
      const c = check({ source: `data { k: int }\nvar x: real[3]\nminimize sum(${expr})`, file: 'b.opt' });
      expect(c.messages.map((m) => m.message).join('\n')).toMatch(re);
    });
  }
});
