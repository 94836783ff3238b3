// Fused elementwise regions on the GPU backends: a region (plan/fuse.ts) becomes one generated
// shader per stored result (GLSL for tfjs-webgl's compileAndRun, WGSL for tfjs-webgpu's
// runWebGPUProgram), so a chain of k elementwise primitives costs one dispatch instead of k, and
// no intermediate texture or buffer. Values are float32 inside the shader; comparisons give 0/1.
// Regions here hold float and bool values only (int32 arithmetic stays with tfjs's kernels, which
// keep its wrap-around semantics). Each primitive follows its ref rule's semantics: NaN-propagating
// max/min, NaN for log/sqrt of negatives, pow of a negative base only for integer exponents.
// Operands of size 1 or lazily broadcast views are broadcast by tfjs's own samplers.

import type * as TF from '@tensorflow/tfjs';
import type { AnyEqn } from '../ir/graph.js';
import type { AVal } from '../ir/types.js';
import type { PrimName } from '../prims/params.js';

type Lang = 'glsl' | 'wgsl';
type Gen = (a: string[], lang: Lang) => string;

/** Code per fusible primitive: operands are float expressions, the result a float expression. */
const CODE = {
  neg: ([x]) => `(-${x})`,
  exp: ([x]) => `exp(${x})`,
  log: ([x]) => `pxLog(${x})`,
  log1p: ([x]) => `pxLog1p(${x})`,
  expm1: ([x]) => `pxExpm1(${x})`,
  sin: ([x]) => `sin(${x})`,
  cos: ([x]) => `cos(${x})`,
  atan: ([x]) => `atan(${x})`,
  sqrt: ([x]) => `pxSqrt(${x})`,
  abs: ([x]) => `abs(${x})`,
  sign: ([x]) => `pxSign(${x})`,
  floor: ([x]) => `floor(${x})`,
  add: ([x, y]) => `(${x} + ${y})`,
  sub: ([x, y]) => `(${x} - ${y})`,
  mul: ([x, y]) => `(${x} * ${y})`,
  div: ([x, y]) => `(${x} / ${y})`,
  pow: ([x, y]) => `pxPow(${x}, ${y})`,
  max: ([x, y]) => `pxMax(${x}, ${y})`,
  min: ([x, y]) => `pxMin(${x}, ${y})`,
  lt: ([x, y], l) => cmp(x!, '<', y!, l),
  le: ([x, y], l) => cmp(x!, '<=', y!, l),
  gt: ([x, y], l) => cmp(x!, '>', y!, l),
  ge: ([x, y], l) => cmp(x!, '>=', y!, l),
  eq: ([x, y], l) => cmp(x!, '==', y!, l),
  ne: ([x, y], l) => cmp(x!, '!=', y!, l),
  and: ([x, y]) => `min(${x}, ${y})`,
  or: ([x, y]) => `max(${x}, ${y})`,
  not: ([x]) => `(1.0 - ${x})`,
  select: ([c, a, b], l) => (l === 'glsl' ? `(${c} != 0.0 ? ${a} : ${b})` : `select(${b}, ${a}, ${c} != 0.0)`),
  convert: ([x]) => x!, // float <-> float only here; to bool is handled by `toBool`
  stop_gradient: ([x]) => x!,
} satisfies Record<string, Gen>;

export type GpuFusiblePrim = keyof typeof CODE;

const cmp = (x: string, op: string, y: string, l: Lang) =>
  l === 'glsl' ? `float(${x} ${op} ${y})` : `select(0.0, 1.0, ${x} ${op} ${y})`;

