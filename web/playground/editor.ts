// The playground's editor: CodeMirror 6 with `.opt` highlighting (a stream tokenizer over the
// language's words, which the worker sends) and inline diagnostics as you type (CodeMirror's
// linter calls `check`, which asks the worker; each message becomes a squiggle with its hint).

import { EditorView, basicSetup } from 'codemirror';
import { StreamLanguage, type StringStream } from '@codemirror/language';
import { linter, lintGutter, type Diagnostic as LintDiagnostic } from '@codemirror/lint';
import type { Text } from '@codemirror/state';
import type { Message } from '../../index.js';
import type { Vocabulary } from './protocol.js';

/** The `.opt` tokenizer: comments, strings, numbers, keywords, builtins, distributions. */
export function optLanguage(v: Vocabulary): StreamLanguage<unknown> {
  const keywords = new Set(v.keywords);
  const builtins = new Set([...v.builtins, ...v.methods]);
  const dists = new Set(v.distributions);
  return StreamLanguage.define({
    name: 'opt',
    token(s: StringStream): string | null {
      if (s.eatSpace()) return null;
      if (s.match('//')) {
        s.skipToEnd();
        return 'comment';
      }
      if (s.match(/^"(?:[^"\\]|\\.)*"?/)) return 'string';
      if (s.match(/^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?/i)) return 'number';
      const w = s.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
      if (w) {
        const word = w[0];
        if (keywords.has(word)) return 'keyword';
        if (dists.has(word)) return 'typeName';
        if (builtins.has(word)) return 'variableName.standard';
        return 'variableName';
      }
      if (s.match(/^(?:~|@|<=|>=|==|!=|->|[-+*/^=<>|&!])/)) return 'operator';
      s.next();
      return null;
    },
    languageData: { commentTokens: { line: '//' } },
  });
}

/** A message's position range in the document (messages are 1-based line and column). */
export function messageRange(doc: Text, m: Message): { from: number; to: number } {
  const pos = (line: number, col: number) => {
    const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
    return Math.min(l.from + Math.max(col - 1, 0), l.to);
  };
  const from = pos(m.line, m.col);
  const to = Math.max(pos(m.endLine ?? m.line, m.endCol ?? m.col), from);
  return { from, to: to === from ? Math.min(from + 1, doc.length) : to };
}

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  vocabulary: Vocabulary;
  /** The file the editor holds (messages for other files, e.g. imports, are not drawn inline). */
  file: string;
  check(source: string): Promise<Message[]>;
  onChange(source: string): void;
}

export function createEditor(o: EditorOptions): EditorView {
  const lint = linter(
    async (view) => {
      const messages = await o.check(view.state.doc.toString());
      const doc = view.state.doc;
      return messages
        .filter((m) => m.file === o.file)
        .map((m): LintDiagnostic => {
          const { from, to } = messageRange(doc, m);
          const hint = m.hint;
          return {
            from,
            to,
            severity: m.severity === 'error' ? 'error' : m.severity === 'warning' ? 'warning' : 'info',
            message: hint ? `${m.message}\nhint: ${hint}` : m.message,
          };
        });
    },
    { delay: 250 },
  );
  return new EditorView({
    doc: o.doc,
    parent: o.parent,
    extensions: [
      basicSetup,
      optLanguage(o.vocabulary),
      lint,
      lintGutter(),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) o.onChange(u.state.doc.toString());
      }),
    ],
  });
}
