// Loading a program and its imports. `import "x.opt"` resolves relative to the importing file;
// each file is parsed once however often it is imported (diamonds are fine), and a cycle is
// reported at the import that closes it, with the whole chain. Imported files are libraries:
// they may define `fn`s and `let`s (and import others), nothing that makes a problem.
// Invariant: `modules` is in dependency order (a file after everything it imports), the root last.

import { platform } from '../../runtime/index.js';
import { parse, type Diagnostic, type Program, type Span, type Stmt } from '../../grammar/index.js';

export interface Module {
  /** The name spans and messages use: the root as given, imports joined onto its directory. */
  file: string;
  source: string;
  program: Program;
  root: boolean;
}

export interface LoadResult {
  modules: Module[];
  diagnostics: Diagnostic[];
  /** Source text by file name, for rendering excerpts. */
  sources: Map<string, string>;
}

export type ReadFile = (path: string) => string;

const defaultRead: ReadFile = (p) => platform.readText(p);
const { dirname, isAbsolute, join, resolve } = platform.path;

const LIBRARY_STMTS = new Set<Stmt['kind']>(['Fn', 'Let', 'Import']);

/** `parsed`: the root's syntax tree when the caller has already parsed `source` (tagged templates). */
export function loadProgram(file: string, source: string, read: ReadFile = defaultRead, parsed?: Program): LoadResult {
  const modules: Module[] = [];
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const done = new Set<string>();
  const stack: string[] = [];
  const names: string[] = [];

  const visit = (name: string, text: string, root: boolean): void => {
    const key = resolve(name);
    stack.push(key);
    names.push(name);
    sources.set(name, text);
    const { program, diagnostics: ds } = root && parsed ? { program: parsed, diagnostics: [] } : parse(text, name);
    diagnostics.push(...ds);
    if (program) {
      for (const st of program.body) {
        if (st.kind === 'Import') {
          const target = isAbsolute(st.path) ? st.path : join(dirname(name), st.path);
          const tkey = resolve(target);
          if (stack.includes(tkey)) {
            const chain = [...names.slice(stack.indexOf(tkey)), target];
            diagnostics.push(err(st.span, `import cycle: ${chain.join(' -> ')}`));
            continue;
          }
          if (done.has(tkey)) continue;
          let imported: string;
          try {
            imported = read(target);
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            diagnostics.push(
              err(
                st.span,
                `cannot read \`${st.path}\` (${target}): ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
              ),
            );
            continue;
          }
          visit(target, imported, false);
        } else if (!root && !LIBRARY_STMTS.has(st.kind)) {
          diagnostics.push(
            err(
              st.span,
              `an imported file may only define \`fn\`s and \`let\`s; found ${describe(st.kind)}`,
              'move it into the main program',
            ),
          );
        }
      }
      modules.push({ file: name, source: text, program, root });
    }
    done.add(key);
    stack.pop();
    names.pop();
  };
  visit(file, source, true);
  return { modules, diagnostics, sources };
}

const err = (span: Span, message: string, hint?: string): Diagnostic =>
  hint === undefined ? { severity: 'error', message, span } : { severity: 'error', message, span, hint };

function describe(kind: Stmt['kind']): string {
  const words: Partial<Record<Stmt['kind'], string>> = {
    Optimize: 'an objective',
    Solve: 'a `solve`',
    Infer: 'an `infer`',
    Data: 'a `data` block',
    Var: 'a `var`',
    Param: 'a `param`',
    Model: 'a `model` block',
    SubjectTo: 'constraints',
    Start: 'a `start`',
  };
  return words[kind] ?? `a \`${kind.toLowerCase()}\` statement`;
}
