import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_PATTERN } from '../store/postgres/connection.js';
import { BACKEND_NAMES } from '../translate/backends/create.js';
import {
  bool,
  duration,
  httpUrl,
  instant,
  int,
  largeSize,
  list,
  matching,
  oneOf,
  optional,
  type Parser,
  path,
  postgresUrl,
  queueSpec,
  rate,
  secret,
  size,
  text,
  tool,
} from './parsers.js';

/** One setting of `longrun serve`: a flag and a variable (the flag wins), read by its parser. */
export interface Setting<T> {
  /** The flag, without its dashes. */
  flag: string;
  env: string;
  /** One line for `--help` and docs/operations.md. */
  help: string;
  /**
   * The value when neither flag nor variable is given, written as a user
   * would write it and read by the same parser. Empty: none, or one from
   * {@link DERIVED}.
   */
  default: string;
  parse: Parser<T>;
  /** A switch: the flag takes no value. */
  kind?: 'boolean';
  /** The flag may be given more than once; its values are joined with commas for the parser. */
  repeatable?: true;
  /** Read only when this other setting has a value, and then required (its value is null otherwise). */
  onlyWith?: string;
}

/**
 * Every setting, once: its flag, variable, parser (with the range it
 * accepts), default and help. The keys are the fields of `Config`, in the
 * order `--help` lists them.
 */
