// The interactive wing's face: tagged templates (template.ts) and what the REPL needs beyond
// parse/check/compile/run: expressions evaluated at a point, their gradients and graphs, and
// their static types.

export {
  opt,
  TemplateProgram,
  TemplateError,
  TEMPLATE_FILE,
  templateCounters,
  type TemplateValue,
  type TemplateValues,
  type TemplateResult,
  type TemplateOption,
  type TemplateRunOptions,
  type TemplateSolveOptions,
  type TemplateInferOptions,
  type PosteriorOf,
} from './template.js';
export type { Interpolation, TensorLike, ShapedArray, NumericArray, NestedData } from './template_values.js';
export {
  pointGraph,
  evaluateAt,
  pointGraphText,
  startPoint,
  pointOf,
  type Point,
  type PointTarget,
  type PointValue,
} from './point_eval.js';
export { expressionType, letValue, typeOf, type ExpressionType } from './expression_info.js';
