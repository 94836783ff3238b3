// GPU benchmarks, for a machine with a GPU: matmul GFLOP/s at 256..4096, MLP training and VI step
// rates, on webgpu (and webgl) against wasm in the same headless Chromium page, matmul against
// the device's peak when given, and fused elementwise regions against unfused ones. Prints ratios and writes bench/results/gpu.json.
//   npx tsx bench/gpu.ts [--peak GFLOPS] [--sizes 256,512,...] [--backends webgpu,webgl,wasm]
//                        [--swiftshader]
// By default Chromium uses the machine's GPU (Vulkan); --swiftshader runs on SwiftShader (CPU
// emulation) instead, which checks that the bench runs but measures nothing about a GPU.
// docs/benchmarks.md says how to read the output.

import { parseArgs } from 'node:util';
import { openWorkerPage } from '../tests/browser/browser_support.js';
import { printTable, writeResults, type BenchRow } from './harness.js';

const { values: o } = parseArgs({
  options: {
    peak: { type: 'string' },
    sizes: { type: 'string', default: '256,512,1024,2048,4096' },
    backends: { type: 'string', default: 'webgpu,webgl,wasm' },
    swiftshader: { type: 'boolean', default: false },
    'vi-rows': { type: 'string', default: '20000' },
    'elem-size': { type: 'string', default: '1048576' },
  },
});
const sizes = o.sizes!.split(',').map(Number);
const backends = o.backends!.split(',');
const peak = o.peak ? Number(o.peak) : null;
const viRows = Number(o['vi-rows']);
const elemSize = Number(o['elem-size']);

async function main(): Promise<void> {
  const page = await openWorkerPage('bench/gpu_worker.ts', o.swiftshader ? 'swiftshader' : 'hardware');
  const rows: BenchRow[] = [];
  try {
    const device = (await page.call<string | null>('adapter')) ?? 'no WebGPU adapter';
    console.log(`device: ${device}${o.swiftshader ? ' (SwiftShader: CPU emulation, not a GPU)' : ''}`);
    const live: string[] = [];
    for (const b of backends) {
      const err = await page.call<string | null>('init', b);
      if (err) console.log(`skipping ${b}: ${err}`);
      else live.push(b);
    }
    const base = live.includes('wasm') ? 'wasm' : null;
    const add = (
      name: string,
      unit: string,
      values: Record<string, number>,
      extra: (b: string) => Partial<BenchRow>,
    ) => {
      for (const b of live) {
        const v = values[b]!;
        const vsBase = base && b !== base ? { peer: base, ratio: v / values[base]! } : {};
        rows.push({ name: `${name} ${b}`, unit, value: v, ...vsBase, ...extra(b) });
      }
    };
    for (const n of sizes) {
      const v: Record<string, number> = {};
      for (const b of live) v[b] = await page.call<number>('matmul', b, n);
      add(`matmul ${n}x${n}`, 'GFLOP/s', v, (b) =>
        peak && b !== 'wasm' ? { note: `${((100 * v[b]!) / peak).toFixed(1)} % of the ${peak} GFLOP/s peak` } : {},
      );
    }
    // Fused elementwise regions (one generated shader) against tfjs op by op, per backend.
    for (const b of live) {
      const fused = await page.call<number>('elementwise', b, elemSize, true);
      const unfused = await page.call<number>('elementwise', b, elemSize, false);
      rows.push({ name: `elementwise chain n=${elemSize} fused ${b}`, unit: 'Gelem-op/s', value: fused });
      rows.push({
        name: `elementwise chain n=${elemSize} unfused ${b}`,
        unit: 'Gelem-op/s',
        value: unfused,
        peer: 'fused',
        ratio: unfused / fused,
      });
    }
    const m: Record<string, number> = {};
    for (const b of live) m[b] = await page.call<number>('mlp', b);
    add('mlp 784-256-10 b128 SGD', 'steps/s', m, () => ({}));
    const w: Record<string, number> = {};
    for (const b of live) w[b] = await page.call<number>('vi', b, viRows, 50, 60);
    add(`vi logistic N=${viRows} D=50 (run())`, 'steps/s', w, () => ({}));
  } finally {
    await page.close();
  }
  printTable(`gpu${o.swiftshader ? ' (swiftshader)' : ''}`, rows);
  console.log(`results: ${writeResults(o.swiftshader ? 'gpu-swiftshader' : 'gpu', rows)}`);
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