/** Helpers both languages define (same semantics as the ref rules). */
const HELPERS: Record<Lang, string> = {
  glsl: `
float pxLog(float x) { return x < 0.0 ? NAN : log(x); }
float pxSqrt(float x) { return x < 0.0 ? NAN : sqrt(x); }
float pxLog1p(float x) { return x < -1.0 ? NAN : (abs(x) < 1e-4 ? x * (1.0 - x * (0.5 - x / 3.0)) : log(1.0 + x)); }
float pxExpm1(float x) { return abs(x) < 1e-5 ? x * (1.0 + 0.5 * x) : exp(x) - 1.0; }
float pxSign(float x) { return isnan(x) ? x : sign(x); }
float pxMax(float x, float y) { return isnan(x) || isnan(y) ? NAN : max(x, y); }
float pxMin(float x, float y) { return isnan(x) || isnan(y) ? NAN : min(x, y); }
float pxPow(float x, float y) {
  if (y == 0.0) return 1.0;
  if (isnan(x) || isnan(y)) return NAN;
  if (x < 0.0 && floor(y) != y) return NAN;
  float r = pow(abs(x), y);
  return x < 0.0 && mod(y, 2.0) == 1.0 ? -r : r;
}
`,
  wgsl: `
fn pxLog(x : f32) -> f32 { if (x < 0.0) { return uniforms.NAN; } if (x == 0.0) { return -uniforms.INFINITY; } return log(x); }
fn pxSqrt(x : f32) -> f32 { if (x < 0.0) { return uniforms.NAN; } return sqrt(x); }
fn pxLog1p(x : f32) -> f32 {
  if (x < -1.0) { return uniforms.NAN; }
  if (abs(x) < 1e-4) { return x * (1.0 - x * (0.5 - x / 3.0)); }
  return pxLog(1.0 + x);
}
fn pxExpm1(x : f32) -> f32 { if (abs(x) < 1e-5) { return x * (1.0 + 0.5 * x); } return exp(x) - 1.0; }
fn pxSign(x : f32) -> f32 { if (isnan(x)) { return x; } return sign(x); }
fn pxMax(x : f32, y : f32) -> f32 { if (isnan(x) || isnan(y)) { return uniforms.NAN; } return max(x, y); }
fn pxMin(x : f32, y : f32) -> f32 { if (isnan(x) || isnan(y)) { return uniforms.NAN; } return min(x, y); }
fn pxPow(x : f32, y : f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (isnan(x) || isnan(y)) { return uniforms.NAN; }
  if (x < 0.0 && floor(y) != y) { return uniforms.NAN; }
  let r = pow(abs(x), y);
  if (x < 0.0 && abs(y - 2.0 * floor(y / 2.0) - 1.0) < 0.5) { return -r; }
  return r;
}
`,
};

const isFloatOrBool = (a: AVal) => a.dtype !== 'int32';

/** Whether an equation may join a GPU region: a fusible primitive over float and bool values. */
export function gpuFusible(e: AnyEqn): boolean {
  if (!(e.prim in CODE) || e.outputs.length !== 1) return false;
  if (!e.inputs.every((v) => isFloatOrBool(v.aval)) || !isFloatOrBool(e.outputs[0]!.aval)) return false;
  return true;
}

/** The body of one stored result: statements defining every member value it needs, in order. */
function body(
  members: readonly AnyEqn[],
  inIds: readonly number[],
  outId: number,
  lang: Lang,
): { lines: string[]; result: string } {
  const name = new Map<number, string>(inIds.map((id, k) => [id, `a${k}`]));
  const lines: string[] = [];
  // Only the members the result depends on.
  const need = new Set<number>([outId]);
  for (let i = members.length - 1; i >= 0; i--) {
    const e = members[i]!;
    if (need.has(e.outputs[0]!.id)) for (const v of e.inputs) need.add(v.id);
  }
  members.forEach((e, t) => {
    const id = e.outputs[0]!.id;
    if (!need.has(id)) return;
    const args = e.inputs.map((v) => name.get(v.id)!);
    let code = (CODE[e.prim as GpuFusiblePrim] as Gen)(args, lang);
    if (e.prim === 'convert' && e.outputs[0]!.aval.dtype === 'bool') code = cmp(args[0]!, '!=', '0.0', lang);
    lines.push(lang === 'glsl' ? `float t${t} = ${code};` : `let t${t} = ${code};`);
    name.set(id, `t${t}`);
  });
  return { lines, result: name.get(outId)! };
}

