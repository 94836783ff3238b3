// Exit codes of the CLI, one place (docs/cli.md lists them).
export const EXIT = {
  ok: 0, // converged, max_steps
  userError: 1, // status error: the program, data or options are wrong
  internal: 2, // a bug in Proxima
  failed: 3, // diverged, infeasible
  stopped: 130, // Ctrl-C
} as const;

export function exitCodeForStatus(status: string): number {
  switch (status) {
    case 'converged':
    case 'max_steps':
      return EXIT.ok;
    case 'diverged':
    case 'infeasible':
      return EXIT.failed;
    case 'stopped':
      return EXIT.stopped;
    default:
      return EXIT.userError;
  }
}
