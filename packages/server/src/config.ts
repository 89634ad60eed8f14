import { isIP } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SCHEMA_PATTERN } from './store/postgres/connection.js';
import { parseSecret } from './webhooks/signing.js';

export type Role = 'api' | 'worker' | 'all';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Every setting of a longrun server, validated. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** postgres://… to use PostgreSQL; null for SQLite in the data dir. */
  databaseUrl: string | null;
  /** The PostgreSQL schema of longrun's tables (each deployment or test can have its own). */
  databaseSchema: string;
  /** The most PostgreSQL connections one process opens for its store (plus one LISTEN connection). */
  databasePoolSize: number;
  /** How often the LISTEN connection is probed; an unanswered probe means it is dead. */
  feedProbeIntervalMs: number;
  /** Where artifacts are kept; with PostgreSQL, a folder every node can reach. */
  artifactsDir: string;
  /** This node's name in lease owners; must differ between machines. */
  nodeName: string;
  role: Role;
  concurrency: number;
  simulateErrorRate: number;
  /** `key:tenant,key:tenant`; null when the server is open (loopback only). */
  apiKeys: string | null;
  /** Terminal jobs are deleted this long after they finish; 0 keeps them. */
  retentionMs: number;
  allowPrivateUrls: boolean;
  /** ffmpeg, ffprobe and espeak-ng to use; null: found on PATH, else the binaries npm packages ship. */
  ffmpegPath: string | null;
  ffprobePath: string | null;
  espeakPath: string | null;
  /** Allow binding a non-loopback address without API keys. */
  insecure: boolean;
  logLevel: LogLevel;
  leaseMs: number;
  shutdownGraceMs: number;
  jobTimeoutMs: number;
  maxAttempts: number;
  bodyLimit: number;
  /** A request whose headers and body have not all arrived after this long is answered 408 and closed. */
  requestTimeoutMs: number;
  sqliteSynchronous: 'full' | 'normal';
  /** How often leases and retention are checked. */
  maintenanceIntervalMs: number;
  /** Comment pings on SSE streams keep proxies from closing them. */
  sseKeepaliveMs: number;
  /** Origins allowed by CORS; empty means CORS is off. */
  corsOrigins: string[];
  /** A JSON file of hashed API keys and per-tenant webhook secrets (see docs/operations.md); null when unset. */
  apiKeysFile: string | null;
  /** The `whsec_…` secret webhooks are signed with, for tenants without their own; null when unset. */
  webhookSecret: string | null;
  /** A secret being rotated out: it signs alongside the current one until `until` (ms). */
  webhookSecretPrevious: { secret: string; until: number } | null;
  /** Delays before each retry of a failed delivery; its length is the number of retries. */
  webhookRetryScheduleMs: number[];
  /** How long one delivery request may take. */
  webhookTimeoutMs: number;
  /** How often a dispatcher looks for due deliveries written by other processes. */
  webhookPollIntervalMs: number;
  /**
   * Requests per API key (or client address) and window: job creation, and
   * everything else; 0 is no limit. Unset (null): 600 and 6000 per window
   * with API keys, no limit on an open (loopback) server.
   */
  rateLimitCreate: number | null;
  rateLimitRead: number | null;
  rateLimitWindowMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface Setting {
  flag: string;
  env: string;
  kind: 'string' | 'boolean';
  help: string;
  default: string;
}

