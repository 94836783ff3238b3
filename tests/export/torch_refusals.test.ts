// What `proxima export --to torch` refuses, and that it says why: every missing piece listed
// (methods without a torch.optim counterpart, primitives without an export), nothing written.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compile, exportTorch, ExportError } from '../../compiler/index.js';
import { Graph, Var, aval, torchFunction, TorchExportError } from '../../runtime/index.js';

const EX = join(import.meta.dirname, '../../examples');

async function refusal(file: string): Promise<string> {
  const c = await compile(join(EX, file), { backend: 'ref' });
  try {
    exportTorch(c);
  } catch (e) {
    expect(e).toBeInstanceOf(ExportError);
    return (e as Error).message;
  }
  throw new Error(`${file} was exported`);
}

describe('proxima export --to torch: refusals name what is missing', () => {
  it('lasso: fista has no torch.optim counterpart', async () => {
    const m = await refusal('lasso.opt');
    expect(m).toMatch(/method fista: no torch\.optim counterpart/);
  });
  it('hs71: auglag and its constraints', async () => {
    expect(await refusal('hs/hs71.opt')).toMatch(/method auglag/);
  });
  it('a graph with primitives that have no export lists each (the lotka-volterra ODE: custom_vjp, while_loop)', () => {
    const key = new Var(aval([2], 'int32'));
    const keys = new Var(aval([2, 2], 'int32'));
    const g = new Graph([key], [{ prim: 'rng_split', params: { n: 2 }, inputs: [key], outputs: [keys] }], [keys]);
    expect(() => torchFunction(g, { name: 'f', inputs: ['key'] })).toThrow(TorchExportError);
    expect(() => torchFunction(g, { name: 'f', inputs: ['key'] })).toThrow(/random keys inside the objective/);
  });
  it('a solve method with a schedule torch.optim lacks is refused, naming the option', async () => {
    const c = await compile({
      file: 'sched.opt',
      source: 'var x: real[2]\nminimize sumsq(x - 1)\nsolve adam(steps = 10, schedule = cosine)\n',
    });
    expect(() => exportTorch(c)).toThrow(/schedule = cosine/);
  });
  it('a minibatch plate gives the VI driver its rows per step (program.json batch)', async () => {
    const c = await compile(join(import.meta.dirname, 'fixtures/blr_minibatch.opt'), { backend: 'ref' });
    const prog = JSON.parse(exportTorch(c).files['program.json']!);
    expect(prog.batch).toBe(40);
    expect(prog.rows).toEqual({ size: 200, arrays: ['X', 'y'] });
    expect(prog.method.driver).toBe('vi');
  });
  it('NUTS exports the log density with a note that driver.py does not sample', async () => {
    const c = await compile(join(EX, 'mcmc/eight_schools_noncentered.opt'), { backend: 'ref' });
    const pkg = exportTorch(c);
    expect(pkg.notes.join('\n')).toMatch(/nuts has no torch driver/);
    expect(JSON.parse(pkg.files['program.json']!).method.driver).toBe('none');
  });
});
