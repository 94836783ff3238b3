// Loop nests for the js backend: a fused region (elementwise values, the views it reads through,
// the reductions it feeds) becomes nested `for` loops over one iteration shape, with every
// operand read at an affine index (offset + sum of counter * stride), so broadcasts, transposes
// and slices are index arithmetic and never copies.
// Invariants: the nest visits the iteration space in row-major order, so a reduction adds its
// elements in the same order as the ref rule (bit-identical sums); size-1 axes are dropped and
// adjacent axes that every access walks contiguously are merged; a value is computed at the
// outermost loop where all of its operands are known (loop-invariant code is hoisted); a value
// used once at its own level is inlined into its consumer, so `select` evaluates only the branch
// it takes.

import type { Access } from '../../prims/rule.js';

/**
 * One value of the nest: an element read from a buffer, or an operation on other values. An op's
 * code must be atomic (a name, a literal, a call or a parenthesized expression), as the rules'
 * `elementwise.js` templates are, so it can be inlined anywhere without more parentheses.
 */
export type LoopNode =
  | { readonly kind: 'load'; readonly buf: string; readonly acc: Access }
  | { readonly kind: 'op'; readonly args: readonly number[]; readonly js: (x: readonly string[]) => string };

export interface LoopStore {
  readonly node: number;
  readonly buf: string;
  readonly acc: Access;
}

export interface LoopReduction extends LoopStore {
  /** Number of output elements (the buffer is filled with `init` when it cannot accumulate locally). */
  readonly size: number;
  readonly init: string;
  readonly js: (acc: string, x: string) => string;
}

export interface LoopNest {
  readonly shape: readonly number[];
  /** In dependency order: an op's args come before it. */
  readonly nodes: readonly LoopNode[];
  readonly stores: readonly LoopStore[];
  readonly reductions: readonly LoopReduction[];
}

/** How often each argument placeholder appears in an op's code (an operand used twice is not inlined). */
function argUses(js: (x: readonly string[]) => string, n: number): number[] {
  const marks = Array.from({ length: n }, (_, i) => `\u0001${i}\u0002`);
  const code = js(marks);
  return marks.map((m) => code.split(m).length - 1);
}

/** Drops size-1 axes and merges axes that every access walks contiguously. */
function collapse(shape: readonly number[], accs: readonly Access[]): { shape: number[]; strides: number[][] } {
  const keep = shape.map((d, i) => i).filter((i) => shape[i] !== 1);
  let dims = keep.map((i) => shape[i]!);
  let strides = accs.map((a) => keep.map((i) => a.strides[i]!));
  for (let d = dims.length - 1; d > 0; d--) {
    if (strides.every((s) => s[d - 1] === s[d]! * dims[d]!)) {
      dims = [...dims.slice(0, d - 1), dims[d - 1]! * dims[d]!, ...dims.slice(d + 1)];
      strides = strides.map((s) => [...s.slice(0, d - 1), s[d]!, ...s.slice(d + 1)]);
    }
  }
  return { shape: dims, strides };
}

