// Sorting and top-k along the last axis of a [batch, n] array.
// Conventions (identical on every backend, so results are reproducible):
//   - sort is stable: equal values keep their original index order, in both
//     directions; -0 and +0 compare equal;
//   - NaNs always go last (after the numbers), in both directions, in index
//     order;
//   - topK(k) returns exactly the first k entries of the descending sort:
//     largest first, ties by lower index, NaNs only if fewer than k numbers;
//   - values come back in the input's float kind; indices are Int32Array.
// Each call allocates its outputs plus one scratch buffer; the loops
// themselves allocate nothing.

export interface SortResult<T extends Float32Array | Float64Array> {
  values: T;
  indices: Int32Array;
}

type FloatArray = Float32Array | Float64Array;

function like<T extends FloatArray>(x: T, len: number): T {
  return (x instanceof Float32Array ? new Float32Array(len) : new Float64Array(len)) as T;
}

export function sort(x: Float32Array, batch: number, n: number, descending?: boolean): SortResult<Float32Array>;
export function sort(x: Float64Array, batch: number, n: number, descending?: boolean): SortResult<Float64Array>;
export function sort(x: FloatArray, batch: number, n: number, descending = false): SortResult<FloatArray> {
  const values = like(x, batch * n);
  const indices = new Int32Array(batch * n);
  const scratch = new Int32Array(n);
  for (let b = 0; b < batch; b++) {
    const off = b * n;
    // Numbers to the front, NaNs to the back, both in index order.
    let lo = 0;
    let nanCount = 0;
    for (let i = 0; i < n; i++) {
      if (x[off + i] !== x[off + i]) scratch[nanCount++] = i;
      else indices[off + lo++] = i;
    }
    for (let i = 0; i < nanCount; i++) indices[off + lo + i] = scratch[i];
    mergeSortIndices(x, off, indices, off, lo, scratch, descending);
    for (let i = 0; i < n; i++) values[off + i] = x[off + indices[off + i]];
  }
  return { values, indices };
}

const RUN = 16;

// Bottom-up merge sort of idx[start .. start+len) by key[base + idx], stable
// (insertion-sorted runs, left run wins ties). Keys are NaN-free here.
function mergeSortIndices(
  key: FloatArray,
  base: number,
  idx: Int32Array,
  start: number,
  len: number,
  tmp: Int32Array,
  desc: boolean,
): void {
  for (let r = 0; r < len; r += RUN) {
    const end = Math.min(r + RUN, len);
    for (let i = r + 1; i < end; i++) {
      const v = idx[start + i];
      const kv = key[base + v];
      let j = i - 1;
      while (j >= r) {
        const kj = key[base + idx[start + j]];
        if (desc ? kj < kv : kj > kv) {
          idx[start + j + 1] = idx[start + j];
          j--;
        } else break;
      }
      idx[start + j + 1] = v;
    }
  }
  let src = idx;
  let srcOff = start;
  let dst = tmp;
  let dstOff = 0;
  for (let width = RUN; width < len; width *= 2) {
    for (let lo = 0; lo < len; lo += 2 * width) {
      const mid = Math.min(lo + width, len);
      const hi = Math.min(lo + 2 * width, len);
      let i = lo;
      let j = mid;
      let o = lo;
      while (i < mid && j < hi) {
        const ki = key[base + src[srcOff + i]];
        const kj = key[base + src[srcOff + j]];
        // Take from the right run only when strictly better: stability.
        if (desc ? kj > ki : kj < ki) dst[dstOff + o++] = src[srcOff + j++];
        else dst[dstOff + o++] = src[srcOff + i++];
      }
      while (i < mid) dst[dstOff + o++] = src[srcOff + i++];
      while (j < hi) dst[dstOff + o++] = src[srcOff + j++];
    }
    const s = src;
    const so = srcOff;
    src = dst;
    srcOff = dstOff;
    dst = s;
    dstOff = so;
  }
  if (src !== idx) for (let i = 0; i < len; i++) idx[start + i] = src[srcOff + i];
}

export function topK(x: Float32Array, batch: number, n: number, k: number): SortResult<Float32Array>;
export function topK(x: Float64Array, batch: number, n: number, k: number): SortResult<Float64Array>;
export function topK(x: FloatArray, batch: number, n: number, k: number): SortResult<FloatArray> {
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new RangeError(`topK: k must be an integer in [0, ${n}], got ${k}`);
  }
  const values = like(x, batch * k);
  const indices = new Int32Array(batch * k);
  // Min-heap (worst entry at the root) of the best k seen so far: O(n log k).
  const heap = new Int32Array(k);
  for (let b = 0; b < batch; b++) {
    const off = b * n;
    if (k === 0) continue;
    for (let i = 0; i < k; i++) {
      heap[i] = i;
      siftUp(x, off, heap, i);
    }
    for (let i = k; i < n; i++) {
      if (better(x, off, i, heap[0])) {
        heap[0] = i;
        siftDown(x, off, heap, k);
      }
    }
    // Pop worst-first into the tail of the output slice.
    const oo = b * k;
    for (let size = k; size > 0; size--) {
      const top = heap[0];
      indices[oo + size - 1] = top;
      values[oo + size - 1] = x[off + top];
      heap[0] = heap[size - 1];
      siftDown(x, off, heap, size - 1);
    }
  }
  return { values, indices };
}

// Total order of the descending sort: larger number first, NaN after all
// numbers, ties (including NaN vs NaN) by lower index.
function better(x: FloatArray, off: number, i: number, j: number): boolean {
  const a = x[off + i];
  const b = x[off + j];
  if (a > b) return true;
  if (a < b) return false;
  const an = a !== a;
  const bn = b !== b;
  if (an !== bn) return bn;
  return i < j;
}

function siftUp(x: FloatArray, off: number, heap: Int32Array, pos: number): void {
  const v = heap[pos];
  while (pos > 0) {
    const parent = (pos - 1) >> 1;
    const pv = heap[parent];
    if (!better(x, off, pv, v)) break;
    heap[pos] = pv;
    pos = parent;
  }
  heap[pos] = v;
}

function siftDown(x: FloatArray, off: number, heap: Int32Array, size: number): void {
  if (size === 0) return;
  let pos = 0;
  const v = heap[0];
  for (;;) {
    let child = 2 * pos + 1;
    if (child >= size) break;
    if (child + 1 < size && better(x, off, heap[child], heap[child + 1])) child++;
    if (!better(x, off, v, heap[child])) break;
    heap[pos] = heap[child];
    pos = child;
  }
  heap[pos] = v;
}