/** The settings table: one flag and one variable each; the flag wins. */
export const SETTINGS = {
  host: {
    flag: 'host',
    env: 'LONGRUN_HOST',
    kind: 'string',
    help: 'address to listen on',
    default: '127.0.0.1',
  },
  port: {
    flag: 'port',
    env: 'LONGRUN_PORT',
    kind: 'string',
    help: 'port (0 picks a free one)',
    default: '8000',
  },
  dataDir: {
    flag: 'data-dir',
    env: 'LONGRUN_DATA_DIR',
    kind: 'string',
    help: 'folder for the SQLite file, artifacts and scratch files',
    default: './.longrun',
  },
  databaseUrl: {
    flag: 'database-url',
    env: 'DATABASE_URL',
    kind: 'string',
    help: 'postgres://… to use PostgreSQL instead of SQLite',
    default: '',
  },
  databaseSchema: {
    flag: 'database-schema',
    env: 'LONGRUN_DATABASE_SCHEMA',
    kind: 'string',
    help: 'PostgreSQL schema for the tables (created if missing)',
    default: 'longrun',
  },
  databasePoolSize: {
    flag: 'database-pool-size',
    env: 'LONGRUN_DATABASE_POOL_SIZE',
    kind: 'string',
    help: 'most PostgreSQL connections per process, besides the LISTEN one',
    default: '10',
  },
  feedProbeInterval: {
    flag: 'feed-probe-interval',
    env: 'LONGRUN_FEED_PROBE_INTERVAL',
    kind: 'string',
    help: 'how often the PostgreSQL LISTEN connection is checked; unanswered this long, it is replaced',
    default: '5s',
  },
  artifactsDir: {
    flag: 'artifacts-dir',
    env: 'LONGRUN_ARTIFACTS_DIR',
    kind: 'string',
    help: 'folder for job artifacts; with PostgreSQL, one every node mounts (default: <data-dir>/artifacts)',
    default: '',
  },
  nodeName: {
    flag: 'node-name',
    env: 'LONGRUN_NODE_NAME',
    kind: 'string',
    help: 'names this machine in job leases; give each machine its own (default: the host name)',
    default: '',
  },
  role: {
    flag: 'role',
    env: 'LONGRUN_ROLE',
    kind: 'string',
    help: 'api (HTTP, no workers), worker (workers; only /healthz, /readyz, /metrics) or all',
    default: 'all',
  },
  concurrency: {
    flag: 'concurrency',
    env: 'LONGRUN_CONCURRENCY',
    kind: 'string',
    help: 'jobs run at once by this process (default: number of cores)',
    default: '',
  },
  simulateErrorRate: {
    flag: 'simulate-error-rate',
    env: 'LONGRUN_SIMULATE_ERROR_RATE',
    kind: 'string',
    help: 'default error rate of simulated jobs, 0..1',
    default: '0.2',
  },
  apiKeys: {
    flag: 'api-keys',
    env: 'LONGRUN_API_KEYS',
    kind: 'string',
    help: 'key:tenant,key:tenant (unset: open, loopback only)',
    default: '',
  },
  retention: {
    flag: 'retention',
    env: 'LONGRUN_RETENTION',
    kind: 'string',
    help: 'delete finished jobs after this long (e.g. 24h; 0 keeps them)',
    default: '24h',
  },
  allowPrivateUrls: {
    flag: 'allow-private-urls',
    env: 'LONGRUN_ALLOW_PRIVATE_URLS',
    kind: 'boolean',
    help: 'let input and webhook URLs reach private addresses',
    default: 'false',
  },
  ffmpegPath: {
    flag: 'ffmpeg-path',
    env: 'FFMPEG_PATH',
    kind: 'string',
    help: 'the ffmpeg binary (unset: PATH, then the one the npm package @ffmpeg-installer/ffmpeg ships)',
    default: '',
  },
  ffprobePath: {
    flag: 'ffprobe-path',
    env: 'FFPROBE_PATH',
    kind: 'string',
    help: 'the ffprobe binary (unset: beside ffmpeg, PATH, then @ffprobe-installer/ffprobe)',
    default: '',
  },
  espeakPath: {
    flag: 'espeak-path',
    env: 'ESPEAK_NG_PATH',
    kind: 'string',
    help: 'the espeak-ng binary (unset: PATH, then the WebAssembly build of the npm package espeak-ng)',
    default: '',
  },
  insecure: {
    flag: 'insecure',
    env: 'LONGRUN_INSECURE',
    kind: 'boolean',
    help: 'allow a non-loopback address without API keys',
    default: 'false',
  },
  logLevel: {
    flag: 'log-level',
    env: 'LONGRUN_LOG_LEVEL',
    kind: 'string',
    help: 'fatal..trace, silent',
    default: 'info',
  },
  lease: {
    flag: 'lease',
    env: 'LONGRUN_LEASE',
    kind: 'string',
    help: 'how long a claim lasts without a heartbeat',
    default: '30s',
  },
  shutdownGrace: {
    flag: 'shutdown-grace',
    env: 'LONGRUN_SHUTDOWN_GRACE',
    kind: 'string',
    help: 'on SIGTERM, how long running jobs may finish before they are requeued',
    default: '10s',
  },
  jobTimeout: {
    flag: 'job-timeout',
    env: 'LONGRUN_JOB_TIMEOUT',
    kind: 'string',
    help: 'default per-attempt timeout',
    default: '1h',
  },
  maxAttempts: {
    flag: 'max-attempts',
    env: 'LONGRUN_MAX_ATTEMPTS',
    kind: 'string',
    help: 'default attempts per job (1..20)',
    default: '3',
  },
  bodyLimit: {
    flag: 'body-limit',
    env: 'LONGRUN_BODY_LIMIT',
    kind: 'string',
    help: 'largest request body, in bytes (k, m suffixes)',
    default: '1m',
  },
  requestTimeout: {
    flag: 'request-timeout',
    env: 'LONGRUN_REQUEST_TIMEOUT',
    kind: 'string',
    help: 'a request whose headers and body take longer than this to arrive is answered 408 and closed',
    default: '30s',
  },
  sqliteSynchronous: {
    flag: 'sqlite-synchronous',
    env: 'LONGRUN_SQLITE_SYNCHRONOUS',
    kind: 'string',
    help: 'full (survives power loss) or normal (survives crashes)',
    default: 'full',
  },
  maintenanceInterval: {
    flag: 'maintenance-interval',
    env: 'LONGRUN_MAINTENANCE_INTERVAL',
    kind: 'string',
    help: 'how often expired leases and retention are checked',
    default: '5s',
  },
  sseKeepalive: {
    flag: 'sse-keepalive',
    env: 'LONGRUN_SSE_KEEPALIVE',
    kind: 'string',
    help: 'interval of comment pings on SSE streams',
    default: '15s',
  },
  corsOrigins: {
    flag: 'cors-origins',
    env: 'LONGRUN_CORS_ORIGINS',
    kind: 'string',
    help: 'comma-separated origins allowed by CORS (unset: CORS off)',
    default: '',
  },
  apiKeysFile: {
    flag: 'api-keys-file',
    env: 'LONGRUN_API_KEYS_FILE',
    kind: 'string',
    help: 'JSON file of SHA-256-hashed API keys and per-tenant webhook secrets',
    default: '',
  },
  webhookSecret: {
    flag: 'webhook-secret',
    env: 'LONGRUN_WEBHOOK_SECRET',
    kind: 'string',
    help: 'whsec_… secret that signs webhooks (Standard Webhooks)',
    default: '',
  },
  webhookSecretPrevious: {
    flag: 'webhook-secret-previous',
    env: 'LONGRUN_WEBHOOK_SECRET_PREVIOUS',
    kind: 'string',
    help: 'the secret being rotated out; signs alongside until --webhook-secret-previous-until',
    default: '',
  },
  webhookSecretPreviousUntil: {
    flag: 'webhook-secret-previous-until',
    env: 'LONGRUN_WEBHOOK_SECRET_PREVIOUS_UNTIL',
    kind: 'string',
    help: 'when the previous secret stops signing (ISO 8601 time)',
    default: '',
  },
  webhookRetrySchedule: {
    flag: 'webhook-retry-schedule',
    env: 'LONGRUN_WEBHOOK_RETRY_SCHEDULE',
    kind: 'string',
    help: 'delays before each retry of a failed webhook delivery (jittered)',
    default: '5s,5m,30m,2h,5h,10h,10h',
  },
  webhookTimeout: {
    flag: 'webhook-timeout',
    env: 'LONGRUN_WEBHOOK_TIMEOUT',
    kind: 'string',
    help: 'how long one webhook request may take',
    default: '15s',
  },
  webhookPollInterval: {
    flag: 'webhook-poll-interval',
    env: 'LONGRUN_WEBHOOK_POLL_INTERVAL',
    kind: 'string',
    help: 'how often to look for webhook deliveries written by other processes',
    default: '1s',
  },
  rateLimitCreate: {
    flag: 'rate-limit-create',
    env: 'LONGRUN_RATE_LIMIT_CREATE',
    kind: 'string',
    help: 'POST /v1/jobs per API key per window; 0 is no limit (default: 600 with API keys, none without)',
    default: '',
  },
  rateLimitRead: {
    flag: 'rate-limit-read',
    env: 'LONGRUN_RATE_LIMIT_READ',
    kind: 'string',
    help: 'other API requests per API key per window; 0 is no limit (default: 6000 with API keys, none without)',
    default: '',
  },
  rateLimitWindow: {
    flag: 'rate-limit-window',
    env: 'LONGRUN_RATE_LIMIT_WINDOW',
    kind: 'string',
    help: 'the window of both rate limits',
    default: '1m',
  },
} as const satisfies Record<string, Setting>;

