import { JOB_ID_RULE } from './jobs/ids.js';
import { TRANSLATION_ERRORS } from './translate/errors.js';

/**
 * The one registry of API error codes. Each code is stable: once shipped it
 * keeps its meaning and status, and is never reused. docs/errors.md lists every
 * code here (a test keeps the two in sync). Handlers throw {@link ApiError};
 * one error handler renders `{"error": {"code", "message", "details"?}}`.
 *
 * `lasting` marks a conflict that the same request meets again however often
 * it is sent: clients retry other 409s (a race that may clear) but not these.
 */
export const API_ERRORS = Object.freeze({
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_request: { status: 400, message: 'The request does not match the schema of this route.' },
  invalid_job_id: { status: 400, message: `A job id is ${JOB_ID_RULE}.` },
  invalid_wait: { status: 400, message: 'wait must be a number of seconds from 0 to 60.' },
  invalid_lease: {
    status: 400,
    message:
      'A worker call about a job needs its ref (tenant:id, from the claim) in the path and its lease token in the Lease-Token header.',
  },
  invalid_artifact_name: {
    status: 400,
    message: 'An artifact name is 1-128 of A-Z a-z 0-9 . _ -, not starting with a dot.',
  },
  invalid_cursor: { status: 400, message: 'The cursor is not one this server returned.' },
  unknown_job_type: { status: 400, message: 'No job type of that name is registered; see GET /v1/types.' },
  unauthorized: { status: 401, message: 'A valid API key is required (Authorization: Bearer <key>).' },
  forbidden: {
    status: 403,
    message:
      "The API key's role (client, worker or operator) may not call this route; the message says which may.",
  },
  job_not_found: { status: 404, message: 'No job with that id.' },
  queue_not_found: { status: 404, message: 'No queue of that name; see GET /v1/queues.' },
  delivery_not_found: { status: 404, message: 'The job has no webhook delivery with that id.' },
  artifact_not_found: { status: 404, message: 'The job has no artifact of that name.' },
  file_not_found: {
    status: 404,
    message: 'No uploaded file with that id for this API key (deleted, expired, or never uploaded).',
  },
  worker_not_found: {
    status: 404,
    message:
      'No worker with that id for this API key (never registered, left, or forgotten after a day unseen); register again.',
  },
  route_not_found: { status: 404, message: 'No route matches this method and path.' },
  request_timeout: {
    status: 408,
    message:
      'The request headers and body did not arrive in time (--request-timeout); the connection is closed.',
  },
  job_exists: { status: 409, message: 'A job with that id already exists.', lasting: true },
  idempotency_conflict: {
    status: 409,
    message: 'This Idempotency-Key was used with a different request body.',
    lasting: true,
  },
  job_not_cancelable: {
    status: 409,
    message: 'The job already finished and cannot be canceled.',
    lasting: true,
  },
  job_not_terminal: {
    status: 409,
    message: 'Only a completed, failed or canceled job can be deleted.',
    lasting: true,
  },
  lease_lost: {
    status: 409,
    message:
      "The lease token is not the job's current lease: it expired, the job was canceled or finished, or another worker holds it. Stop working on the job.",
    lasting: true,
  },
  job_type_taken: {
    status: 409,
    message:
      "The job type is one of the server's own (built in or a processor module); a remote worker cannot declare it.",
    lasting: true,
  },
  queue_not_served: {
    status: 409,
    message:
      'A claimed queue holds a job type this worker does not declare: a worker that claims a queue serves every type in it.',
  },
  payload_too_large: { status: 413, message: 'The request body is larger than the server accepts.' },
  batch_too_large: {
    status: 413,
    message: 'A batch holds more jobs than the server takes at once (--max-batch-jobs); send it in parts.',
  },
  input_too_large: {
    status: 413,
    message:
      "A data: URL in the job's input, or the input as a whole, is larger than the server keeps in a job; upload the file with POST /v1/files and pass its id.",
  },
  file_too_large: {
    status: 413,
    message: 'The uploaded file is larger than the server accepts (--max-file-size).',
  },
  artifact_too_large: {
    status: 413,
    message: 'The artifact is larger than the server accepts (--max-file-size).',
  },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  range_not_satisfiable: { status: 416, message: 'The requested range is outside the file.' },
  file_type_mismatch: {
    status: 422,
    message:
      "The uploaded file's first bytes are not the declared Content-Type; send its real type, or application/octet-stream.",
  },
  invalid_input: { status: 422, message: "The job's input does not match its type's schema." },
  invalid_webhook: {
    status: 422,
    message:
      'The webhook needs an http(s) url and events among job.started, job.progress, job.completed, job.failed, job.canceled.',
  },
  webhook_url_not_allowed: {
    status: 422,
    message: 'The webhook URL resolves to a private, loopback or link-local address.',
  },
  webhooks_not_configured: {
    status: 422,
    message: 'The server has no webhook secret to sign with; start it with --webhook-secret.',
  },
  invalid_input_schema: {
    status: 422,
    message: 'A declared input schema is not a JSON Schema of an object that the server can compile.',
  },
  type_not_declared: {
    status: 422,
    message: 'A claim names a job type the worker did not declare when it registered.',
  },
  unknown_queue: { status: 422, message: 'No queue of that name; see GET /v1/queues.' },
  queue_not_allowed: {
    status: 422,
    message:
      "The queue runs other job types: another kind of work (cpu or waiting) than the job's type does, or the types of remote workers (each remote type's jobs run in a queue of remote types).",
  },
  invalid_priority: { status: 422, message: 'priority is a whole number from -100 (last) to 100 (first).' },
  invalid_run_at: {
    status: 422,
    message:
      'run_at is an ISO 8601 time with a zone, at most 60 s in the past and 365 days ahead; run_in_seconds is 0 to 31536000; give one of them.',
  },
  rate_limited: { status: 429, message: 'Too many requests; retry after the time in Retry-After.' },
  headers_too_large: { status: 431, message: 'The request headers are larger than the server accepts.' },
  internal_error: { status: 500, message: 'The server failed to handle the request.' },
  store_unavailable: { status: 503, message: 'The job store cannot be reached; retry shortly.' },
  shutting_down: { status: 503, message: 'The server is shutting down; retry on another node.' },
} as const satisfies Record<string, { status: number; message: string; lasting?: true }>);

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly statusCode: number;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(
    code: ApiErrorCode,
    {
      message,
      details,
      headers = {},
      cause,
    }: { message?: string; details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message ?? API_ERRORS[code].message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.statusCode = API_ERRORS[code].status;
    this.details = details;
    this.headers = headers;
  }
}

