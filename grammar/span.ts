// Source spans: where a node or diagnostic sits in a file.
// Invariants: line and col are 1-based; `end`, `endLine` and `endCol` are exclusive, so a
// zero-width span (an insertion point) has start === end and col === endCol. Offsets are
// UTF-16 code unit indices into the source string, which is what JavaScript strings index by.

export interface Span {
  /** The file name exactly as the caller gave it to `parse`. */
  file: string;
  /** Offset of the first character. */
  start: number;
  /** Offset one past the last character. */
  end: number;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

/** The smallest span covering both `a` and `b` (which must be in the same file). */
export function joinSpans(a: Span, b: Span): Span {
  const first = a.start <= b.start ? a : b;
  const last = a.end >= b.end ? a : b;
  return {
    file: a.file,
    start: first.start,
    end: last.end,
    line: first.line,
    col: first.col,
    endLine: last.endLine,
    endCol: last.endCol,
  };
}

/**
 * Maps offsets to line/column for one source text. Built once per file so that spans for
 * multi-line tokens and synthetic positions cost a binary search, not a rescan.
 */
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(
    readonly file: string,
    readonly source: string,
  ) {
    for (let i = 0; i < source.length; i++) {
      if (source.charCodeAt(i) === 10) this.starts.push(i + 1);
    }
  }

  /** 1-based line and column of an offset (clamped into the text). */
  position(offset: number): { line: number; col: number } {
    const off = Math.max(0, Math.min(offset, this.source.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: off - this.starts[lo]! + 1 };
  }

  span(start: number, end: number): Span {
    const s = this.position(start);
    const e = this.position(Math.max(start, end));
    return {
      file: this.file,
      start,
      end: Math.max(start, end),
      line: s.line,
      col: s.col,
      endLine: e.line,
      endCol: e.col,
    };
  }

  /** The text of a 1-based line, without its line terminator. */
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return '';
    const next = this.starts[line];
    let end = next === undefined ? this.source.length : next - 1;
    if (end > start && this.source.charCodeAt(end - 1) === 13) end--;
    return this.source.slice(start, end);
  }
}
