export { ERROR_CODE_PATTERN, JobFailure, type JobFailureOptions } from './job-failure.js';
export { JobStopped, type StopReason } from './job-stopped.js';
export { UnrecoverableError } from './unrecoverable-error.js';
