/**
 * What `longrun` exits with. `wait` and `submit --wait` report the job's end;
 * every other command exits 0 on success and {@link EXIT.error} otherwise.
 */
export const EXIT = Object.freeze({
  /** The job completed (or the command did what it was asked). */
  completed: 0,
  /** The job failed. */
  failed: 1,
  /** The job was canceled. */
  canceled: 2,
  /** `--timeout` passed before the job ended; the job goes on. */
  timedOut: 3,
  /** A usage error, the server could not be reached, or it refused the request. */
  error: 4,
});

/** Printed at the end of `longrun --help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0  completed (or, for commands that do not wait, success)
  1  the job failed
  2  the job was canceled
  3  --timeout passed before the job ended (the job goes on)
  4  usage error, server unreachable, or the request was refused`;
