/** The command line was wrong: a missing argument, bad JSON, an unknown artifact. */
export class UsageError extends Error {
  override name = 'UsageError';
}
