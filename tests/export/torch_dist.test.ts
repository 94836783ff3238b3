// Data-parallel runs of exported packages under torchrun (gloo, loopback), against one process:
// full-batch gradient descent on the quickstart takes the same iterates on 2 processes (rows
// sharded, values and gradients all-reduced) to 1e-9; minibatch VI of a Bayesian logistic
// regression (a DistributedSampler over the rows) reaches the 1-process ELBO within its Monte
// Carlo error and Proxima's posterior means within 0.1 sd; and a process SIGKILLed mid-run is
// restarted by torchrun from the driver's checkpoint and finishes with the uninterrupted result.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertTorch, exportProgram, python, torchrun } from '../helpers/torch.js';
import { run } from '../../compiler/index.js';
import { validate, type Schema } from '../compiler/json_schema.js';

const SCHEMA = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/result.schema.json'), 'utf8')) as Schema;
/** The driver writes the result JSON of `proxima run --json`. */
const schemaOk = (r: unknown) => expect(validate(SCHEMA, r, { $ref: '#/$defs/runResult' })).toBeNull();

const FIX = join(import.meta.dirname, 'fixtures');
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
type R = {
  status: string;
  objective: number;
  steps: number;
  values: Record<string, number | number[]>;
  posterior: Record<string, { mean: number | number[]; sd: number | number[] }> | null;
  diagnostics: { trace?: number[]; elbo_se?: number; world_size: number };
};
const flat = (v: number | number[]) => (Array.isArray(v) ? v : [v]);
const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

describe('exported packages under torchrun (gloo, loopback)', () => {
  beforeAll(() => assertTorch());

  it('full-batch gradient descent: 2 processes take the iterates of 1 (1e-9), and an elastic restart after a SIGKILL finishes the same', async () => {
    const { dir } = await exportProgram(join(FIX, 'quickstart_gd.opt'));
    const driver = join(dir, 'driver.py');
    python([driver, '--out', join(dir, 'one.json')]);
    await torchrun(2, driver, ['--out', join(dir, 'two.json')]);
    const one = read(join(dir, 'one.json')) as R;
    const two = read(join(dir, 'two.json')) as R;
    schemaOk(one);
    schemaOk(two);
    expect(two.diagnostics.world_size).toBe(2);
    expect(two.steps).toBe(40);
    one.diagnostics.trace!.forEach((f, k) =>
      expect(close(two.diagnostics.trace![k]!, f, 1e-9), `step ${k}`).toBe(true),
    );
    for (const name of Object.keys(one.values))
      flat(one.values[name]!).forEach((v, j) => expect(close(flat(two.values[name]!)[j]!, v, 1e-9)).toBe(true));

    // Rank 1 kills itself (SIGKILL) at step 12 on the first attempt; the last checkpoint is step 10.
    await torchrun(
      2,
      driver,
      ['--out', join(dir, 'restarted.json'), '--checkpoint', join(dir, 'ck.pt'), '--checkpoint-every', '5'],
      {
        restarts: 1,
        env: { PROXIMA_EXPORT_KILL_AT: '12', PROXIMA_EXPORT_KILL_RANK: '1' },
      },
    );
    const again = read(join(dir, 'restarted.json')) as R;
    expect(again.steps).toBe(40);
    expect(again.diagnostics.trace).toHaveLength(40);
    one.diagnostics.trace!.forEach((f, k) =>
      expect(close(again.diagnostics.trace![k]!, f, 1e-9), `step ${k}`).toBe(true),
    );
    for (const name of Object.keys(one.values))
      flat(one.values[name]!).forEach((v, j) => expect(close(flat(again.values[name]!)[j]!, v, 1e-9)).toBe(true));
  }, 900_000);

  it('minibatch VI: 2 processes reach the 1-process ELBO within Monte Carlo error, and Proxima posterior means within 0.1 sd', async () => {
    const file = join(FIX, 'blr_vi.opt');
    const { dir } = await exportProgram(file);
    const driver = join(dir, 'driver.py');
    const args = ['--batch', '100', '--steps', '1200', '--average', '800', '--draws', '500', '--lr', '0.05'];
    python([driver, ...args, '--out', join(dir, 'one.json')]);
    await torchrun(2, driver, [...args, '--out', join(dir, 'two.json')]);
    const one = read(join(dir, 'one.json')) as R;
    const two = read(join(dir, 'two.json')) as R;
    schemaOk(one);
    expect(two.diagnostics.world_size).toBe(2);
    const se = Math.hypot(one.diagnostics.elbo_se!, two.diagnostics.elbo_se!);
    expect(
      Math.abs(one.objective - two.objective),
      `ELBO ${two.objective} vs ${one.objective} (se ${se})`,
    ).toBeLessThan(4 * se);
    const proxima = await run(file, {});
    for (const r of [one, two])
      for (const name of Object.keys(proxima.posterior!)) {
        const p = proxima.posterior![name]!;
        flat(r.posterior![name]!.mean).forEach((m, j) => {
          const [pm, psd] = [flat(p.mean as number | number[])[j]!, flat(p.sd as number | number[])[j]!];
          expect(Math.abs(m - pm) / psd, `${name}[${j}] mean ${m} vs Proxima ${pm} (sd ${psd})`).toBeLessThan(0.1);
        });
      }
  }, 900_000);
});
