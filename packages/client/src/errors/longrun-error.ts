/** The base of every error the SDK throws. */
export class LongrunError extends Error {
  override name = 'LongrunError';
}
