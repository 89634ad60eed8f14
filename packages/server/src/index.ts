export { type AppParts, buildApp, type Longrun } from './app.js';
export { type ArtifactStorage, DiskArtifactStorage } from './artifacts/storage.js';
export { type Config, ConfigError, loadConfig, parseDuration, SETTINGS } from './config.js';
export { API_ERRORS, ApiError, type ApiErrorCode, JOB_ERRORS, type JobErrorCode } from './errors.js';
export type { ChangeFeed, FeedState } from './feed/change-feed.js';
export { LocalFeed } from './feed/local-feed.js';
export { isValidJobId, newJobId } from './jobs/ids.js';
export type { Job, JobError, StoredJob } from './jobs/model.js';
export { JobService } from './jobs/service.js';
export { canTransition, isTerminal, JOB_STATES, type JobStatus, TRANSITIONS } from './jobs/states.js';
export { type DefinedProcessor, defineProcessor, isDefinedProcessor } from './processors/define.js';
export { JobFailure, UnrecoverableError } from './processors/errors.js';
export { defaultRegistry } from './processors/index.js';
export { ProcessorModuleError, registerProcessorModules } from './processors/modules.js';
export type {
  ArtifactInfo,
  ArtifactSink,
  Availability,
  InputFile,
  InputFiles,
  PrepareContext,
  Processor,
  ProcessorContext,
} from './processors/processor.js';
export { ProcessorRegistry } from './processors/registry.js';
export { isJobTypeName, JOB_TYPE_RULE } from './processors/type-name.js';
export { type QueueDef, type QueueKind, Queues } from './queues/queues.js';
export { listeningUrl, SERVE_USAGE, serve } from './serve.js';
export { PostgresFeed, type PostgresFeedOptions } from './store/postgres/feed.js';
export { PostgresJobStore, type PostgresStoreOptions } from './store/postgres/store.js';
export { SqliteJobStore } from './store/sqlite/store.js';
export { type JobStore, StoreUnavailableError } from './store/store.js';
export { WorkerPool } from './worker/pool.js';
