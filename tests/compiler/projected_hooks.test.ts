// `projected` on bounds (boundedSteps) has the driver's hooks: progress, Ctrl-C (shouldStop) and
// checkpoints of a plain-JSON state from which a resumed run continues bit for bit.

import { describe, expect, it } from 'vitest';
import { run } from '../../index.js';

const prog = {
  source:
    [
      'var x: real[4]',
      'subject to { x >= -0.5\n x <= 2 }',
      'start x = [-0.4, 1.5, 0.3, -0.2]',
      'minimize sum(100 * (x[1:4] - x[0:3]^2)^2 + (1 - x[0:3])^2) + 3 * x[3]',
      'solve projected(steps = 200, tol = 1e-10)',
    ].join('\n') + '\n',
  file: 'projected_hooks.opt',
};

describe('projected (bounds): hooks', () => {
  it('reports progress, stops on request, and resumes from a JSON checkpoint bit for bit', async () => {
    const full = await run(prog);
    expect(full.options.method).toBe('projected');
    expect(full.status).toBe('converged');
    expect(full.steps).toBeGreaterThan(12);

    const seen: number[] = [];
    const saved: unknown[] = [];
    let calls = 0;
    const part = await run(prog, {
      onProgress: (p) => seen.push(p.step),
      shouldStop: () => ++calls > 10,
      checkpoint: { every: 5, save: (s) => saved.push(JSON.parse(JSON.stringify(s))) },
    });
    expect(part.status).toBe('stopped');
    expect(part.steps).toBe(10);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(saved.length).toBe(2);
    expect(saved[1]).toMatchObject({ method: 'projected', state: { method: 'projected', step: 10 } });

    const resumed = await run(prog, { checkpoint: { every: 1000, save: () => {}, resume: saved[0] as never } });
    expect(resumed.status).toBe(full.status);
    expect(resumed.steps).toBe(full.steps);
    expect(resumed.objective).toBe(full.objective);
    expect(resumed.values).toEqual(full.values);
    expect(resumed.diagnostics.kkt).toBe(full.diagnostics.kkt);
  });
});
