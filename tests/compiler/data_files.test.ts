// Data files for the CLI: CSV binding of vectors and matrices, special cells, merge order and
// overrides, and the error message of each failure case.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, parseJsonData, mergeData, DataError } from '../../compiler/front/data_files.js';

describe('CSV', () => {
  it('binds vectors and matrix columns', () => {
    const d = parseCsv('y,X[0],X[1]\n1,2,3\n4,5,6\n', 'd.csv');
    expect(d).toEqual({
      y: [1, 4],
      X: [
        [2, 3],
        [5, 6],
      ],
    });
  });
  it('reads NaN and Inf cells', () => {
    expect(parseCsv('a\nNaN\nInf\n-Inf\n', 'd.csv')).toEqual({ a: [NaN, Infinity, -Infinity] });
  });
  it.each([
    ['a,b\n1,x\n', /d\.csv:2: column `b`: `x` is not a number \(row 2, column b\)/],
    ['a,b\n1\n', /row 2 has 1 cells, the header has 2/],
    ['a,a\n1,2\n', /column name `a` appears twice/],
    ['X[0],X[2]\n1,2\n', /`X\[1\]` is missing/],
    ['', /empty/],
  ])('rejects %j', (text, msg) => {
    expect(() => parseCsv(text, 'd.csv')).toThrow(msg);
  });
});

describe('JSON and merging', () => {
  it('accepts "NaN"/"Inf" strings and rejects other strings and null', () => {
    expect(parseJsonData('{"a": ["NaN", "-Inf", 1]}', 'd.json')).toEqual({ a: [NaN, -Infinity, 1] });
    expect(() => parseJsonData('{"a": [1, "x"]}', 'd.json')).toThrow('d.json: `a`[1]: "x" is not a number');
    expect(() => parseJsonData('{"a": null}', 'd.json')).toThrow(DataError);
    expect(() => parseJsonData('[1]', 'd.json')).toThrow('must be an object');
    expect(() => parseJsonData('{', 'd.json')).toThrow('not valid JSON');
  });
  it('later files override earlier ones with a warning; --set beats all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxima-'));
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.csv');
    writeFileSync(a, '{"n": 2, "y": [1, 2]}');
    writeFileSync(b, 'y\n3\n4\n');
    const m = mergeData([a, b], ['n=5']);
    expect(m.data).toEqual({ n: 5, y: [3, 4] });
    expect(m.warnings).toEqual([`data \`y\` from ${b} overrides the value from ${a}`]);
    expect(() => mergeData([join(dir, 'missing.json')], [])).toThrow('cannot read the data file');
    expect(() => mergeData([], ['x'])).toThrow('expected name=VALUE');
    expect(() => mergeData([], ['x=abc'])).toThrow('is not JSON');
  });
});
