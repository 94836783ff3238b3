// Layering of Proxima's source folders (docs/architecture.md): imports go one way,
// cli -> compiler -> stdlib -> runtime, and compiler -> grammar; grammar imports nothing of ours.
// `npm run layers` (part of `npm test`) fails with both files named on a violation.
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
      name: 'grammar-imports-ours',
      comment: 'grammar/ is syntax only: it imports nothing of ours',
      severity: 'error',
      from: { path: '^grammar/' },
      to: { path: '^(runtime|stdlib|compiler|cli)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
