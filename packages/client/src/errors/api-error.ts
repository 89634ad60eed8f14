import { LongrunError } from './longrun-error.js';

/** The body of a longrun error reply: `{"error": {"code", "message", "details"?}}`. */
export interface ErrorBody {
  code?: string;
  message?: string;
  details?: unknown;
}

/** The server answered with an error status. */
export class APIError extends LongrunError {
  override name = 'APIError';
  /** The HTTP status, or undefined when no response came (see the connection errors). */
  readonly status: number | undefined;
  /** The stable error code from docs/errors.md (`job_not_found`…), when the server sent one. */
  readonly code: string | undefined;
  /** The server's `x-request-id`, to quote when reporting a problem. */
  readonly requestId: string | undefined;
  readonly headers: Headers | undefined;
  readonly details: unknown;

  constructor(
    status: number | undefined,
    body: ErrorBody | undefined,
    message: string | undefined,
    headers: Headers | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(APIError.makeMessage(status, body, message), options);
    this.status = status;
    this.code = body?.code;
    this.details = body?.details;
    this.headers = headers;
    this.requestId = headers?.get('x-request-id') ?? undefined;
  }

  private static makeMessage(
    status: number | undefined,
    body: ErrorBody | undefined,
    message: string | undefined,
  ): string {
    const text = body?.message ?? message;
    if (status !== undefined && text) return `${status} ${text}`;
    if (status !== undefined) return `${status} status code (no body)`;
    return text ?? 'Request failed without a response';
  }
}