export const SETTINGS = {
  host: {
    flag: 'host',
    env: 'LONGRUN_HOST',
    help: 'address to listen on',
    default: '127.0.0.1',
    parse: text,
  },
  port: {
    flag: 'port',
    env: 'LONGRUN_PORT',
    help: 'port (0 picks a free one)',
    default: '8000',
    parse: int(0, 65535),
  },
  dataDir: {
    flag: 'data-dir',
    env: 'LONGRUN_DATA_DIR',
    help: 'folder for the SQLite file, artifacts and scratch files',
    default: './.longrun',
    parse: path,
  },
  /** null: SQLite in the data dir. */
  databaseUrl: {
    flag: 'database-url',
    env: 'DATABASE_URL',
    help: 'postgres://… to use PostgreSQL instead of SQLite',
    default: '',
    parse: optional(postgresUrl),
  },
  databaseSchema: {
    flag: 'database-schema',
    env: 'LONGRUN_DATABASE_SCHEMA',
    help: 'PostgreSQL schema for the tables (created if missing)',
    default: 'longrun',
    parse: matching(
      SCHEMA_PATTERN,
      'is not a usable schema name; use 1-48 of a-z, 0-9 and _, not starting with a digit',
    ),
  },
  databasePoolSize: {
    flag: 'database-pool-size',
    env: 'LONGRUN_DATABASE_POOL_SIZE',
    help: 'most PostgreSQL connections per process, besides the LISTEN one',
    default: '10',
    parse: int(1, 1000),
  },
  feedProbeIntervalMs: {
    flag: 'feed-probe-interval',
    env: 'LONGRUN_FEED_PROBE_INTERVAL',
    help: 'how often the PostgreSQL LISTEN connection is checked; unanswered this long, it is replaced',
    default: '5s',
    parse: duration({ min: 100 }),
  },
  artifactsDir: {
    flag: 'artifacts-dir',
    env: 'LONGRUN_ARTIFACTS_DIR',
    help: 'folder for job artifacts; with PostgreSQL, one every node mounts',
    default: '',
    parse: optional(path),
  },
  filesDir: {
    flag: 'files-dir',
    env: 'LONGRUN_FILES_DIR',
    help: 'folder for uploaded files (POST /v1/files); with PostgreSQL, one every node mounts',
    default: '',
    parse: optional(path),
  },
  maxFileSize: {
    flag: 'max-file-size',
    env: 'LONGRUN_MAX_FILE_SIZE',
    help: 'largest uploaded file (POST /v1/files), in bytes (k, m, g suffixes)',
    default: '512m',
    parse: largeSize,
  },
  /** Uploaded files are deleted this long after they were uploaded. */
  fileRetentionMs: {
    flag: 'file-retention',
    env: 'LONGRUN_FILE_RETENTION',
    help: 'delete uploaded files this long after their upload (e.g. 7d)',
    default: '7d',
    parse: duration({ min: 60_000 }),
  },
  nodeName: {
    flag: 'node-name',
    env: 'LONGRUN_NODE_NAME',
    help: 'names this machine in job leases; give each machine its own',
    default: '',
    parse: optional(matching(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 . _ -')),
  },
  role: {
    flag: 'role',
    env: 'LONGRUN_ROLE',
    help: 'api (HTTP, no workers), worker (workers; only /healthz, /readyz, /metrics) or all',
    default: 'all',
    parse: oneOf(['api', 'worker', 'all'], 'role'),
  },
  concurrency: {
    flag: 'concurrency',
    env: 'LONGRUN_CONCURRENCY',
    help: 'jobs of each CPU-bound queue (media) run at once by this process',
    default: '',
    parse: optional(int(1, 1024)),
  },
  waitConcurrency: {
    flag: 'wait-concurrency',
    env: 'LONGRUN_WAIT_CONCURRENCY',
    help: 'jobs of each waiting queue (simulate, translate) run at once by this process',
    default: '500',
    parse: int(1, 100_000),
  },
  queues: {
    flag: 'queues',
    env: 'LONGRUN_QUEUES',
    help: 'queues and their limits: name[:cpu|waiting]=concurrency[/global limit],… (e.g. translate=500/5)',
    default: '',
    parse: list(queueSpec, { max: 100, noun: 'queues' }),
  },
  tenantConcurrency: {
    flag: 'tenant-concurrency',
    env: 'LONGRUN_TENANT_CONCURRENCY',
    help: "a tenant's running jobs per queue, across processes; 0 is no limit",
    default: '0',
    parse: int(0, 100_000),
  },
  /** Module files, in the order their types are registered. */
  processors: {
    flag: 'processors',
    env: 'LONGRUN_PROCESSORS',
    help: 'ES modules (.js, .mjs), or folders of them, whose defineProcessor job types run beside the built-in ones; comma-separated, or the flag repeated (docs/processors.md)',
    default: '',
    parse: list(path, { max: 100, noun: 'processor modules or folders' }),
    repeatable: true,
  },
  simulateErrorRate: {
    flag: 'simulate-error-rate',
    env: 'LONGRUN_SIMULATE_ERROR_RATE',
    help: 'default error rate of simulated jobs, 0..1',
    default: '0.2',
    parse: rate,
  },
  /** The flag says what it chooses; the field is named for what it is. */
  translator: {
    flag: 'translate-backend',
    env: 'LONGRUN_TRANSLATE_BACKEND',
    help: 'what translates documents: pseudo (built in, accents the text), libretranslate or openai (chat completions)',
    default: 'pseudo',
    parse: oneOf(BACKEND_NAMES, 'translation backend'),
  },
  /** null: none; the libretranslate and openai backends need one. */
  translateUrl: {
    flag: 'translate-url',
    env: 'LONGRUN_TRANSLATE_URL',
    help: "the backend's base URL, e.g. http://127.0.0.1:5000 (LibreTranslate) or https://api.openai.com/v1",
    default: '',
    parse: optional(httpUrl),
  },
  translateModel: {
    flag: 'translate-model',
    env: 'LONGRUN_TRANSLATE_MODEL',
    help: 'the model the openai backend asks, e.g. gpt-4o-mini',
    default: '',
    parse: optional(text),
  },
  translateApiKey: {
    flag: 'translate-api-key',
    env: 'LONGRUN_TRANSLATE_API_KEY',
    help: "the backend's API key (LibreTranslate api_key; a Bearer token for openai)",
    default: '',
    parse: optional(text),
  },
  translateTimeoutMs: {
    flag: 'translate-timeout',
    env: 'LONGRUN_TRANSLATE_TIMEOUT',
    help: 'how long one request to the translation backend may take; it is retried twice, then the job fails',
    default: '2m',
    parse: duration({ min: 100 }),
  },
  /** `key:tenant,key:tenant`; null when the server is open (loopback only). */
  apiKeys: {
    flag: 'api-keys',
    env: 'LONGRUN_API_KEYS',
    help: 'key:tenant,key:tenant (unset: open, loopback only)',
    default: '',
    parse: optional(text),
  },
  operatorKeys: {
    flag: 'operator-keys',
    env: 'LONGRUN_OPERATOR_KEYS',
    help: "key:tenant,… keys that may also pause queues and see every tenant's counts (and read /metrics)",
    default: '',
    parse: optional(text),
  },
  workerKeys: {
    flag: 'worker-keys',
    env: 'LONGRUN_WORKER_KEYS',
    help: 'key:name,… keys of remote workers: they claim and work jobs of every tenant, and read nothing else (docs/workers.md)',
    default: '',
    parse: optional(text),
  },
  /** Terminal jobs are deleted this long after they finish; 0 keeps them. */
  retentionMs: {
    flag: 'retention',
    env: 'LONGRUN_RETENTION',
    help: 'delete finished jobs after this long (e.g. 24h; 0 keeps them)',
    default: '24h',
    parse: duration(),
  },
  allowPrivateUrls: {
    flag: 'allow-private-urls',
    env: 'LONGRUN_ALLOW_PRIVATE_URLS',
    help: 'let input and webhook URLs reach private addresses',
    default: 'false',
    parse: bool,
    kind: 'boolean',
  },
  /** null: found on PATH, else the binary an npm package ships. */
  ffmpegPath: {
    flag: 'ffmpeg-path',
    env: 'FFMPEG_PATH',
    help: 'the ffmpeg binary (unset: PATH, then the one the npm package @ffmpeg-installer/ffmpeg ships)',
    default: '',
    parse: tool,
  },
  ffprobePath: {
    flag: 'ffprobe-path',
    env: 'FFPROBE_PATH',
    help: 'the ffprobe binary (unset: beside ffmpeg, PATH, then @ffprobe-installer/ffprobe)',
    default: '',
    parse: tool,
  },
  espeakPath: {
    flag: 'espeak-path',
    env: 'ESPEAK_NG_PATH',
    help: 'the espeak-ng binary (unset: PATH, then the WebAssembly build of the npm package espeak-ng)',
    default: '',
    parse: tool,
  },
  insecure: {
    flag: 'insecure',
    env: 'LONGRUN_INSECURE',
    help: 'allow a non-loopback address without API keys',
    default: 'false',
    parse: bool,
    kind: 'boolean',
  },
  logLevel: {
    flag: 'log-level',
    env: 'LONGRUN_LOG_LEVEL',
    help: 'fatal..trace, silent',
    default: 'info',
    parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'log level'),
  },
  leaseMs: {
    flag: 'lease',
    env: 'LONGRUN_LEASE',
    help: 'how long a claim lasts without a heartbeat',
    default: '30s',
    parse: duration({ min: 1000, tooShort: 'a lease shorter than 1s would expire between heartbeats' }),
  },
  shutdownGraceMs: {
    flag: 'shutdown-grace',
    env: 'LONGRUN_SHUTDOWN_GRACE',
    help: 'on SIGTERM, how long running jobs may finish before they are requeued',
    default: '10s',
    parse: duration(),
  },
  jobTimeoutMs: {
    flag: 'job-timeout',
    env: 'LONGRUN_JOB_TIMEOUT',
    help: "the most one attempt of any job may run; a type's own estimate for an input may only shorten it",
    default: '1h',
    parse: duration(),
  },
  maxAttempts: {
    flag: 'max-attempts',
    env: 'LONGRUN_MAX_ATTEMPTS',
    help: 'default attempts per job (1..20)',
    default: '3',
    parse: int(1, 20),
  },
  bodyLimit: {
    flag: 'body-limit',
    env: 'LONGRUN_BODY_LIMIT',
    help: 'largest request body, in bytes (k, m suffixes); uploads to /v1/files have --max-file-size instead',
    default: '3m',
    parse: size,
  },
  maxDataUrlSize: {
    flag: 'max-data-url-size',
    env: 'LONGRUN_MAX_DATA_URL_SIZE',
    help: 'longest data: URL in a job input, in characters as sent (k, m suffixes); larger files go through POST /v1/files',
    default: '1m',
    parse: size,
  },
  maxInputSize: {
    flag: 'max-input-size',
    env: 'LONGRUN_MAX_INPUT_SIZE',
    help: 'largest job input, in bytes of its JSON (k, m suffixes)',
    default: '2m',
    parse: size,
  },
  maxBatchJobs: {
    flag: 'max-batch-jobs',
    env: 'LONGRUN_MAX_BATCH_JOBS',
    help: 'most jobs one POST /v1/jobs/batch may create (1..10000); the whole body is still bounded by --body-limit',
    default: '1000',
    parse: int(1, 10_000),
  },
  requestTimeoutMs: {
    flag: 'request-timeout',
    env: 'LONGRUN_REQUEST_TIMEOUT',
    help: 'a request whose headers and body take longer than this to arrive is answered 408 and closed',
    default: '30s',
    parse: duration({ min: 1000 }),
  },
  sqliteSynchronous: {
    flag: 'sqlite-synchronous',
    env: 'LONGRUN_SQLITE_SYNCHRONOUS',
    help: 'full (survives power loss) or normal (survives crashes)',
    default: 'full',
    parse: oneOf(['full', 'normal'], 'synchronous mode'),
  },
  maintenanceIntervalMs: {
    flag: 'maintenance-interval',
    env: 'LONGRUN_MAINTENANCE_INTERVAL',
    help: 'how often expired leases and retention are checked',
    default: '5s',
    parse: duration({ floor: 100 }),
  },
  sseKeepaliveMs: {
    flag: 'sse-keepalive',
    env: 'LONGRUN_SSE_KEEPALIVE',
    help: 'interval of comment pings on SSE streams',
    default: '15s',
    parse: duration({ floor: 100 }),
  },
  /** Empty: CORS is off. */
  corsOrigins: {
    flag: 'cors-origins',
    env: 'LONGRUN_CORS_ORIGINS',
    help: 'comma-separated origins allowed by CORS (unset: CORS off)',
    default: '',
    parse: list(text),
  },
  apiKeysFile: {
    flag: 'api-keys-file',
    env: 'LONGRUN_API_KEYS_FILE',
    help: 'JSON file of SHA-256-hashed API keys and per-tenant webhook secrets',
    default: '',
    parse: optional(path),
  },
  /** For tenants without a secret of their own. */
  webhookSecret: {
    flag: 'webhook-secret',
    env: 'LONGRUN_WEBHOOK_SECRET',
    help: 'whsec_… secret that signs webhooks (Standard Webhooks)',
    default: '',
    parse: optional(secret),
  },
  webhookSecretPrevious: {
    flag: 'webhook-secret-previous',
    env: 'LONGRUN_WEBHOOK_SECRET_PREVIOUS',
    help: 'the secret being rotated out; signs alongside until --webhook-secret-previous-until',
    default: '',
    parse: optional(secret),
  },
  webhookSecretPreviousUntil: {
    flag: 'webhook-secret-previous-until',
    env: 'LONGRUN_WEBHOOK_SECRET_PREVIOUS_UNTIL',
    help: 'when the previous secret stops signing (ISO 8601 time)',
    default: '',
    parse: instant('the time the previous webhook secret stops signing'),
    onlyWith: 'webhookSecretPrevious',
  },
  /** Its length is the number of retries. */
  webhookRetryScheduleMs: {
    flag: 'webhook-retry-schedule',
    env: 'LONGRUN_WEBHOOK_RETRY_SCHEDULE',
    help: 'delays before each retry of a failed webhook delivery (jittered)',
    default: '5s,5m,30m,2h,5h,10h,10h',
    parse: list(duration(), { max: 50, noun: 'retries' }),
  },
  webhookTimeoutMs: {
    flag: 'webhook-timeout',
    env: 'LONGRUN_WEBHOOK_TIMEOUT',
    help: 'how long one webhook request may take',
    default: '15s',
    parse: duration({ min: 100 }),
  },
  webhookPollIntervalMs: {
    flag: 'webhook-poll-interval',
    env: 'LONGRUN_WEBHOOK_POLL_INTERVAL',
    help: 'how often to look for webhook deliveries written by other processes',
    default: '1s',
    parse: duration({ floor: 50 }),
  },
  /** 0 is no limit. */
  rateLimitCreate: {
    flag: 'rate-limit-create',
    env: 'LONGRUN_RATE_LIMIT_CREATE',
    help: 'POST /v1/jobs per API key per window; 0 is no limit',
    default: '',
    parse: optional(int(0, 10_000_000), { blank: true }),
  },
  rateLimitRead: {
    flag: 'rate-limit-read',
    env: 'LONGRUN_RATE_LIMIT_READ',
    help: 'other API requests per API key per window; 0 is no limit',
    default: '',
    parse: optional(int(0, 10_000_000), { blank: true }),
  },
  rateLimitWindowMs: {
    flag: 'rate-limit-window',
    env: 'LONGRUN_RATE_LIMIT_WINDOW',
    help: 'the window of both rate limits',
    default: '1m',
    parse: duration({ min: 1000 }),
  },
  authFailureLimit: {
    flag: 'auth-failure-limit',
    env: 'LONGRUN_AUTH_FAILURE_LIMIT',
    help: 'wrong API keys per client address per window; past it, wrong keys get 429 (valid keys still work); 0 is no limit',
    default: '20',
    parse: int(0, 10_000_000),
  },
  authFailureWindowMs: {
    flag: 'auth-failure-window',
    env: 'LONGRUN_AUTH_FAILURE_WINDOW',
    help: 'the window of --auth-failure-limit',
    default: '1m',
    parse: duration({ min: 1000 }),
  },
} as const satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

type ValueOf<S> = S extends { parse: Parser<infer T> }
  ? S extends { onlyWith: string }
    ? T | null
    : T
  : never;

/** The settings as read, before {@link DERIVED} fills the ones left unset. */
export type Settings = { -readonly [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> };

/** A default worked out when the setting is left unset: `text` says how (for help), `value` does it. */
export interface DerivedDefault {
  text: string;
  /** The value as a user would write it; the setting's parser reads it. */
  value: (settings: Settings) => string;
}

/** With API keys, each key gets this budget; a server without keys has none. */
function perKey(limit: number): DerivedDefault {
  return { text: `${limit} with API keys, none without`, value: (s) => (hasKeys(s) ? String(limit) : '0') };
}

export function hasKeys(
  s: Pick<Settings, 'apiKeys' | 'apiKeysFile' | 'operatorKeys' | 'workerKeys'>,
): boolean {
  return s.apiKeys !== null || s.apiKeysFile !== null || s.operatorKeys !== null || s.workerKeys !== null;
}

/** Defaults that depend on other settings or on the machine. */
export const DERIVED = {
  artifactsDir: { text: '<data-dir>/artifacts', value: (s) => join(s.dataDir, 'artifacts') },
  filesDir: { text: '<data-dir>/files', value: (s) => join(s.dataDir, 'files') },
  nodeName: { text: 'the host name', value: () => hostname() },
  concurrency: { text: 'number of cores', value: () => String(availableParallelism()) },
  rateLimitCreate: perKey(600),
  rateLimitRead: perKey(6000),
} satisfies { [K in SettingName]?: DerivedDefault };