type SettingName = keyof typeof SETTINGS;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `5m`, `24h`, `7d`; a bare number is seconds. */
export function parseDuration(value: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) throw new ConfigError(`${name}: "${value}" is not a duration; use e.g. 500ms, 30s, 5m, 24h or 7d`);
  const ms = Number(m[1]) * UNITS[m[2] ?? 's']!;
  if (!Number.isFinite(ms) || ms > 365 * 86_400_000) throw new ConfigError(`${name}: "${value}" is too long`);
  return Math.round(ms);
}

function parseSize(value: string, name: string): number {
  const m = /^(\d+)(k|kb|m|mb)?$/i.exec(value.trim());
  if (!m) throw new ConfigError(`${name}: "${value}" is not a size; use bytes, or e.g. 512k or 1m`);
  const unit = (m[2] ?? '').toLowerCase();
  const bytes = Number(m[1]) * (unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1);
  if (bytes < 1024 || bytes > 1024 * 1024 * 1024)
    throw new ConfigError(`${name}: must be between 1k and 1024m`);
  return bytes;
}

function parseIntIn(value: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim())) throw new ConfigError(`${name}: "${value}" is not a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(`${name}: ${n} is out of range; use ${min}..${max}`);
  return n;
}

function parseBool(value: string, name: string): boolean {
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new ConfigError(`${name}: "${value}" is not true or false`);
}

/** A tool from the settings: a path (relative to the working folder) or a bare command name; empty is unset. */
function toolPath(value: string, cwd: string): string | null {
  const v = value.trim();
  if (v === '') return null;
  return /[/\\]/.test(v) ? resolve(cwd, v) : v;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const h = host.replace(/^\[|\]$/g, '');
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * Read settings from flags and environment (flags win), check every value,
 * and return one typed Config. Throws {@link ConfigError} with a message that
 * names the flag or variable and what is accepted.
 */
export function loadConfig({
  argv = [],
  env = process.env,
  cwd = process.cwd(),
}: {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
} = {}): Config {
  const options = Object.fromEntries(
    Object.values(SETTINGS).map((s) => [s.flag, { type: s.kind }] as const),
  ) as Record<string, { type: 'string' | 'boolean' }>;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}. Run with --help to see the flags.`);
  }
  const raw = (name: SettingName): { value: string; source: string } => {
    const s: Setting = SETTINGS[name];
    const flag = values[s.flag];
    if (flag !== undefined) return { value: String(flag), source: `--${s.flag}` };
    const fromEnv = env[s.env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: s.env };
    return { value: s.default, source: `--${s.flag}` };
  };

  const host = raw('host').value;
  const port = parseIntIn(raw('port').value, raw('port').source, 0, 65535);
  const role = raw('role');
  if (!['api', 'worker', 'all'].includes(role.value)) {
    throw new ConfigError(`${role.source}: "${role.value}" is not a role; use api, worker or all`);
  }
  const concurrency = raw('concurrency');
  const rate = raw('simulateErrorRate');
  const simulateErrorRate = Number(rate.value);
  if (
    rate.value.trim() === '' ||
    !Number.isFinite(simulateErrorRate) ||
    simulateErrorRate < 0 ||
    simulateErrorRate > 1
  ) {
    throw new ConfigError(`${rate.source}: "${rate.value}" is not a rate; use a number from 0 to 1`);
  }
  const databaseUrl = raw('databaseUrl').value || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`${raw('databaseUrl').source}: must start with postgres:// or postgresql://`);
  }
  const schema = raw('databaseSchema');
  if (!SCHEMA_PATTERN.test(schema.value)) {
    throw new ConfigError(
      `${schema.source}: "${schema.value}" is not a usable schema name; use 1-48 of a-z, 0-9 and _, not starting with a digit`,
    );
  }
  const feedProbe = raw('feedProbeInterval');
  const feedProbeIntervalMs = parseDuration(feedProbe.value, feedProbe.source);
  if (feedProbeIntervalMs < 100) throw new ConfigError(`${feedProbe.source}: use at least 100ms`);
  const dataDir = resolve(cwd, raw('dataDir').value);
  const artifactsDir = raw('artifactsDir').value;
  const nodeName = raw('nodeName').value || hostname();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(nodeName)) {
    throw new ConfigError(`${raw('nodeName').source}: "${nodeName}" must be 1-64 of A-Z a-z 0-9 . _ -`);
  }
  const apiKeys = raw('apiKeys').value || null;
  const keysFile = raw('apiKeysFile').value;
  const apiKeysFile = keysFile ? resolve(cwd, keysFile) : null;
  const insecure = parseBool(raw('insecure').value, raw('insecure').source);
  if (!isLoopback(host) && apiKeys === null && apiKeysFile === null && !insecure) {
    throw new ConfigError(
      `Refusing to listen on ${host} without API keys: anyone who can reach it could run jobs. ` +
        'Set --api-keys (LONGRUN_API_KEYS) or --api-keys-file, or pass --insecure if the network is trusted.',
    );
  }
  const webhookSecret = raw('webhookSecret').value || null;
  if (webhookSecret !== null) checkSecret(webhookSecret, raw('webhookSecret').source);
  const previous = raw('webhookSecretPrevious');
  const previousUntil = raw('webhookSecretPreviousUntil');
  let webhookSecretPrevious: Config['webhookSecretPrevious'] = null;
  if (previous.value) {
    checkSecret(previous.value, previous.source);
    const until = Date.parse(previousUntil.value);
    if (!previousUntil.value || !Number.isFinite(until)) {
      throw new ConfigError(
        `${previousUntil.source}: give the time the previous webhook secret stops signing, e.g. 2030-01-31T00:00:00Z`,
      );
    }
    webhookSecretPrevious = { secret: previous.value, until };
  }
  const schedule = raw('webhookRetrySchedule');
  const webhookRetryScheduleMs = schedule.value
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => parseDuration(d, schedule.source));
  if (webhookRetryScheduleMs.length > 50) throw new ConfigError(`${schedule.source}: at most 50 retries`);
  const webhookTimeoutMs = parseDuration(raw('webhookTimeout').value, raw('webhookTimeout').source);
  if (webhookTimeoutMs < 100) throw new ConfigError(`${raw('webhookTimeout').source}: use at least 100ms`);
  const rateWindow = raw('rateLimitWindow');
  const rateLimitWindowMs = parseDuration(rateWindow.value, rateWindow.source);
  if (rateLimitWindowMs < 1000) throw new ConfigError(`${rateWindow.source}: use at least 1s`);
  const logLevel = raw('logLevel');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel.value)) {
    throw new ConfigError(
      `${logLevel.source}: "${logLevel.value}" is not a log level; use fatal, error, warn, info, debug, trace or silent`,
    );
  }
  const sync = raw('sqliteSynchronous');
  if (!['full', 'normal'].includes(sync.value)) {
    throw new ConfigError(`${sync.source}: "${sync.value}" must be full or normal`);
  }
  const requestTimeoutMs = parseDuration(raw('requestTimeout').value, raw('requestTimeout').source);
  if (requestTimeoutMs < 1000) throw new ConfigError(`${raw('requestTimeout').source}: use at least 1s`);
  const leaseMs = parseDuration(raw('lease').value, raw('lease').source);
  if (leaseMs < 1000)
    throw new ConfigError(`${raw('lease').source}: a lease shorter than 1s would expire between heartbeats`);

  return {
    host,
    port,
    dataDir,
    databaseUrl,
    databaseSchema: schema.value,
    databasePoolSize: parseIntIn(raw('databasePoolSize').value, raw('databasePoolSize').source, 1, 1000),
    feedProbeIntervalMs,
    artifactsDir: artifactsDir ? resolve(cwd, artifactsDir) : join(dataDir, 'artifacts'),
    nodeName,
    role: role.value as Role,
    concurrency:
      concurrency.value === ''
        ? availableParallelism()
        : parseIntIn(concurrency.value, concurrency.source, 1, 1024),
    simulateErrorRate,
    apiKeys,
    retentionMs: parseDuration(raw('retention').value, raw('retention').source),
    allowPrivateUrls: parseBool(raw('allowPrivateUrls').value, raw('allowPrivateUrls').source),
    ffmpegPath: toolPath(raw('ffmpegPath').value, cwd),
    ffprobePath: toolPath(raw('ffprobePath').value, cwd),
    espeakPath: toolPath(raw('espeakPath').value, cwd),
    insecure,
    logLevel: logLevel.value as LogLevel,
    leaseMs,
    shutdownGraceMs: parseDuration(raw('shutdownGrace').value, raw('shutdownGrace').source),
    jobTimeoutMs: parseDuration(raw('jobTimeout').value, raw('jobTimeout').source),
    maxAttempts: parseIntIn(raw('maxAttempts').value, raw('maxAttempts').source, 1, 20),
    bodyLimit: parseSize(raw('bodyLimit').value, raw('bodyLimit').source),
    requestTimeoutMs,
    sqliteSynchronous: sync.value as 'full' | 'normal',
    maintenanceIntervalMs: Math.max(
      100,
      parseDuration(raw('maintenanceInterval').value, raw('maintenanceInterval').source),
    ),
    sseKeepaliveMs: Math.max(100, parseDuration(raw('sseKeepalive').value, raw('sseKeepalive').source)),
    corsOrigins: raw('corsOrigins')
      .value.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    apiKeysFile,
    webhookSecret,
    webhookSecretPrevious,
    webhookRetryScheduleMs,
    webhookTimeoutMs,
    webhookPollIntervalMs: Math.max(
      50,
      parseDuration(raw('webhookPollInterval').value, raw('webhookPollInterval').source),
    ),
    rateLimitCreate: optionalInt(raw('rateLimitCreate')),
    rateLimitRead: optionalInt(raw('rateLimitRead')),
    rateLimitWindowMs,
  };
}

function optionalInt({ value, source }: { value: string; source: string }): number | null {
  return value.trim() === '' ? null : parseIntIn(value, source, 0, 10_000_000);
}

/** A `whsec_` secret must decode to enough bytes to sign with. */
function checkSecret(value: string, source: string): void {
  try {
    parseSecret(value);
  } catch (err) {
    throw new ConfigError(`${source}: ${(err as Error).message}`);
  }
}

/** The help text of the settings, for `--help`. */
export function settingsHelp(): string {
  return Object.values(SETTINGS)
    .map((s: Setting) => {
      const flag = `  --${s.flag}${s.kind === 'string' ? ' <value>' : ''}`;
      const dflt = s.default && s.default !== 'false' ? ` (default ${s.default})` : '';
      return `${flag.padEnd(32)} ${s.help}${dflt}\n${''.padEnd(33)}env ${s.env}`;
    })
    .join('\n');
}
