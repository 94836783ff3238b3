// A tfjs namespace for the table's lowerings in which the hot ops call the engine's kernels
// directly (engine.runKernel) instead of going through tfjs's op wrappers, which re-validate
// and convert their arguments on every call (several microseconds per op on wasm). This is safe
// here because a plan only ever passes tensors of the dtypes and shapes the graph was checked
// against; ops whose wrapper does real work (e.g. `where` broadcasting its operands, `sum` of
// bools) keep the wrapper.

import type * as TF from '@tensorflow/tfjs';

type Tensor = TF.Tensor;

export function fastTf(tf: typeof TF): typeof TF {
  const eng = tf.engine();
  const k = (name: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown> = {}): Tensor =>
    eng.runKernel(name, inputs as never, attrs as never) as Tensor;
  const bin = (name: string) => (a: Tensor, b: Tensor) => k(name, { a, b });
  const un = (name: string) => (x: Tensor) => k(name, { x });
  const onGpu = () => {
    const b = tf.getBackend();
    return b === 'webgl' || b === 'webgpu';
  };
  const axes = (ax: number | number[] | undefined, rank: number) =>
    ax === undefined ? [...Array(rank).keys()] : Array.isArray(ax) ? ax : [ax];
  const fast: Partial<Record<keyof typeof TF, unknown>> = {
    add: bin('Add'),
    sub: bin('Sub'),
    mul: bin('Multiply'),
    div: (a: Tensor, b: Tensor) => (a.dtype === 'int32' ? tf.div(a, b) : k('RealDiv', { a, b })),
    maximum: bin('Maximum'),
    minimum: bin('Minimum'),
    pow: bin('Pow'),
    less: bin('Less'),
    lessEqual: bin('LessEqual'),
    greater: bin('Greater'),
    greaterEqual: bin('GreaterEqual'),
    equal: bin('Equal'),
    notEqual: bin('NotEqual'),
    logicalAnd: bin('LogicalAnd'),
    logicalOr: bin('LogicalOr'),
    logicalNot: un('LogicalNot'),
    neg: un('Neg'),
    exp: un('Exp'),
    log: un('Log'),
    log1p: un('Log1p'),
    expm1: un('Expm1'),
    sqrt: un('Sqrt'),
    abs: un('Abs'),
    sin: un('Sin'),
    cos: un('Cos'),
    sign: un('Sign'),
    floor: un('Floor'),
    clone: un('Identity'),
    where: (c: Tensor, a: Tensor, b: Tensor) => {
      if (sameShape(c.shape, a.shape) && sameShape(a.shape, b.shape)) return k('Select', { condition: c, t: a, e: b });
      // tf.where tiles every smaller operand (slow); a single-element branch is filled instead.
      const shape = [c, a, b].reduce((m, t) => (t.size > m.length ? t.shape : m), [] as number[]);
      const tmp: Tensor[] = [];
      const full = (t: Tensor) => {
        if (sameShape(t.shape, shape) || t.size !== 1 || t.dtype === 'bool') return t;
        // On a GPU, reading the element back would stall the pipeline: broadcast it there.
        const f = onGpu()
          ? tf.broadcastTo(t, shape)
          : k('Fill', {}, { shape, value: (t.dataSync() as ArrayLike<number>)[0], dtype: t.dtype });
        tmp.push(f);
        return f;
      };
      const [fa, fb] = [full(a), full(b)];
      const r =
        sameShape(c.shape, shape) && sameShape(fa.shape, shape) && sameShape(fb.shape, shape)
          ? k('Select', { condition: c, t: fa, e: fb })
          : tf.where(c, fa, fb);
      for (const t of tmp) t.dispose();
      return r;
    },
    matMul: (a: Tensor, b: Tensor, transposeA = false, transposeB = false) => matMul(a, b, transposeA, transposeB),
    reshape: (x: Tensor, shape: number[]) => k('Reshape', { x }, { shape }),
    // An identity permutation is a copy (tfjs-webgl's packed transpose of a vector does not compile).
    transpose: (x: Tensor, perm: number[]) =>
      perm.every((p, i) => p === i) ? k('Identity', { x }) : k('Transpose', { x }, { perm }),
    cast: (x: Tensor, dtype: TF.DataType) => (x.dtype === dtype ? k('Identity', { x }) : k('Cast', { x }, { dtype })),
    sum: (x: Tensor, axis?: number | number[], keepDims = false) =>
      x.dtype === 'float32' ? k('Sum', { x }, { axis: axes(axis, x.rank), keepDims }) : tf.sum(x, axis, keepDims),
    max: (x: Tensor, axis?: number | number[], keepDims = false) =>
      k('Max', { x }, { reductionIndices: axes(axis, x.rank), keepDims }),
    min: (x: Tensor, axis?: number | number[], keepDims = false) =>
      k('Min', { x }, { axis: axes(axis, x.rank), keepDims }),
    broadcastTo: (x: Tensor, shape: number[]) =>
      sameShape(x.shape, shape) ? k('Identity', { x }) : tf.broadcastTo(x, shape),
  };
  /**
   * tfjs-wasm caches an XNNPACK operator per right-hand operand's data buffer, created with that
   * operand's shape; a reshaped view of the same buffer used with another shape then reads out
   * of bounds (heap corruption). So a buffer is used as `b` under one shape only: another shape
   * gets a private copy.
   */
  const bShapes = new WeakMap<object, string>();
  const safeB = (b: Tensor, tb: boolean): Tensor | null => {
    if (tf.getBackend() !== 'wasm') return null;
    const key = `${b.shape}|${tb}`;
    const seen = bShapes.get(b.dataId);
    if (seen === undefined) bShapes.set(b.dataId, key);
    if (seen === undefined || seen === key) return null;
    const c = tf.tidy(() => tf.add(b, tf.scalar(0)));
    bShapes.set(c.dataId, key);
    return c;
  };
  const batchMatMul = (a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor => {
    const copy = safeB(b, tb);
    const r = k('BatchMatMul', { a, b: copy ?? b }, { transposeA: ta, transposeB: tb });
    copy?.dispose();
    return r;
  };

  /**
   * tfjs-wasm's BatchMatMul copies a transposed left operand before multiplying, and is much
   * faster for a row vector times a matrix than for the transposed product. So a transposed
   * left vector is a reshape, and a product with one output column whose left operand is
   * transposed, C = A^T b, is computed as its transpose b^T A (a row times a matrix).
   */
  function matMul(a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor {
    if (a.rank !== 2 || b.rank !== 2) return batchMatMul(a, b, ta, tb);
    const tmp: Tensor[] = [];
    const flat = (x: Tensor) => {
      const r = k('Reshape', { x }, { shape: [x.shape[1]!, x.shape[0]!] });
      tmp.push(r);
      return r;
    };
    if (ta && (a.shape[0] === 1 || a.shape[1] === 1)) [a, ta] = [flat(a), false];
    let out: Tensor;
    const n = tb ? b.shape[0]! : b.shape[1]!;
    if (ta && n === 1) {
      const ct = batchMatMul(tb ? b : flat(b), a, false, false);
      out = k('Reshape', { x: ct }, { shape: [ct.shape[1]!, 1] });
      ct.dispose();
    } else out = batchMatMul(a, b, ta, tb);
    for (const t of tmp) t.dispose();
    return out;
  }

  return { ...tf, ...fast } as typeof TF;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
