import { LongrunError } from './longrun-error.js';

/** The server reported a status this client does not know, so it cannot tell whether to keep waiting. */
export class UnknownStatusError extends LongrunError {
  override name = 'UnknownStatusError';
  /** What the server sent. */
  readonly value: unknown;

  constructor(value: unknown, { cause }: { cause?: unknown } = {}) {
    super(`Unknown status ${JSON.stringify(value)}; upgrade @longrun/client or check the server.`, { cause });
    this.value = value;
  }
}