/**
 * Codes a job can end with, in `job.error.code`. Processors add their own
 * through the same registry so that docs/errors.md lists them all; the
 * translation engine's codes come in as it defines them.
 */
export const JOB_ERRORS = Object.freeze({
  ...TRANSLATION_ERRORS,
  simulated_error: 'The simulated backend reported an error (the simulator fails at its error_rate).',
  attempts_exhausted: 'The job lost its worker (crash or expired lease) on its last allowed attempt.',
  job_timeout: 'The job ran longer than its timeout and was stopped.',
  processor_error: 'The processor threw an unexpected error; the message has its text.',
  interrupted: 'The server shut down while the job ran and the job had no attempts left.',
  tool_missing: 'A program the processor needs (ffmpeg, espeak-ng) is not installed; the message says how.',
  input_fetch_failed: 'An input URL could not be fetched (status, timeout, size or content type).',
  url_not_allowed: 'An input URL points at a private, loopback or link-local address.',
  invalid_image: 'The input image could not be decoded, or its dimensions are zero or too large.',
  render_failed: 'ffmpeg failed to render the video; the message has its last lines.',
  speech_failed: 'Speech synthesis failed; the message has its last lines.',
  unknown_voice: 'The speech engine has no voice of that name; use a language code such as en-us, fr or de.',
} as const satisfies Record<string, string>);

export type JobErrorCode = keyof typeof JOB_ERRORS;
