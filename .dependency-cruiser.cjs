// Layering of Proxima's source folders (docs/architecture.md): imports go one way,
// cli -> compiler -> stdlib -> runtime, and compiler -> grammar; grammar imports nothing of ours;
// across top folders only through each folder's face (its index.ts); no import cycles between
// files except the runtime's tracer/primitive-table loop (named below, with its reason).
// `npm run layers` (part of `npm test`) fails with both files named on a violation.
const TOP = '(grammar|runtime|stdlib|compiler|cli)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'runtime-imports-upward',
      comment: 'runtime/ is the bottom layer: it imports no other folder of ours',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { path: '^(stdlib|compiler|cli|grammar)/' },
    },
    {
      name: 'stdlib-imports-upward',
      comment: 'stdlib/ imports only runtime/',
      severity: 'error',
      from: { path: '^stdlib/' },
      to: { path: '^(compiler|cli|grammar)/' },
    },
    {
      name: 'compiler-imports-cli',
      comment: 'compiler/ imports stdlib/, runtime/ and grammar/, never cli/',
      severity: 'error',
      from: { path: '^compiler/' },
      to: { path: '^cli/' },
    },
    {
      name: 'cli-imports-below-compiler',
      comment: 'cli/ is a thin layer over the compiler: it imports compiler/ (its face) only',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^(stdlib|runtime|grammar)/' },
    },
    {
      name: 'grammar-imports-ours',
      comment: 'grammar/ is syntax only: it imports nothing of ours',
      severity: 'error',
      from: { path: '^grammar/' },
      to: { path: '^(runtime|stdlib|compiler|cli)/' },
    },
    {
      name: 'faces',
      comment:
        'across top folders, import a folder only through its face (its index.ts): what a folder offers the others is listed in one file',
      severity: 'error',
      from: { path: `^${TOP}/` },
      to: { path: `^${TOP}/`, pathNot: ['^$1/', `^${TOP}/index\\.ts$`] },
    },
    {
      name: 'package-face',
      comment: "the package's index.ts re-exports the compiler's and the stdlib's faces only",
      severity: 'error',
      from: { path: '^index\\.ts$' },
      to: { path: `^${TOP}/`, pathNot: `^${TOP}/index\\.ts$` },
    },
    {
      name: 'no-cycles',
      comment:
        'no import cycles between files, except the runtime tracer/primitive-table loop: the tracer ' +
        "(runtime/ir/tracer.ts) runs each primitive's shape rule from runtime/prims/table.ts when it " +
        'emits an equation, and the rules are written with the tracing ops (so derivatives of any order ' +
        'come free), so the table and the tracer need each other; and its type-only half, ' +
        'runtime/ir/graph.ts <-> runtime/prims/params.ts (an equation names its params, and control-flow ' +
        'params hold sub-graphs)',
      severity: 'error',
      from: {},
      to: { circular: true, viaNot: '^runtime/prims/(table|params)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
