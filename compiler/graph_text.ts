// `proxima graph`: a compiled program's graph as text (the runtime's printer, with a header
// naming the inputs and how the execution plan splits the work: data-only preprocessing that
// runs once, and the per-step remainder), Graphviz dot, or JSON. Variables get the printer's
// names (a, b, c, ... in definition order) in every format, so the three agree.

import { printGraph, varName, type Graph, type Var } from '../runtime/index.js';
import { Graph as GraphClass } from '../runtime/index.js';
import { buildPlan, planSummary, jsSource } from '../runtime/index.js';
import type { CompiledProgram } from './compile.js';

export interface GraphTextOptions {
  /** The value-and-gradient graph instead of the value graph. */
  grad?: boolean;
  format?: 'text' | 'dot' | 'json' | 'js';
}

export function compiledGraphText(c: CompiledProgram, opts: GraphTextOptions = {}): string {
  const g = pick(c, opts.grad ?? false);
  if (!g) throw new Error('the program has no objective or log density to show');
  const inputs = ['theta', ...c.graphs.dataInputs];
  switch (opts.format ?? 'text') {
    case 'js':
      return `// ${opts.grad ? 'value and gradient' : 'value'}: the js backend's generated code (inputs: theta, ${c.graphs.dataInputs.join(', ') || 'no data'})\n${jsSource(
        g,
        c.graphs.dataInputs.map((_, i) => i + 1),
      )}\n`;
    case 'json':
      return JSON.stringify(graphJSON(g, inputs), null, 2);
    case 'dot':
      return graphDot(g, inputs);
    default: {
      const plan = planSummary(buildPlan(g, { dataInputs: c.graphs.dataInputs.map((_, i) => i + 1) }));
      const layout = c.layout
        .map(
          (e) =>
            `${e.name} [${e.offset}, ${e.offset + e.size})${e.constraint === 'identity' ? '' : ' ' + e.constraint}`,
        )
        .join(', ');
      const head = [
        `// ${opts.grad ? 'value and gradient' : 'value'} of ${c.kind === 'model' && !c.graphs.objective ? 'the log density' : 'the objective (to minimize)'}`,
        `// inputs: theta (${c.n}: ${layout || 'empty'})${c.graphs.dataInputs.length ? ', ' + c.graphs.dataInputs.join(', ') : ''}`,
        `// plan: ${plan.constEqns} constant, ${plan.dataEqns} data-only (run once per data binding), ${plan.stepEqns} per step`,
      ];
      return `${head.join('\n')}\n${printGraph(g)}\n`;
    }
  }
}

function pick(c: CompiledProgram, grad: boolean): Graph | null {
  if (c.graphs.objective) return grad ? c.graphs.objectiveGrad : c.graphs.objective;
  return grad ? c.graphs.logDensityGrad : c.graphs.logDensity;
}

function namer() {
  const names = new Map<number, string>();
  let n = 0;
  return {
    def: (v: Var) => {
      const s = varName(n++);
      names.set(v.id, s);
      return s;
    },
    use: (v: Var) => names.get(v.id) ?? `?${v.id}`,
  };
}

const avalText = (v: Var) => `${v.aval.dtype}[${v.aval.shape.join(',')}]`;

function paramJSON(v: unknown, sub: (g: Graph) => unknown): unknown {
  if (v instanceof GraphClass) return sub(v);
  if (ArrayBuffer.isView(v)) {
    const arr = Array.from(v as unknown as ArrayLike<number>);
    return arr.length <= 8 ? arr : `<${arr.length} values>`;
  }
  if (Array.isArray(v)) return v.map((x) => paramJSON(x, sub));
  return v;
}

interface GraphJSON {
  inputs: { name: string; aval: string; label?: string }[];
  eqns: {
    prim: string;
    params: Record<string, unknown>;
    inputs: string[];
    outputs: { name: string; aval: string }[];
  }[];
  outputs: string[];
}

export function graphJSON(g: Graph, labels: string[] = []): GraphJSON {
  const nm = namer();
  const inputs = g.inputs.map((v, i) => ({
    name: nm.def(v),
    aval: avalText(v),
    ...(labels[i] ? { label: labels[i] } : {}),
  }));
  const eqns = g.eqns.map((e) => {
    const params: Record<string, unknown> = {};
    for (const k of Object.keys(e.params as object).sort())
      params[k] = paramJSON((e.params as Record<string, unknown>)[k], (s) => graphJSON(s));
    const ins = e.inputs.map(nm.use);
    return {
      prim: e.prim,
      params,
      inputs: ins,
      outputs: e.outputs.map((v) => ({ name: nm.def(v), aval: avalText(v) })),
    };
  });
  return { inputs, eqns, outputs: g.outputs.map(nm.use) };
}

export function graphDot(g: Graph, labels: string[] = []): string {
  const lines = ['digraph proxima {', '  rankdir=TB;', '  node [fontname="monospace", fontsize=10];'];
  let cluster = 0;
  const emit = (gr: Graph, prefix: string, inputLabels: string[], indent: string) => {
    const nm = namer();
    const node = new Map<number, string>(); // var -> the node that defines it
    gr.inputs.forEach((v, i) => {
      const n = nm.def(v);
      node.set(v.id, `${prefix}${n}`);
      lines.push(
        `${indent}"${prefix}${n}" [shape=box, label="${inputLabels[i] ? inputLabels[i] + ': ' : ''}${n} ${avalText(v)}"];`,
      );
    });
    gr.eqns.forEach((e, k) => {
      const id = `${prefix}e${k}`;
      const ins = e.inputs.map((v) => [node.get(v.id) ?? `${prefix}?`, nm.use(v)] as const);
      const outs = e.outputs.map((v) => {
        node.set(v.id, id);
        return `${nm.def(v)} ${avalText(v)}`;
      });
      lines.push(`${indent}"${id}" [shape=ellipse, label="${e.prim}\\n${outs.join('\\n')}"];`);
      for (const [from, name] of ins) lines.push(`${indent}"${from}" -> "${id}" [label="${name}"];`);
      for (const v of Object.values(e.params as object)) {
        if (!(v instanceof GraphClass)) continue;
        const c = cluster++;
        lines.push(
          `${indent}subgraph cluster_${c} {`,
          `${indent}  label="${e.prim} body";`,
          `${indent}  style=dashed;`,
        );
        emit(v, `${prefix}c${c}_`, [], indent + '  ');
        lines.push(`${indent}}`);
      }
    });
    gr.outputs.forEach((v, i) =>
      lines.push(
        `${indent}"${prefix}out${i}" [shape=doublecircle, label="out ${i}"];`,
        `${indent}"${node.get(v.id)}" -> "${prefix}out${i}" [label="${nm.use(v)}"];`,
      ),
    );
  };
  emit(g, '', labels, '  ');
  lines.push('}');
  return lines.join('\n') + '\n';
}
