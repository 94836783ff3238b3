// The tensor layout of enumerated choices (Pyro's convention, right-aligned).
//
// A tensor's last `plateRank` axes are plate (batch) axes: independent copies of a site, aligned
// right. Each enumerated or measure-valued-derivative (MVD) site gets a fresh axis to the left
// of them: dim j lives at axis -(plateRank + 1 + j). A value or log-density that depends on dim j
// has its size there; one that does not has size 1 (or lacks the axis), so ordinary
// broadcasting evaluates the rest of the program once per branch, with no loop.
//
// Invariant (as in Pyro): a program must not reduce over a plate axis a value that depends on an
// enumerated site inside that plate; each copy's branches stay in that copy's column.

import { ops as P, type Tracer } from '../../runtime/index.js';

export interface EnumDim {
  /** Allocation index j. */
  j: number;
  site: string;
  kind: 'enum' | 'mvd';
  /** Entries along the axis: S for enum; 1 + S for mvd (entry 0 is the sampled value). */
  size: number;
}

export class DimLayout {
  readonly dims: EnumDim[] = [];
  constructor(readonly plateRank: number) {}

  alloc(site: string, kind: 'enum' | 'mvd', size: number): EnumDim {
    const d = { j: this.dims.length, site, kind, size };
    this.dims.push(d);
    return d;
  }

  /** Rank of a tensor that holds every allocated dim. */
  get rank(): number {
    return this.plateRank + this.dims.length;
  }

  /** Axis of dim j in a tensor of rank `rank`. */
  axis(j: number, rank = this.rank): number {
    return rank - this.plateRank - 1 - j;
  }

  plateAxes(rank = this.rank): number[] {
    return Array.from({ length: this.plateRank }, (_, i) => rank - this.plateRank + i);
  }

  /** t reshaped (leading ones) to full rank. */
  full(t: Tracer): Tracer {
    if (t.rank > this.rank)
      throw new Error(
        `a value of shape [${t.shape}] has more axes than the ${this.plateRank} plate axes and ${this.dims.length} enumeration axes allow (raise plateRank)`,
      );
    return t.rank === this.rank ? t : P.reshape(t, [...new Array(this.rank - t.rank).fill(1), ...t.shape]);
  }

  /** Shape [size, 1 x j, 1 x plateRank] holding `vals` [size] along dim j. */
  column(vals: Tracer, j: number): Tracer {
    return P.reshape(vals, [vals.shape[0]!, ...new Array(j + this.plateRank).fill(1)]);
  }

  /** Whether a full-rank tensor varies along dim j. */
  has(t: Tracer, j: number): boolean {
    return t.shape[this.axis(j, t.rank)]! > 1;
  }

  /** Entry i along dim j (kept as a size-1 axis). */
  pick(t: Tracer, j: number, i: number): Tracer {
    if (!this.has(t, j)) return t;
    const a = this.axis(j, t.rank);
    return P.slice(
      t,
      t.shape.map((_, k) => (k === a ? i : 0)),
      t.shape.map((s, k) => (k === a ? i + 1 : s)),
    );
  }
}
