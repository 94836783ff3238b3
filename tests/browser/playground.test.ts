// The playground end to end in headless Chromium (SwiftShader for WebGL), served as users serve
// it (`proxima serve --port 0`, the real CLI in a child process): the page loads,
// an example loads from the gallery, an edit that introduces an error shows an inline diagnostic
// that goes away when fixed, a run on webgl streams its trace and fills the values table, a VI
// run draws posterior histograms, a long run stops on request, a share link restores the program,
// a screenshot (saved under test-output/) shows a non-blank page, and Ctrl-C stops the server.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../../web/browser_build.js';
import { launchChromium, type Chromium } from '../../web/chromium.js';

const OUTPUT = join(ROOT, 'test-output', 'playground');
let server: ChildProcess;
let exited: Promise<number | null>;
let url: string;
let chromium: Chromium;
let page: Page;

/** Starts `proxima serve --port 0` and resolves with the URL it prints. */
function startServer(): Promise<string> {
  server = spawn(process.execPath, [join(ROOT, 'cli/proxima.js'), 'serve', '--port', '0'], { cwd: ROOT });
  exited = new Promise((done) => server.once('exit', (code) => done(code)));
  let out = '';
  let err = '';
  server.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((ok, fail) => {
    server.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /http:\/\/localhost:\d+\//.exec(out);
      if (m) ok(m[0]);
    });
    void exited.then((code) => fail(new Error(`proxima serve exited (${code}): ${out}${err}`)));
  });
}

beforeAll(async () => {
  url = await startServer();
  chromium = await launchChromium('swiftshader');
  page = chromium.page;
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  if (server && server.exitCode === null) server.kill('SIGKILL');
});

const status = () => page.textContent('#status');

/** The editor's text, and replacing it as an edit would (the linter and listeners run). */
const docText = () =>
  page.evaluate(() => (globalThis as unknown as PlaygroundHandle).playground.editor.state.doc.toString());
async function setEditor(text: string): Promise<void> {
  await page.evaluate((t) => {
    const { editor } = (globalThis as unknown as PlaygroundHandle).playground;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: t } });
  }, text);
}
interface PlaygroundHandle {
  playground: {
    editor: { state: { doc: { length: number; toString(): string } }; dispatch(tr: unknown): void };
  };
}

async function runAndWait(timeout = 120_000): Promise<string> {
  await page.click('#run');
  await page.waitForFunction(() => !(document.getElementById('run') as HTMLButtonElement).disabled, null, {
    timeout,
  });
  return (await status()) ?? '';
}

/** Whether a canvas under `selector` has pixels that are not all one colour. */
const canvasDrawn = (selector: string) =>
  page.evaluate((sel) => {
    const c = document.querySelector(sel) as HTMLCanvasElement | null;
    if (!c) return false;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    for (let i = 4; i < d.length; i += 4)
      if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) return true;
    return false;
  }, selector);

const objectiveIn = (status: string) => Number(/objective (\S+)/.exec(status)?.[1]);
let fullObjective = NaN;

