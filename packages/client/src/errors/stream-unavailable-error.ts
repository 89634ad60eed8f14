import { LongrunError } from './longrun-error.js';

/** The server, or a proxy on the way, did not answer with an event stream. */
export class StreamUnavailableError extends LongrunError {
  override name = 'StreamUnavailableError';
}
