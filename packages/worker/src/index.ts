// The errors of a refused or unanswered call are the client's, so one `catch` serves both SDKs.
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  type Logger,
  type LogLevel,
  LongrunError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from '@longrun/client';
export type { ArtifactInfo, ArtifactSink, JobContext, JsonObject, WorkerJob } from './context.js';
export {
  DEFINED_TYPE,
  defineType,
  isWorkerType,
  type TypeDefinition,
  type WorkerType,
} from './define-type.js';
export {
  ERROR_CODE_PATTERN,
  JobFailure,
  type JobFailureOptions,
  JobStopped,
  type StopReason,
  UnrecoverableError,
} from './errors/index.js';
export { type JobOutcome, Worker, type WorkerOptions } from './worker.js';