/** JavaScript statements running the nest. `uid` keeps names unique within one function. */
export function emitLoopNest(nest: LoopNest, uid: string): string {
  const accs: Access[] = [
    ...nest.nodes.flatMap((n) => (n.kind === 'load' ? [n.acc] : [])),
    ...nest.stores.map((s) => s.acc),
    ...nest.reductions.map((r) => r.acc),
  ];
  const { shape, strides } = collapse(nest.shape, accs);
  const rank = shape.length;
  const accOf = new Map<Access, number>(accs.map((a, i) => [a, i]));
  const lastNonZero = (k: number) => {
    let l = 0;
    strides[k]!.forEach((s, d) => {
      if (s !== 0) l = d + 1;
    });
    return l;
  };

  // Levels: the loop depth at which a value can first be computed.
  const level = nest.nodes.map(() => 0);
  nest.nodes.forEach((n, i) => {
    level[i] = n.kind === 'load' ? lastNonZero(accOf.get(n.acc)!) : Math.max(0, ...n.args.map((a) => level[a]!));
  });
  // Uses, counting stores and reductions (which sit at the innermost level).
  const uses = nest.nodes.map(() => 0);
  const useLevel = nest.nodes.map(() => -1);
  const textual = nest.nodes.map((n) => (n.kind === 'op' ? argUses(n.js, n.args.length) : []));
  nest.nodes.forEach((n, i) => {
    if (n.kind !== 'op') return;
    n.args.forEach((a, k) => {
      uses[a] = uses[a]! + Math.max(1, textual[i]![k]!);
      useLevel[a] = level[i]!;
    });
  });
  for (const s of [...nest.stores, ...nest.reductions]) {
    uses[s.node] = uses[s.node]! + 1;
    useLevel[s.node] = rank;
  }
  const inline = nest.nodes.map((_, i) => uses[i] === 1 && useLevel[i] === level[i]);

  // Reductions accumulate in a local when their reduced axes are exactly the innermost ones.
  const redStart = nest.reductions.map((r) => {
    const s = strides[accOf.get(r.acc)!]!;
    let start = rank;
    while (start > 0 && s[start - 1] === 0) start--;
    return s.slice(0, start).every((v) => v !== 0) ? start : -1;
  });

  const out: string[] = [];
  nest.reductions.forEach((r, j) => {
    if (redStart[j] === -1) out.push(`${r.buf}.fill(${r.init}, 0, ${r.size});`);
  });
  // Index expressions per access at each level.
  const idx: string[][] = accs.map((a) => [String(a.offset)]);
  const expr: string[] = nest.nodes.map(() => '');
  const name = (i: number) => `v${uid}_${i}`;
  const at = (a: Access, l: number) => idx[accOf.get(a)!]![l]!;
  const valueCode = (i: number, l: number): string => {
    const n = nest.nodes[i]!;
    return n.kind === 'load' ? `${n.buf}[${at(n.acc, l)}]` : n.js(n.args.map((a) => expr[a]!));
  };
  const emitValues = (l: number, pad: string) => {
    nest.nodes.forEach((_, i) => {
      if (level[i] !== l) return;
      if (inline[i]) expr[i] = valueCode(i, l);
      else {
        out.push(`${pad}const ${name(i)} = ${valueCode(i, l)};`);
        expr[i] = name(i);
      }
    });
  };
  const walk = (l: number) => {
    const pad = '  '.repeat(l + 1);
    emitValues(l, pad);
    nest.reductions.forEach((r, j) => {
      if (redStart[j] === l) out.push(`${pad}let a${uid}_${j} = ${r.init};`);
    });
    if (l < rank) {
      const i = `i${uid}_${l}`;
      out.push(`${pad}for (let ${i} = 0; ${i} < ${shape[l]}; ${i}++) {`);
      accs.forEach((_, k) => {
        const s = strides[k]![l]!;
        const prev = idx[k]![l]!;
        if (s === 0) idx[k]![l + 1] = prev;
        else if (s === 1 && prev === '0') idx[k]![l + 1] = i;
        else {
          const p = `p${uid}_${k}_${l}`;
          const term = s === 1 ? i : `${i} * ${s}`;
          out.push(`${pad}  const ${p} = ${prev === '0' ? term : `${prev} + ${term}`};`);
          idx[k]![l + 1] = p;
        }
      });
      walk(l + 1);
      out.push(`${pad}}`);
    } else {
      nest.reductions.forEach((r, j) => {
        const v = expr[r.node]!;
        if (redStart[j] === -1) {
          const p = at(r.acc, rank);
          out.push(`${pad}${r.buf}[${p}] = ${r.js(`${r.buf}[${p}]`, v)};`);
        } else out.push(`${pad}a${uid}_${j} = ${r.js(`a${uid}_${j}`, v)};`);
      });
      for (const s of nest.stores) out.push(`${pad}${s.buf}[${at(s.acc, rank)}] = ${expr[s.node]};`);
    }
    nest.reductions.forEach((r, j) => {
      if (redStart[j] === l) out.push(`${pad}${r.buf}[${at(r.acc, l)}] = a${uid}_${j};`);
    });
  };
  walk(0);
  return out.join('\n');
}