describe('the playground', () => {
  it('lists the gallery and the backends this browser has', async () => {
    const examples = await page.$$eval('#gallery option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(examples).toEqual(expect.arrayContaining(['quickstart', 'lasso', 'normal_mean']));
    await page.waitForFunction(() => document.querySelectorAll('#backend option').length > 1);
    const backends = await page.$$eval('#backend option:not([disabled])', (os) =>
      os.map((o) => (o as HTMLOptionElement).value),
    );
    expect(backends).toEqual(expect.arrayContaining(['auto', 'ref', 'cpu', 'wasm', 'webgl']));
  });

  it('loads an example, shows an inline diagnostic for an error, and clears it when fixed', async () => {
    await page.selectOption('#gallery', 'quickstart');
    await page.waitForFunction(() => document.querySelector('.cm-content')!.textContent!.includes('solve lbfgs'));
    const original = await docText();
    expect(original).toContain('minimize');
    await setEditor(original.replace('lambda * sumsq(w)', 'lambda * sumsq(wz)'));
    await page.waitForSelector('.cm-lintRange-error', { timeout: 30_000 });
    const diag = await page.textContent('#diagnostics');
    expect(diag).toMatch(/main\.opt:\d+:\d+: error: .*wz/);
    await setEditor(original);
    // Replacing the text drops the old squiggle at once; the panel shows the new check's result.
    await page.waitForFunction(() => !document.getElementById('diagnostics')!.textContent!.includes('error'), null, {
      timeout: 30_000,
    });
    expect(await page.$('.cm-lintRange-error')).toBeNull();
  }, 90_000);

  it('runs on webgl: the trace plot updates and the values table fills', async () => {
    await page.selectOption('#backend', 'webgl');
    await page.fill('#steps', '40');
    const s = await runAndWait();
    expect(s).toMatch(/^(converged|max_steps|stopped)[^]*on webgl/);
    fullObjective = objectiveIn(s);
    expect(Number(await page.getAttribute('#trace', 'data-points'))).toBeGreaterThan(5);
    expect(await canvasDrawn('#trace canvas')).toBe(true);
    const names = await page.$$eval('#values td:first-child', (tds) => tds.map((t) => t.textContent));
    expect(names).toEqual(['w', 'b']);
  }, 150_000);

  it('runs on uploaded CSV data, which overrides the example data', async () => {
    // The quickstart data as CSV (columns X[0..2] and y), its first 50 rows only.
    const d = JSON.parse(readFileSync(join(ROOT, 'examples/quickstart.json'), 'utf8')) as {
      X: number[][];
      y: number[];
    };
    const rows = d.X.slice(0, 50).map((x, i) => [...x, d.y[i]].join(','));
    const csv = ['X[0],X[1],X[2],y', ...rows].join('\n');
    await page.setInputFiles('#data', { name: 'small.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForFunction(() => document.getElementById('files')!.textContent!.includes('upload/small.json'));
    await page.selectOption('#backend', 'cpu');
    const s = await runAndWait();
    expect(s).toMatch(/on cpu/);
    // The run used the 50 uploaded rows, not the example's 200: a sum over rows, far smaller.
    expect(objectiveIn(s)).toBeLessThan(0.5 * fullObjective);
    expect(objectiveIn(s)).toBeGreaterThan(0);
    expect(await page.$$eval('#values td:first-child', (tds) => tds.map((t) => t.textContent))).toEqual(['w', 'b']);
  }, 120_000);

  it('draws posterior histograms with their 5/50/95 % marks for inference', async () => {
    await page.selectOption('#gallery', 'normal_mean');
    await page.waitForFunction(() => document.querySelector('.cm-content')!.textContent!.includes('infer vi'));
    await page.selectOption('#backend', 'cpu');
    await page.fill('#steps', '150');
    const s = await runAndWait();
    expect(s).toMatch(/on cpu/);
    const captions = await page.$$eval('#histograms figcaption', (fs) => fs.map((f) => f.textContent));
    expect(captions.map((c) => c!.split(':')[0])).toEqual(['mu', 'sigma']);
    expect(captions[0]).toMatch(/5 % .*50 % .*95 % /);
    expect(await canvasDrawn('#histograms figure canvas')).toBe(true);
    expect(await page.$$eval('#values th', (ths) => ths.map((t) => t.textContent))).toEqual([
      'name',
      'mean',
      'sd',
      '5 %',
      '50 %',
      '95 %',
    ]);
  }, 150_000);

  it('stops a long run, keeping the page responsive', async () => {
    await page.fill('#steps', '1000000');
    await page.click('#run');
    await page.waitForFunction(() => Number(document.getElementById('trace')!.dataset.points) > 20, null, {
      timeout: 60_000,
    });
    // The page answers while the worker runs.
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    await page.click('#stop');
    await page.waitForFunction(() => !(document.getElementById('run') as HTMLButtonElement).disabled, null, {
      timeout: 60_000,
    });
    expect(await status()).toMatch(/^stopped/);
  }, 120_000);

  it('encodes the program and settings in a share link that restores them', async () => {
    await setEditor('var x: real\nminimize (x - 3)^2\nsolve lbfgs()\n');
    await page.fill('#seed', '7');
    await page.click('#share');
    await page.waitForFunction(() => location.hash.startsWith('#p='));
    const url = await page.evaluate(() => location.href);
    const other = await chromium.context.newPage();
    await other.goto(url);
    await other.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await other.evaluate(() => document.querySelector('.cm-content')!.textContent)).toContain(
      'minimize (x - 3)^2',
    );
    expect(await other.inputValue('#seed')).toBe('7');
    expect(await other.inputValue('#steps')).toBe('1000000');
    await other.close();
  }, 90_000);

  it('saves a non-blank screenshot', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(join(OUTPUT, 'playground.png'), png);
    // A blank 1280x860 page compresses to a few kB; the editor, plots and tables take far more.
    expect(png.byteLength).toBeGreaterThan(30_000);
    expect(await canvasDrawn('#trace canvas')).toBe(true);
  });

  it('serves cross-origin isolated, and Ctrl-C stops the server', async () => {
    const r = await fetch(url);
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    server.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
