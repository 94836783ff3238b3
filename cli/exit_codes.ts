// Exit codes of the CLI, one place (docs/cli.md lists them).
export const EXIT = {
  ok: 0, // converged, max_steps, stopped by the method (no further progress)
  userError: 1, // status error: the program, data or options are wrong
  internal: 2, // a bug in Proxima
  failed: 3, // diverged, infeasible
  stopped: 130, // Ctrl-C
} as const;

/** `stoppedByUser`: whether a `stopped` run was stopped by Ctrl-C (else the method could not go on). */
export function exitCodeForStatus(status: string, stoppedByUser = true): number {
  switch (status) {
    case 'converged':
    case 'max_steps':
      return EXIT.ok;
    case 'diverged':
    case 'infeasible':
      return EXIT.failed;
    case 'stopped':
      return stoppedByUser ? EXIT.stopped : EXIT.ok;
    default:
      return EXIT.userError;
  }
}
