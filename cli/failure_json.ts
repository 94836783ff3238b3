// The one JSON object a `run --json` or `check --json` prints when it fails before it has a
// result of its own (a usage error, an internal error): a run result with status `error`, or a
// check result with ok false, carrying the message (docs/result.schema.json).

import { checkResult, runResult, fileMessage } from '../compiler/index.js';

export function failureJson(cmd: string, args: readonly string[], message: string, hint?: string): object {
  const file = args.find((a) => a.endsWith('.opt')) ?? 'proxima';
  const messages = [fileMessage('error', file, message, hint)];
  return cmd === 'check' ? checkResult(messages, null, null) : runResult({ status: 'error', messages }, file);
}
