// Ctrl-C for the whole CLI process: one SIGINT handler, installed when the CLI starts (presses
// during start-up are counted by the bin, cli/proxima.js, and handed over). The first press asks
// the running command to stop after its current step and report what it has (a run that has not
// started yet stops before its first step); the second leaves at once, after the command's
// last word (under --json, still one JSON object).

let presses = 0;
let installed = false;
let lastWord: (() => void) | null = null;

function onSigint(): void {
  presses++;
  if (presses < 2) return;
  try {
    lastWord?.();
  } finally {
    process.exit(130);
  }
}

/** Installs the handler (once per process); `early` is the presses seen before it. */
export function installInterrupts(early = 0): void {
  presses = early;
  lastWord = null;
  if (installed) return;
  installed = true;
  process.on('SIGINT', onSigint);
}

/** True once Ctrl-C was pressed. */
export const interrupted = (): boolean => presses > 0;

/** What to print if a second Ctrl-C leaves at once (replaces the previous one). */
export function setLastWord(fn: (() => void) | null): void {
  lastWord = fn;
}
