// End-to-end tests of the real CLI (spawned as a process, as users run it): run, check, graph
// and fmt on examples, --json output validated against docs/result.schema.json, error cases with
// exit code 1 and no stack trace, and kill-and-resume giving a bit-identical result.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate, type Schema } from '../compiler/json_schema.js';

const BIN = join(import.meta.dirname, '../../cli/proxima.js');
const SCHEMA = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/result.schema.json'), 'utf8')) as Schema;
const FIX = join(import.meta.dirname, 'fixtures');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function runJson(...args: string[]) {
  const r = cli('run', ...args, '--json');
  const lines = r.out.trim().split('\n');
  expect(lines).toHaveLength(1);
  const obj = JSON.parse(lines[0]!);
  expect(validate(SCHEMA, obj, { $ref: '#/$defs/runResult' })).toBeNull();
  return { ...r, json: obj };
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);

describe('proxima run', () => {
  it('runs the quick start example and reports converged values', () => {
    const r = runJson('examples/quickstart.opt');
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('converged');
    expect(r.json.backend).toBe('js');
    expect(r.json.values.w).toHaveLength(3);
    const text = cli('run', 'examples/quickstart.opt');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/status: +converged/);
    expect(text.out).toMatch(/w += \[/);
  });

  it('--set overrides data, --steps overrides the budget (max_steps, exit 0), --out writes the JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxima-'));
    const out = join(dir, 'r.json');
    const r = runJson('examples/quickstart.opt', '--set', 'lambda=1', '--steps', '2', '--out', out);
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('max_steps');
    expect(r.json.steps).toBe(2);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(r.json);
  });

  it.each([
    [['examples/missing.opt'], /cannot read examples\/missing\.opt/],
    [
      ['examples/quickstart.opt', '--data', join(FIX, 'bad_cell.csv')],
      /`oops` is not a number \(row 2, column X\[1\]\)/,
    ],
    [
      ['examples/quickstart.opt', '--data', join(FIX, 'wrong_shape.json')],
      /has 3 entries along dimension n, but n = 2/,
    ],
    [['examples/quickstart.opt', '--data', join(FIX, 'nope.json')], /cannot read the data file/],
    [['examples/quickstart.opt', '--set', 'lambda'], /expected name=VALUE/],
    [['examples/quickstart.opt', '--backend', 'gpu'], /unknown backend `gpu`/],
    [
      ['examples/quickstart.opt', '--backend', 'webgl'],
      /backend 'webgl' is not available: WebGL exists only in a browser.*Use --backend wasm/,
    ],
    [['examples/quickstart.opt', '--resume'], /--resume needs --checkpoint/],
    [['examples/quickstart.opt', '--seed', 'x'], /--seed needs an integer/],
  ])('user error %j: exit 1, a message, no stack trace, one JSON object with --json', (args, msg) => {
    const text = cli('run', ...args);
    expect(text.code).toBe(1);
    expect(text.err).toMatch(msg);
    noStack(text.err);
    const r = runJson(...args);
    expect(r.code).toBe(1);
    expect(r.json.status).toBe('error');
    expect(r.json.messages.map((m: { message: string }) => m.message).join('\n')).toMatch(msg);
  });

  it('an unknown option is a usage error', () => {
    const r = cli('run', 'examples/quickstart.opt', '--bogus');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown option '--bogus'/);
  });

  it('SIGKILL mid-run then --resume gives the uninterrupted result bit for bit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxima-'));
    const ck = join(dir, 'run.ckpt');
    const slow = join(FIX, 'slow.opt');
    const full = runJson(slow);
    expect(full.json.status).toBe('max_steps');
    const child = spawn(process.execPath, [BIN, 'run', slow, '--checkpoint', ck, '--checkpoint-every', '50'], {
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.on('exit', r));
    const t0 = Date.now();
    while (!existsSync(ck) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(ck)).toBe(true);
    const saved = JSON.parse(readFileSync(ck, 'utf8'));
    expect(saved.state.state.step).toBeLessThan(100000);
    const resumed = runJson(slow, '--checkpoint', ck, '--resume');
    expect(resumed.json.values).toEqual(full.json.values);
    expect(resumed.json.objective).toBe(full.json.objective);
    expect(resumed.json.steps).toBe(full.json.steps);
  });

  it('Ctrl-C (SIGINT) stops cleanly: status stopped, the result so far, exit 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxima-'));
    const ck = join(dir, 'run.ckpt');
    const child = spawn(
      process.execPath,
      [BIN, 'run', join(FIX, 'slow.opt'), '--json', '--checkpoint', ck, '--checkpoint-every', '50'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise((r) => child.on('exit', r));
    const t0 = Date.now();
    while (!existsSync(ck) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    const r = JSON.parse(out);
    expect(validate(SCHEMA, r, { $ref: '#/$defs/runResult' })).toBeNull();
    expect(r.status).toBe('stopped');
    expect(r.steps).toBeGreaterThan(0);
    expect(r.steps).toBeLessThan(100000);
    expect(r.values.w).toHaveLength(3);
  });

  it('--resume with different options is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxima-'));
    const ck = join(dir, 'q.ckpt');
    expect(cli('run', 'examples/quickstart.opt', '--checkpoint', ck, '--checkpoint-every', '1').code).toBe(0);
    const r = cli('run', 'examples/quickstart.opt', '--checkpoint', ck, '--resume', '--seed', '7');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/written for a different program, data, seed or options/);
  });
});

describe('proxima check, graph, fmt, --help, --version', () => {
  it('check prints the decomposition and the algorithm; --json matches the schema', () => {
    const t = cli('check', 'examples/quickstart.opt');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/algorithm: lbfgs/);
    const j = cli('check', 'examples/lasso.opt', '--json');
    const obj = JSON.parse(j.out);
    expect(validate(SCHEMA, obj, { $ref: '#/$defs/checkResult' })).toBeNull();
    expect(obj.algorithm.name).toBe('fista');
  });

  it('graph prints text, dot and json', () => {
    expect(cli('graph', 'examples/quickstart.opt').out).toMatch(/\{ lambda a:f64\[4\]/);
    expect(cli('graph', 'examples/quickstart.opt', '--grad', '--format', 'dot').out).toMatch(/^digraph proxima/m);
    expect(() => JSON.parse(cli('graph', 'examples/quickstart.opt', '--format', 'json').out)).not.toThrow();
    expect(cli('graph', 'examples/quickstart.opt', '--format', 'svg').code).toBe(1);
  });

  it('fmt prints, checks and writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxima-'));
    const f = join(dir, 'x.opt');
    copyFileSync(join(FIX, 'needs_fmt.opt'), f);
    expect(cli('fmt', f).out).toBe('var x: real[2]\nminimize sumsq(x - [1, 2]) // a comment stays\n');
    expect(cli('fmt', '--check', f).code).toBe(1);
    expect(cli('fmt', '--write', f).code).toBe(0);
    expect(cli('fmt', '--check', f).code).toBe(0);
    expect(cli('fmt', '--check', 'examples/quickstart.opt').code).toBe(0);
  });

  it('every command has --help; --version prints the version', () => {
    for (const c of ['run', 'check', 'graph', 'fmt']) {
      const r = cli(c, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`usage: proxima ${c}`));
    }
    expect(cli('--version').out.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(cli('nonsense').code).toBe(1);
  });
});
