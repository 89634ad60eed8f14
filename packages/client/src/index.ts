export { type ClientOptions, Longrun, type RunOptions } from './client.js';
export type { CoreOptions, Fetch } from './core.js';
export * from './errors/index.js';
export type { JobEventsOptions, ManyJobEventsOptions, ManyJobsEvent } from './events.js';
export type { Logger, LogLevel } from './internal/log.js';
export { retryAfterMs } from './internal/retry-after.js';
export { AutoPager, type Page } from './pagination.js';
export { hintFromHeaders, type PollContext, type PollHint, type PollOptions, poll } from './poll.js';
export type { Files, UploadOptions, UploadSource } from './resources/files.js';
export type { CallOptions, CreateOptions, Jobs } from './resources/jobs.js';
export type { Queues } from './resources/queues.js';
export {
  StatusApiClient,
  type StatusApiClientOptions,
  type StatusResult,
  type WaitForResultOptions,
} from './status-api.js';
export {
  type Artifact,
  type BatchResult,
  type CreateJobParams,
  type CreateManyItem,
  type FileObject,
  isJobStatus,
  isTerminalStatus,
  JOB_STATUSES,
  type Job,
  type JobListFilter,
  type JobStatus,
  type LogLine,
  type Queue,
  type QueueKind,
  TERMINAL_STATUSES,
  type Transport,
} from './types.js';
export type { WaitManyOptions, WaitOptions, WaitStrategy } from './wait.js';