/** A compiled region: one program per stored result, run with tfjs's GPU backend. */
export interface GpuRegion {
  run(ins: TF.Tensor[]): TF.Tensor[];
}

type Backend = {
  compileAndRun?(p: object, inputs: TF.TensorInfo[], dtype?: TF.DataType): TF.TensorInfo;
  runWebGPUProgram?(p: object, inputs: TF.TensorInfo[], dtype: TF.DataType): TF.TensorInfo;
};

const tfDtype = (a: AVal): TF.DataType => (a.dtype === 'float64' ? 'float32' : a.dtype);

/**
 * Compiles a region for `lang`. `webgpuUtil` is tfjs-webgpu's webgpu_util (dispatch layout),
 * needed for WGSL only.
 */
export function compileGpuRegion(
  tf: typeof TF,
  lang: Lang,
  members: readonly AnyEqn[],
  inIds: readonly number[],
  outIds: readonly number[],
  outAvals: readonly AVal[],
  webgpuUtil?: {
    flatDispatchLayout(shape: number[]): { x: number[] };
    computeDispatch(layout: { x: number[] }, shape: number[], wg: [number, number, number]): [number, number, number];
  },
): GpuRegion {
  const shape = [...members[members.length - 1]!.outputs[0]!.aval.shape];
  const names = inIds.map((_, k) => `A${k}`);
  const programs = outIds.map((id) => {
    const { lines, result } = body(members, inIds, id, lang);
    if (lang === 'glsl') {
      const reads = names.map((n, k) => `float a${k} = get${n}AtOutCoords();`);
      return {
        variableNames: names,
        outputShape: shape,
        userCode: `${HELPERS.glsl}
void main() {
  ${[...reads, ...lines].join('\n  ')}
  setOutput(${result});
}`,
      };
    }
    const reads = names.map((n, k) => `let a${k} = get${n}ByOutputIndex(index);`);
    const code = `${HELPERS.wgsl}
fn main(index : i32) {
  if (index < uniforms.size) {
    ${[...reads, ...lines].join('\n    ')}
    setOutputAtIndex(index, ${result});
  }
}`;
    const layout = webgpuUtil!.flatDispatchLayout(shape);
    const workgroupSize: [number, number, number] = [128, 1, 1];
    return {
      size: true,
      variableNames: names,
      outputShape: shape,
      outputComponent: 1,
      variableComponents: names.map(() => 1),
      dispatchLayout: layout,
      workgroupSize,
      dispatch: webgpuUtil!.computeDispatch(layout, shape, workgroupSize),
      shaderKey: `proxima_fused_${hashString(code)}`,
      getUserCode: () => code,
    };
  });
  const dtypes = outAvals.map(tfDtype);
  return {
    run(ins) {
      const b = tf.backend() as unknown as Backend;
      return programs.map((p, k) => {
        // A fresh program object per run: tfjs-webgpu appends the inputs' signature to
        // `shaderKey` in place, so a reused object would get a new key (a recompile) every call.
        const info =
          lang === 'glsl' ? b.compileAndRun!(p, ins, dtypes[k]) : b.runWebGPUProgram!({ ...p }, ins, dtypes[k]!);
        return tf.engine().makeTensorFromTensorInfo(info);
      });
    },
  };
}

/** A short stable hash (FNV-1a) of generated code, for tfjs-webgpu's pipeline cache key. */
function hashString(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36) + s.length.toString(36);
}

/** The primitives a GPU region may contain. */
export const GPU_FUSIBLE: ReadonlySet<PrimName> = new Set(Object.keys(CODE) as PrimName[]);
