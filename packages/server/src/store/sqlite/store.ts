import { randomUUID } from 'node:crypto';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ByteBoundedMap } from '../../internal/byte-bounded-map.js';
import type { JsonObject, StoredJob } from '../../jobs/model.js';
import { ALL_STATES, type JobStatus, TERMINAL_STATES } from '../../jobs/states.js';
import type {
  DeliveryAttempt,
  DeliveryLease,
  DeliveryOutcome,
  WebhookDelivery,
} from '../../webhooks/model.js';
import { type FileRow, type NewFile, type StoredFile, toFile } from '../file-row.js';
import { insertedRow, insertTexts } from '../inserted-row.js';
import {
  type JobRow,
  jobColumns,
  LIST_FIELD_MAX_BYTES,
  listColumns,
  MUTABLE_COLUMNS,
  toJob,
} from '../job-row.js';
import {
  appendHistory,
  type DeliveryRow,
  deliveryError,
  newDeliveryId,
  snapshotOf,
  toDelivery,
  webhookEventsOf,
  webhookUrl,
} from '../outbox.js';
import { type QueueCountsRow, queueCountsOf } from '../queue-counts.js';
import { type PositionCounts, positionColumns, queuePosition } from '../queue-position.js';
import type {
  CancelResult,
  ChangeCursor,
  ClaimOptions,
  DeleteResult,
  DeliveryClaimOptions,
  FileListFilter,
  FinishItem,
  FinishOptions,
  HeldJob,
  InsertResult,
  JobStore,
  Lease,
  ListFilter,
  NewJob,
  ProgressPatch,
  QueueCountsFilter,
  RemoteType,
  WorkerRecord,
} from '../store.js';
import {
  cancelChange,
  cancelDecision,
  claimChange,
  finishChange,
  idempotencyDecision,
  isDeletable,
  logPage,
  lostLeaseChange,
  nextRow,
  type RowChange,
  releaseChange,
  reportChange,
} from '../transitions.js';
import { takeTurns, type Waiting } from '../turns.js';
import {
  type HeldJobRow,
  latestDeclarations,
  type RemoteTypeRow,
  toHeldJob,
  toRemoteType,
  toWorker,
  type WorkerRow,
} from '../worker-row.js';
import { GroupCommitter } from './committer.js';
import { migrateSqlite } from './migrate.js';

export interface SqliteStoreOptions {
  /** The database file; ':memory:' for a private in-memory database. */
  filename: string;
  /**
   * `full`: a write is acknowledged only once it is on disk, so a power cut
   * loses nothing acknowledged (the guarantee of SQLite's `synchronous=FULL`,
   * with the fsync off the event loop; see GroupCommitter). `normal`: SQLite's
   * `synchronous=NORMAL`, which a crash cannot hurt but a power cut can cost
   * the last writes.
   */
  synchronous: 'full' | 'normal';
  /** Flush a file descriptor to disk (injectable for tests). @default fs.fdatasync */
  fsync?: (fd: number) => Promise<void>;
}

/**
 * The connection's page cache, in KiB as `cache_size` takes it (negative):
 * SQLite's own default, not better-sqlite3's 16 MiB. A commit after a b-tree
 * split that reordered its pages (SQLite swaps them through the page number
 * of the 1 GiB locking byte) walks every page the cache holds to drop those
 * past the end of the file. Jobs changing state all the time make that many
 * commits a second, and at 16 MiB (about 3,900 pages) it took about 4% of
 * the server's CPU in bulk. The pages a queue works on (the newest rows, the
 * edges of its indexes) fit in 2 MiB; an older job's page is read from the
 * OS's cache.
 */
const PAGE_CACHE_KIB = -2000;

/** A list read's columns: a long input or output is not even loaded (octet_length reads the record header). */
const LIST_COLUMNS = listColumns('jobs', (column) => `octet_length(${column})`);
/** Every other read's and write's: a long input is read by seq, and kept (see {@link LONG_INPUTS_BYTES}). */
const JOB_COLUMNS = jobColumns('jobs', (column) => `octet_length(${column})`);

/**
 * The parsed long inputs kept, by their JSON's length. A job's input never
 * changes and a seq is never reused, so each state change of a job with a
 * megabyte input (created, claimed, each progress report, finished) hands on
 * the one object instead of reading and parsing its megabyte again; the few
 * jobs being worked on or watched at a time fit.
 */
const LONG_INPUTS_BYTES = 16 * 1024 * 1024;

/** An insert's outcome inside its transaction: the row, and the input when the caller gave it parsed. */
interface Inserted {
  outcome: InsertResult['outcome'];
  row: JobRow;
  input?: JsonObject | undefined;
}

/** A row as this process wrote it last, and its parsed input. */
interface HeldRow {
  row: JobRow;
  input: JsonObject;
}

/**
 * The bytes of lease rows kept: enough for the jobs running here. A lease that
 * ends with no write here (canceled or recovered by another process) lingers
 * until pushed out; one pushed out costs a read, nothing more.
 */
const HELD_LEASE_BYTES = 32 * 1024 * 1024;

/**
 * The bytes of queued rows kept: the jobs submitted here lately, which a claim
 * then takes without reading their rows back (a row of 30 columns costs more
 * to make into an object than to find). A deep queue's oldest are pushed out
 * first and read as before. Only short rows are kept: a job with a long input
 * gains little (its input is kept in {@link LONG_INPUTS_BYTES} anyway), and a
 * thousand of them scheduled ahead would hold this whole budget.
 */
const HELD_QUEUED_BYTES = 8 * 1024 * 1024;
const HELD_QUEUED_ROW_BYTES = 16 * 1024;

/** The index of the running jobs, named where a read of them all must not become a read of every job. */
const BY_RUNNING = 'INDEXED BY jobs_running_by_queue';

/** The terminal states as an SQL list, from the state table: SQLite binds no arrays. */
const TERMINAL_SQL = [...TERMINAL_STATES].map((s) => `'${s}'`).join(', ');
/**
 * The jobs a change at or after `@since` can have left as they are: those not yet finished, and
 * those finished since (a finished job is not written again, so its finish is its last change).
 * Each part is read through an index of its own (SQLite makes no use of partial indexes for the
 * arms of an OR, hence the union), so a catch-up reads what changed, not the table.
 */
const CHANGED_SEQS = `SELECT seq FROM jobs WHERE status = 'queued' AND updated_at >= @since
  UNION ALL SELECT seq FROM jobs WHERE status = 'running' AND updated_at >= @since
  UNION ALL SELECT seq FROM jobs WHERE finished_at >= @since AND updated_at >= @since`;

/**
 * The embedded store: one SQLite file in WAL mode. better-sqlite3 is
 * synchronous, so within one process each method runs to completion without
 * interleaving; across processes, writes take SQLite's write lock
 * (`BEGIN IMMEDIATE`), so a claim is never given to two workers.
 */
// A change's set of columns is a 32-bit mask (see #update).
if (MUTABLE_COLUMNS.length > 31) throw new Error('MUTABLE_COLUMNS has outgrown the update key of 31 bits');

/**
 * A LIMIT or OFFSET bound at each run, given as `parameter`. SQLite reads the value of a plain
 * `LIMIT ?` when it plans the statement, and so prepares the statement again whenever that
 * parameter is bound, which is at every run: 15 µs against 3 for a claim's look at one tenant's
 * next jobs. Through a CAST the planner does not read the value.
 */
function countOf(parameter: string): string {
  return `CAST(${parameter} AS INTEGER)`;
}
const COUNT = countOf('?');

/** A change's prepared UPDATE, and what reads its parameters (the columns it sets, then seq and version) from a row. */
interface RowUpdate {
  statement: Database.Statement<unknown[]>;
  values: (row: JobRow) => unknown[];
}

// A write's parameters are bound by position: a named binding looks each name up on the row, a
// quarter of the binding's time. The two functions below read a row's columns each by its own
// name, compiled once from the store's own column names: a loop over the names reads each through
// V8's megamorphic lookup, which cost as much again.

/** The columns `next` changes from `row`, as bits in MUTABLE_COLUMNS order: the key of its prepared UPDATE. */
const changedColumns = new Function(
  'next',
  'row',
  `let bits = 0;\n${MUTABLE_COLUMNS.map((column, i) => `if (next.${column} !== row.${column}) bits |= ${1 << i};`).join('\n')}\nreturn bits;`,
) as (next: JobRow, row: JobRow) => number;

/** A function that reads `columns` of a row, in order, into an array. */
function rowReader(columns: readonly (keyof JobRow)[]): (row: JobRow) => unknown[] {
  return new Function('row', `return [${columns.map((column) => `row.${column}`).join(', ')}];`) as (
    row: JobRow,
  ) => unknown[];
}

export class SqliteJobStore implements JobStore {
  readonly #db: Database.Database;
  #prepared: ReturnType<SqliteJobStore['prepare']> | undefined;
  readonly #committer: GroupCommitter;
  /** Long inputs read or written lately, by seq (shared by the snapshots of a job: an input is never written to). */
  readonly #inputs = new ByteBoundedMap<number, JsonObject>({ maxBytes: LONG_INPUTS_BYTES });
  /** Statements whose text depends on the call (the claim's type filter), prepared once per text. */
  readonly #dynamic = new Map<string, Database.Statement<unknown[], JobRow>>();
  /** The UPDATE of each set of changed columns (see {@link #write}). */
  readonly #updates = new Map<number, RowUpdate>();
  /** The row of each lease this process holds, as it last wrote it (see {@link #fenced}). */
  readonly #leases = new ByteBoundedMap<string, HeldRow>({
    maxBytes: HELD_LEASE_BYTES,
    maxEntryBytes: HELD_LEASE_BYTES / 16,
  });
  /**
   * The first seq of each insert of this process still awaiting its sync, by
   * the insert: a claim that takes none of those jobs or any after them
   * reads only synced inserts (see {@link claim}).
   */
  readonly #unsyncedInserts = new Map<object, number>();
  /** The row of each queued job as this process last wrote it, by seq (see {@link claim}). */
  readonly #queued = new ByteBoundedMap<number, HeldRow>({
    maxBytes: HELD_QUEUED_BYTES,
    maxEntryBytes: HELD_QUEUED_ROW_BYTES,
  });

  constructor({ filename, synchronous, fsync }: SqliteStoreOptions) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    let db: Database.Database | undefined;
    try {
      db = new Database(filename);
      // WAL mode needs to write beside the file: a read-only data dir fails here.
      db.pragma('journal_mode = WAL');
    } catch (err) {
      db?.close();
      throw new Error(`cannot open the SQLite database ${filename}: ${whyNotWritable(filename, err)}`, {
        cause: err,
      });
    }
    this.#db = db;
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma(`cache_size = ${PAGE_CACHE_KIB}`);
    this.#committer = new GroupCommitter({
      db: this.#db,
      filename,
      durable: synchronous === 'full',
      ...(fsync ? { fsync } : {}),
    });
  }

  /** Every write goes through the group committer: one transaction, and one sync, per tick. */
  #tx<T>(fn: () => T, opts?: { unsynced?: boolean; readsSynced?: (value: T) => boolean }): Promise<T> {
    return this.#committer.run(fn, opts);
  }

  get #s(): ReturnType<SqliteJobStore['prepare']> {
    if (!this.#prepared) throw new Error('SqliteJobStore: call migrate() before using the store');
    return this.#prepared;
  }

  async migrate(): Promise<void> {
    migrateSqlite(this.#db);
    await this.#committer.run(() => undefined); // the schema reaches the disk before any job does
    this.#prepared ??= this.prepare();
  }

  async close(): Promise<void> {
    if (!this.#db.open) return;
    await this.#committer.close();
    this.#db.close();
  }

  async ping(): Promise<void> {
    this.#db.prepare('SELECT 1').get();
  }

  private prepare() {
    const db = this.#db;
    return {
      byKey: db.prepare<[string, string], JobRow>(
        `SELECT ${JOB_COLUMNS} FROM jobs WHERE tenant = ? AND id = ?`,
      ),
      // Many rows in one statement: SQLite binds no arrays, so the seqs come as one JSON array.
      bySeqs: db.prepare<[string], JobRow>(
        `SELECT ${JOB_COLUMNS} FROM jobs WHERE seq IN (SELECT value FROM json_each(?))`,
      ),
      byIds: db.prepare<[string, string], JobRow>(
        `SELECT ${JOB_COLUMNS} FROM jobs WHERE tenant = ? AND id IN (SELECT value FROM json_each(?))`,
      ),
      input: db.prepare<[number], { input: string }>('SELECT input FROM jobs WHERE seq = ?'),
      byToken: db.prepare<[string], JobRow>(
        `SELECT ${JOB_COLUMNS} FROM jobs WHERE lease_token = ? AND status = 'running'`,
      ),
      byIdempotency: db.prepare<[string, string], JobRow>(
        `SELECT ${JOB_COLUMNS} FROM jobs WHERE tenant = ? AND idempotency_key = ?`,
      ),
      forgetIdempotency: db.prepare<[number]>(
        'UPDATE jobs SET idempotency_key = NULL, request_hash = NULL WHERE seq = ?',
      ),
      // A taken id is a conflict of the insert itself (no read first); only then is the winner read.
      // The new seq is the insert's rowid, not a RETURNING clause: SQLite gathers what RETURNING
      // gives in a table of its own, made for each run (about a fifth of an insert's time).
      insert: db.prepare<
        [
          string,
          string,
          string,
          string,
          number,
          string,
          string,
          number,
          number,
          number,
          number,
          string | null,
          string | null,
          string | null,
        ]
      >(
        `INSERT INTO jobs (tenant, id, type, queue, priority, status, input, metadata, max_attempts, created_at,
                           updated_at, run_at, idempotency_key, request_hash, webhook, logs_tail_ts)
         VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]')
         ON CONFLICT (tenant, id) DO NOTHING`,
      ),
      queuePosition: db.prepare<{ now: number; seq: number }, PositionCounts>(
        `SELECT ${positionColumns('jobs', 'j', '@now')} FROM jobs j WHERE j.seq = @seq`,
      ),
      paused: db.prepare<[string], { paused: number }>('SELECT paused FROM queues WHERE name = ?'),
      setPaused: db.prepare<[string, number, number]>(
        `INSERT INTO queues (name, paused, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at`,
      ),
      pausedQueues: db.prepare<[], { name: string }>(
        'SELECT name FROM queues WHERE paused = 1 ORDER BY name',
      ),
      runningByTenant: db.prepare<[string], { tenant: string; n: number }>(
        "SELECT tenant, COUNT(*) AS n FROM jobs WHERE status = 'running' AND queue = ? GROUP BY tenant",
      ),
      // The distinct tenants waiting in a queue, one index seek each rather than a scan of every job.
      queuedTenants: db.prepare<{ queue: string }, { tenant: string }>(
        `WITH RECURSIVE t(tenant) AS (
           SELECT (SELECT MIN(tenant) FROM jobs WHERE status = 'queued' AND queue = @queue)
           UNION ALL
           SELECT (SELECT MIN(tenant) FROM jobs WHERE status = 'queued' AND queue = @queue AND tenant > t.tenant)
           FROM t WHERE t.tenant IS NOT NULL
         ) SELECT tenant FROM t WHERE tenant IS NOT NULL`,
      ),
      // The fields the turns are taken by, from the index alone. Named: without statistics
      // SQLite would rather range over run_at and sort the whole queue.
      tenantDue: db.prepare<[string, string, number, number, number], Waiting>(
        `SELECT seq, tenant, priority, run_at FROM jobs INDEXED BY jobs_queued_by_tenant
         WHERE status = 'queued' AND queue = ? AND tenant = ? AND run_at <= ?
         ORDER BY priority DESC, run_at, seq LIMIT ${COUNT} OFFSET ${COUNT}`,
      ),
      queueCounts: db.prepare<{ now: number; queue: string | null; tenant: string | null }, QueueCountsRow>(
        // Three index scans (queued, running, recently finished), not one scan of every job.
        `SELECT queue, SUM(q) AS queued, SUM(s) AS scheduled, SUM(r) AS running, MIN(o) AS oldest_due_at,
           SUM(f) AS finished_last_minute
         FROM (
           SELECT queue, run_at <= @now AS q, run_at > @now AS s, 0 AS r,
             CASE WHEN run_at <= @now THEN MAX(run_at, created_at) END AS o, 0 AS f
           FROM jobs WHERE status = 'queued' AND (@queue IS NULL OR queue = @queue) AND (@tenant IS NULL OR tenant = @tenant)
           UNION ALL
           SELECT queue, 0, 0, 1, NULL, 0 FROM jobs
           WHERE status = 'running' AND (@queue IS NULL OR queue = @queue) AND (@tenant IS NULL OR tenant = @tenant)
           UNION ALL
           SELECT queue, 0, 0, 0, NULL, 1 FROM jobs
           WHERE finished_at >= @now - 60000 AND (@queue IS NULL OR queue = @queue) AND (@tenant IS NULL OR tenant = @tenant)
         ) GROUP BY queue ORDER BY queue`,
      ),
      logs: db.prepare<[number, number, number], { n: number; ts: number; line: string }>(
        `SELECT n, ts, line FROM job_logs WHERE job_seq = ? AND n > ? ORDER BY n LIMIT ${COUNT}`,
      ),
      insertLog: db.prepare<[number, number, number, string]>(
        'INSERT INTO job_logs (job_seq, n, ts, line) VALUES (?, ?, ?, ?)',
      ),
      heartbeat: db.prepare<[number, string]>(
        "UPDATE jobs SET lease_expires_at = MAX(lease_expires_at, ?) WHERE lease_token = ? AND status = 'running'",
      ),
      // The running jobs are few (as many as the workers' slots), so the sweeps of running jobs
      // read them all through the running index and filter. Named: for ORDER BY seq SQLite,
      // without statistics, would rather read every job in seq order.
      expired: db.prepare<[number], JobRow>(
        `SELECT ${JOB_COLUMNS} FROM jobs ${BY_RUNNING} WHERE status = 'running' AND lease_expires_at < ? ORDER BY seq`,
      ),
      owners: db.prepare<[], { lease_owner: string }>(
        `SELECT DISTINCT lease_owner FROM jobs ${BY_RUNNING} WHERE status = 'running' AND lease_owner IS NOT NULL`,
      ),
      byOwner: db.prepare<[string], JobRow>(
        `SELECT ${JOB_COLUMNS} FROM jobs ${BY_RUNNING} WHERE status = 'running' AND lease_owner = ? ORDER BY seq`,
      ),
      // substr, not LIKE: SQLite's LIKE ignores the case of ASCII letters (worker ids are mixed
      // case), and a prefix's % and _ would be wildcards.
      byOwnerPrefix: db.prepare<{ prefix: string }, HeldJobRow>(
        `SELECT lease_owner, tenant, id, type, started_at FROM jobs ${BY_RUNNING}
         WHERE status = 'running' AND substr(lease_owner, 1, length(@prefix)) = @prefix
         ORDER BY started_at, seq`,
      ),
      purgeable: db.prepare<[number, number], { seq: number; tenant: string; id: string }>(
        `SELECT seq, tenant, id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?
           AND status IN (${TERMINAL_SQL}) ORDER BY finished_at, seq LIMIT ${COUNT}`,
      ),
      deleteSeq: db.prepare<[number]>('DELETE FROM jobs WHERE seq = ?'),
      counts: db.prepare<[], { status: JobStatus; n: number }>(
        'SELECT status, COUNT(*) AS n FROM jobs GROUP BY status',
      ),
      nextRunAt: db.prepare<[string], { t: number | null }>(
        "SELECT MIN(run_at) AS t FROM jobs WHERE status = 'queued' AND queue = ?",
      ),
      changedSince: db.prepare<{ since: number; limit: number }, JobRow>(
        `SELECT ${JOB_COLUMNS} FROM jobs WHERE seq IN (${CHANGED_SEQS}) ORDER BY updated_at, seq LIMIT ${countOf('@limit')}`,
      ),
      insertDelivery: db.prepare<[string, number, string, string, string, number, number, number, string]>(
        `INSERT INTO webhook_deliveries (id, job_seq, event, url, job, created_at, next_attempt_at)
         SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (
           SELECT 1 FROM webhook_deliveries WHERE job_seq = ? AND url = ? AND last_status = 410)`,
      ),
      dueDeliveries: db.prepare<[number, number], { id: string }>(
        `SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
         ORDER BY next_attempt_at, created_at LIMIT ${COUNT}`,
      ),
      leaseDelivery: db.prepare<[string, number, string], DeliveryRow>(
        `UPDATE webhook_deliveries SET lease_token = ?, next_attempt_at = ? WHERE id = ?
         RETURNING *, (SELECT tenant FROM jobs WHERE seq = job_seq) AS tenant,
                      (SELECT id FROM jobs WHERE seq = job_seq) AS job_id`,
      ),
      deliveryByToken: db.prepare<[string], DeliveryRow>(
        "SELECT * FROM webhook_deliveries WHERE lease_token = ? AND status = 'pending'",
      ),
      recordDelivery: db.prepare(
        `UPDATE webhook_deliveries SET status = @status, attempts = attempts + 1, next_attempt_at = @next,
           last_status = @last_status, last_error = @last_error, history = @history, lease_token = NULL
         WHERE id = @id`,
      ),
      stopDeliveries: db.prepare<[number, string]>(
        `UPDATE webhook_deliveries SET status = 'stopped', next_attempt_at = NULL, lease_token = NULL
         WHERE job_seq = ? AND url = ? AND status = 'pending'`,
      ),
      deliveriesOf: db.prepare<[string, string, number], DeliveryRow>(
        `SELECT d.*, ? AS tenant, ? AS job_id FROM webhook_deliveries d WHERE d.job_seq = ?
         ORDER BY d.created_at, json_extract(d.job, '$.version')`,
      ),
      deliveryOf: db.prepare<[string, string, number, string], DeliveryRow>(
        'SELECT d.*, ? AS tenant, ? AS job_id FROM webhook_deliveries d WHERE d.job_seq = ? AND d.id = ?',
      ),
      retryDelivery: db.prepare<[number, string]>(
        `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, lease_token = NULL
         WHERE id = ?`,
      ),
      nextDeliveryAt: db.prepare<[], { t: number | null }>(
        "SELECT MIN(next_attempt_at) AS t FROM webhook_deliveries WHERE status = 'pending'",
      ),
      insertFile: db.prepare<NewFile>(
        `INSERT INTO files (tenant, id, filename, content_type, bytes, sha256, created_at, expires_at)
         VALUES (@tenant, @id, @filename, @content_type, @bytes, @sha256, @createdAt, @expiresAt)
         ON CONFLICT (tenant, id) DO NOTHING`,
      ),
      fileByKey: db.prepare<[string, string], FileRow>('SELECT * FROM files WHERE tenant = ? AND id = ?'),
      filesOf: db.prepare<[string, number, number], FileRow>(
        `SELECT * FROM files WHERE tenant = ? AND seq < ? ORDER BY seq DESC LIMIT ${COUNT}`,
      ),
      deleteFile: db.prepare<[string, string], FileRow>(
        'DELETE FROM files WHERE tenant = ? AND id = ? RETURNING *',
      ),
      expiredFiles: db.prepare<[number, number], FileRow>(
        `DELETE FROM files WHERE seq IN (
           SELECT seq FROM files WHERE expires_at < ? ORDER BY expires_at, seq LIMIT ${COUNT}) RETURNING *`,
      ),
      // A worker registering again under its id keeps its first registered_at: it has been known
      // since then. Its name, key and types are the new ones; last_seen_at never goes back.
      upsertWorker: db.prepare<WorkerRow>(
        `INSERT INTO workers (id, name, key_id, types, registered_at, last_seen_at)
         VALUES (@id, @name, @key_id, @types, @registered_at, @last_seen_at)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, key_id = excluded.key_id, types = excluded.types,
           last_seen_at = MAX(last_seen_at, excluded.last_seen_at)`,
      ),
      // The latest declaration wins, whoever made it: the order of the writes, not of declared_at.
      declareType: db.prepare<RemoteTypeRow>(
        `INSERT INTO remote_types (type, description, input_schema, queue, declared_at)
         VALUES (@type, @description, @input_schema, @queue, @declared_at)
         ON CONFLICT (type) DO UPDATE SET description = excluded.description,
           input_schema = excluded.input_schema, queue = excluded.queue, declared_at = excluded.declared_at`,
      ),
      remoteTypes: db.prepare<[], RemoteTypeRow>('SELECT * FROM remote_types ORDER BY type'),
      workerById: db.prepare<[string], WorkerRow>('SELECT * FROM workers WHERE id = ?'),
      touchWorker: db.prepare<[number, string]>(
        'UPDATE workers SET last_seen_at = MAX(last_seen_at, ?) WHERE id = ?',
      ),
      workers: db.prepare<[], WorkerRow>('SELECT * FROM workers ORDER BY last_seen_at DESC, id'),
      removeWorker: db.prepare<[string]>('DELETE FROM workers WHERE id = ?'),
      purgeWorkers: db.prepare<[number]>('DELETE FROM workers WHERE last_seen_at < ?'),
      changedAfter: db.prepare<{ since: number; after: number; seq: number; limit: number }, JobRow>(
        `SELECT ${JOB_COLUMNS} FROM jobs WHERE seq IN (${CHANGED_SEQS})
           AND (updated_at > @after OR (updated_at = @after AND seq > @seq))
         ORDER BY updated_at, seq LIMIT ${countOf('@limit')}`,
      ),
    };
  }

  /** A prepared statement for `sql`, kept for the next call with the same text (preparing costs more than running). */
  #statement(sql: string): Database.Statement<unknown[], JobRow> {
    let statement = this.#dynamic.get(sql);
    if (!statement) {
      statement = this.#db.prepare<unknown[], JobRow>(sql);
      this.#dynamic.set(sql, statement);
    }
    return statement;
  }

  /** A row as a job: whole, or (`listed`) with a long input shown as left out; no queue position (see the contract). */
  #job(row: JobRow, listed = false): StoredJob {
    return toJob(row, null, listed ? undefined : this.#longInput(row));
  }

  /** The input a row read with {@link JOB_COLUMNS} left out for its length, or undefined when it has its own. */
  #longInput(row: JobRow): JsonObject | undefined {
    if (row.input !== null || row.input_bytes == null) return undefined;
    const input = this.#inputs.get(row.seq) ?? (JSON.parse(this.#s.input.get(row.seq)!.input) as JsonObject);
    this.#inputs.set(row.seq, input, row.input_bytes); // newest again: the oldest go first
    return input;
  }

  /**
   * The one place a state change is written: `change` is checked against the
   * transition table (in {@link nextRow}), its log lines appended, the version
   * bumped; the version check makes a lost race impossible to miss. Only the
   * columns the change alters are set, so an index none of them is in is not
   * touched (a progress report changes no index at all), and nothing is read
   * back: the row written is the row decided.
   */
  #write(row: JobRow, change: RowChange, now: number, input?: JsonObject): StoredJob {
    const job = this.#tryWrite(row, change, now, input);
    if (!job) throw new Error(`job ${row.tenant}/${row.id} changed underneath a write`);
    return job;
  }

  /** {@link #write}, or null (and nothing written) when the row is no longer at the version read. */
  #tryWrite(row: JobRow, change: RowChange, now: number, input?: JsonObject): StoredJob | null {
    const { next, logs } = nextRow(row, change, now);
    const update = this.#update(changedColumns(next, row));
    if (update.statement.run(update.values(next)).changes !== 1) return null;
    for (const { n, ts, line } of logs) this.#s.insertLog.run(row.seq, n, ts, line);
    // The outbox row commits with the change or not at all.
    const events = webhookEventsOf(row, next);
    if (events.length > 0) {
      const url = webhookUrl(next);
      const snapshot = snapshotOf(next);
      for (const event of events) {
        this.#s.insertDelivery.run(newDeliveryId(), row.seq, event, url, snapshot, now, now, row.seq, url);
      }
    }
    // The row as written: `next` is this change's own copy, so it takes the new version in place.
    const written = next;
    written.version = row.version + 1;
    if (row.lease_token !== null) this.#leases.delete(row.lease_token);
    if (row.status === 'queued') this.#queued.delete(row.seq);
    const job = toJob(written, null, input ?? this.#longInput(written));
    this.#hold(written, job);
    return job;
  }

  /**
   * Keep a row this process just wrote for the change it waits for: a queued
   * one for its claim, a running one for its holder's report or finish. Each
   * such change tries the kept row first, guarded by its version.
   */
  #hold(row: JobRow, job: StoredJob): void {
    if (row.status === 'queued') {
      this.#queued.set(row.seq, { row, input: job.input }, job.json_bytes);
    } else if (row.status === 'running' && row.lease_token !== null) {
      this.#leases.set(row.lease_token, { row, input: job.input }, job.json_bytes);
    }
  }

  /**
   * The UPDATE of a change that sets the columns whose bits `changed` holds
   * (bit i: MUTABLE_COLUMNS[i]) and always the version, prepared once per set.
   */
  #update(changed: number): RowUpdate {
    let update = this.#updates.get(changed);
    if (!update) {
      const columns = MUTABLE_COLUMNS.filter((_, i) => changed & (1 << i));
      const set = columns.map((column) => `${column} = ?`);
      const statement = this.#db.prepare<unknown[]>(
        `UPDATE jobs SET ${[...set, 'version = version + 1'].join(', ')} WHERE seq = ? AND version = ?`,
      );
      update = { statement, values: rowReader([...columns, 'seq', 'version']) };
      this.#updates.set(changed, update);
    }
    return update;
  }

  async insert(job: NewJob): Promise<InsertResult> {
    const [result] = await this.insertMany([job]);
    return result!;
  }

  async insertMany(jobs: readonly NewJob[]): Promise<InsertResult[]> {
    if (jobs.length === 0) return [];
    const now = Date.now();
    const insert = {};
    try {
      // One committer run: the whole batch is one transaction and one sync, however many jobs it holds.
      return await this.#tx(() => {
        const results = jobs.map((job) => this.#result(this.#insertOne(job, job.now ?? now)));
        const created = results.find((r) => r.outcome === 'created');
        // Set again, not added, when the batch runs again after a failed write (see GroupCommitter).
        if (created) this.#unsyncedInserts.set(insert, created.job.seq);
        return results;
      });
    } finally {
      this.#unsyncedInserts.delete(insert);
    }
  }

  #result({ outcome, row, input }: Inserted): InsertResult {
    const job = toJob(row, null, input ?? this.#longInput(row));
    if (outcome === 'created') this.#hold(row, job);
    return { outcome, job };
  }

  /** One job's insert, inside the caller's transaction: a key or id already taken decides its outcome. */
  #insertOne(job: NewJob, now: number): Inserted {
    if (job.idempotency) {
      const prior = this.#s.byIdempotency.get(job.tenant, job.idempotency.key);
      if (prior) {
        const decision = idempotencyDecision(prior, job.idempotency.hash, now);
        if (decision !== 'expired') return { outcome: decision, row: prior };
        this.#s.forgetIdempotency.run(prior.seq);
        this.#queued.delete(prior.seq); // changed without a new version: not to be written from
      }
    }
    const texts = insertTexts(job);
    const inserted = this.#s.insert.run(
      job.tenant,
      job.id,
      job.type,
      job.queue,
      job.priority,
      texts.input,
      texts.metadata,
      job.max_attempts,
      now,
      now,
      job.runAt ?? now,
      job.idempotency?.key ?? null,
      job.idempotency?.hash ?? null,
      texts.webhook,
    );
    if (inserted.changes === 0) return { outcome: 'id_exists', row: this.#s.byKey.get(job.tenant, job.id)! };
    // The row as a read of it would give it ({@link JOB_COLUMNS}): a long input left out.
    const inputBytes = Buffer.byteLength(texts.input);
    const row = insertedRow(job, Number(inserted.lastInsertRowid), now, {
      ...texts,
      input: inputBytes <= LIST_FIELD_MAX_BYTES ? texts.input : null,
      inputBytes,
    });
    if (row.input === null) this.#inputs.set(row.seq, job.input, inputBytes);
    return { outcome: 'created', row, input: job.input };
  }

  async get(tenant: string, id: string): Promise<StoredJob | null> {
    const row = this.#s.byKey.get(tenant, id);
    if (!row) return null;
    const position =
      row.status === 'queued'
        ? queuePosition(this.#s.queuePosition.get({ now: Date.now(), seq: row.seq })!)
        : null;
    return toJob(row, position, this.#longInput(row));
  }

  async getMany(tenant: string, ids: readonly string[]): Promise<StoredJob[]> {
    if (ids.length === 0) return [];
    return this.#s.byIds.all(tenant, JSON.stringify(ids)).map((row) => this.#job(row));
  }

  async list({ tenant, status, type, limit, beforeSeq }: ListFilter): Promise<StoredJob[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (tenant !== undefined) {
      where.push('tenant = ?');
      params.push(tenant);
    }
    if (status && status.length > 0) {
      where.push(`status IN (${status.map(() => '?').join(', ')})`);
      params.push(...status);
    }
    if (type && type.length > 0) {
      where.push(`type IN (${type.map(() => '?').join(', ')})`);
      params.push(...type);
    }
    if (beforeSeq !== undefined) {
      where.push('seq < ?');
      params.push(beforeSeq);
    }
    params.push(limit);
    const sql = `SELECT ${LIST_COLUMNS} FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${COUNT}`;
    const rows = this.#statement(sql).all(...params);
    return rows.map((row) => this.#job(row, true));
  }

  async logs(tenant: string, id: string, { after = 0, limit }: { after?: number; limit: number }) {
    const row = this.#s.byKey.get(tenant, id);
    if (!row) return null;
    return logPage(row, this.#s.logs.all(row.seq, after, limit), after, limit);
  }

  async claim({
    owner,
    leaseMs,
    queue,
    limit,
    globalLimit = null,
    tenantLimit = null,
    now = Date.now(),
  }: ClaimOptions): Promise<Lease[]> {
    if (limit <= 0) return [];
    // One write transaction: claims of every process are serialised by SQLite's write lock.
    // A claim answers no caller, so it waits for no sync of its own when every write before it is
    // synced (see GroupCommitter.run): a power cut can lose only the claims of its last moments,
    // whose jobs are queued again and run again, as a crashed worker's are; the finish's sync
    // takes the claim before it along. A dispatch then waits for one sync, the submit's.
    const take = (): Lease[] => {
      if (this.#s.paused.get(queue)?.paused) return [];
      const tenants = this.#s.queuedTenants.all({ queue }).map((r) => r.tenant);
      // One tenant and no limit: turns change nothing, so who is running need not be counted.
      const counted = tenants.length > 1 || globalLimit !== null || tenantLimit !== null;
      const running = new Map(counted ? this.#s.runningByTenant.all(queue).map((r) => [r.tenant, r.n]) : []);
      let room = limit;
      if (globalLimit !== null) {
        let total = 0;
        for (const n of running.values()) total += n;
        room = Math.min(room, globalLimit - total);
      }
      if (room <= 0) return [];
      const picked = takeTurns({
        tenants,
        // A few at a time: with many tenants waiting, each gets few turns in one claim.
        next: (tenant, skip) =>
          this.#s.tenantDue.all(queue, tenant, now, Math.min(64, Math.ceil(room / tenants.length) + 1), skip),
        running,
        limit: room,
        tenantLimit,
      });
      // Rows this process wrote and still holds are written from as they are (their version guards
      // them); the others are read, all in one statement.
      const unheld = picked.filter(({ seq }) => !this.#queued.get(seq)).map(({ seq }) => seq);
      const rows = new Map(
        unheld.length === 0
          ? []
          : this.#s.bySeqs.all(JSON.stringify(unheld)).map((row) => [row.seq, row] as const),
      );
      return picked.map(({ seq }) => {
        const token = randomUUID();
        const job = this.#writeHeld(
          this.#queued.get(seq),
          (row) => claimChange(row, { owner, token, leaseMs, now }),
          now,
          () => rows.get(seq) ?? this.#s.bySeqs.get(JSON.stringify([seq])),
        );
        return { job: job!, token };
      });
    };
    // Nor does it wait for the syncs of other writes when none of the jobs it took was inserted
    // by one still awaiting its sync (under load, it takes jobs queued long since, while later
    // submissions are being synced): no job runs before its submission is on disk. A retry or
    // release awaiting its sync is no such case: lost to a power cut, it leaves the job running
    // under its old lease, which expires and queues it again.
    return this.#tx(take, { unsynced: true, readsSynced: (leases) => this.#insertsSynced(leases) });
  }

  /**
   * The claim took jobs, and none was inserted by a write of this process
   * still awaiting its sync. A claim that took none starts nothing by going
   * first, and waits as before: its pool's next look would read those writes.
   */
  #insertsSynced(leases: readonly Lease[]): boolean {
    let first = Number.POSITIVE_INFINITY;
    for (const seq of this.#unsyncedInserts.values()) first = Math.min(first, seq);
    return leases.length > 0 && leases.every(({ job }) => job.seq < first);
  }

  async heartbeat(token: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    return this.#tx(() => this.#extend(token, now + leaseMs));
  }

  async heartbeatMany(tokens: readonly string[], leaseMs: number, now = Date.now()): Promise<Set<string>> {
    if (tokens.length === 0) return new Set();
    return this.#tx(() => new Set(tokens.filter((token) => this.#extend(token, now + leaseMs))));
  }

  /**
   * Extend a lease to `until` (never shorten it); false when no job runs under
   * `token`. The held row follows, so the next change written from it shows
   * the lease as it is.
   */
  #extend(token: string, until: number): boolean {
    if (this.#s.heartbeat.run(until, token).changes !== 1) {
      this.#leases.delete(token);
      return false;
    }
    const held = this.#leases.get(token);
    if (held) held.row.lease_expires_at = Math.max(held.row.lease_expires_at ?? 0, until);
    return true;
  }

  /**
   * A fenced change: only while the job runs under `token`. The row this
   * process last wrote under the lease is tried first, guarded by its version,
   * so a finish or report reads nothing; a row changed since (a cancel, a
   * recovery, another process) is read again by token.
   */
  #fenced(token: string, now: number, change: (row: JobRow) => RowChange): StoredJob | null {
    const job = this.#writeHeld(this.#leases.get(token), change, now, () => this.#s.byToken.get(token));
    if (!job) this.#leases.delete(token);
    return job;
  }

  /**
   * `change` written from `held`, the row this process last wrote, while it is
   * still the row's version (nothing read); otherwise from the row `read` gives,
   * or null when there is none.
   */
  #writeHeld(
    held: HeldRow | undefined,
    change: (row: JobRow) => RowChange,
    now: number,
    read: () => JobRow | undefined,
  ): StoredJob | null {
    const job = held && this.#tryWrite(held.row, change(held.row), now, held.input);
    if (job) return job;
    const row = read();
    return row ? this.#write(row, change(row), now) : null;
  }

  #byToken(token: string, now: number, change: (row: JobRow) => RowChange): Promise<StoredJob | null> {
    return this.#tx(() => this.#fenced(token, now, change));
  }

  async report(token: string, patch: ProgressPatch, now = Date.now()): Promise<StoredJob | null> {
    return this.#byToken(token, now, (row) => reportChange(row, patch));
  }

  async finish(
    token: string,
    outcome: 'completed' | 'failed',
    opts: FinishOptions,
  ): Promise<StoredJob | null> {
    const [job] = await this.finishMany([{ token, outcome, opts }]);
    return job ?? null;
  }

  async finishMany(items: readonly FinishItem[]): Promise<(StoredJob | null)[]> {
    if (items.length === 0) return [];
    const fallback = Date.now();
    return this.#tx(() =>
      items.map(({ token, outcome, opts }) => {
        const now = opts.now ?? fallback;
        return this.#fenced(token, now, (row) => finishChange(row, outcome, { ...opts, now }));
      }),
    );
  }

  async release(token: string, now = Date.now()): Promise<StoredJob | null> {
    return this.#byToken(token, now, (row) => releaseChange(row, now));
  }

  async leased(token: string): Promise<StoredJob | null> {
    const row = this.#s.byToken.get(token);
    return row ? this.#job(row) : null;
  }

  async runningOf(ownerPrefix: string): Promise<HeldJob[]> {
    return this.#s.byOwnerPrefix.all({ prefix: ownerPrefix }).map(toHeldJob);
  }

  async cancel(tenant: string, id: string, now = Date.now()): Promise<CancelResult> {
    return this.#tx((): CancelResult => {
      const row = this.#s.byKey.get(tenant, id);
      if (!row) return { outcome: 'not_found' };
      const decision = cancelDecision(row);
      if (decision !== 'cancel') return { outcome: decision, job: this.#job(row) };
      return { outcome: 'canceled', job: this.#write(row, cancelChange(row, now), now) };
    });
  }

  async delete(tenant: string, id: string): Promise<DeleteResult> {
    return this.#tx((): DeleteResult => {
      const row = this.#s.byKey.get(tenant, id);
      if (!row) return { outcome: 'not_found' };
      if (!isDeletable(row)) return { outcome: 'not_terminal' };
      const job = this.#job(row);
      this.#s.deleteSeq.run(row.seq);
      this.#inputs.delete(row.seq);
      return { outcome: 'deleted', job };
    });
  }

  async recover({ now = Date.now(), owners = [] }: { now?: number; owners?: readonly string[] }) {
    return this.#tx((): StoredJob[] => {
      const rows = new Map<number, JobRow>();
      for (const row of this.#s.expired.all(now)) rows.set(row.seq, row);
      for (const owner of owners) for (const row of this.#s.byOwner.all(owner)) rows.set(row.seq, row);
      return [...rows.values()].map((row) => this.#write(row, lostLeaseChange(row, now), now));
    });
  }

  async leaseOwners(): Promise<string[]> {
    return this.#s.owners.all().map((r) => r.lease_owner);
  }

  async purge({ finishedBefore, limit }: { finishedBefore: number; limit: number }) {
    return this.#tx(() => {
      const rows = this.#s.purgeable.all(finishedBefore, limit);
      for (const row of rows) {
        this.#s.deleteSeq.run(row.seq);
        this.#inputs.delete(row.seq);
      }
      return rows.map(({ tenant, id }) => ({ tenant, id }));
    });
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    const counts = Object.fromEntries(ALL_STATES.map((s) => [s, 0])) as Record<JobStatus, number>;
    for (const { status, n } of this.#s.counts.all()) counts[status] = n;
    return counts;
  }

  async nextRunAt(queue: string): Promise<number | null> {
    return this.#s.nextRunAt.get(queue)?.t ?? null;
  }

  async setPaused(queue: string, paused: boolean, now = Date.now()): Promise<void> {
    await this.#tx(() => this.#s.setPaused.run(queue, paused ? 1 : 0, now));
  }

  async pausedQueues(): Promise<string[]> {
    return this.#s.pausedQueues.all().map((r) => r.name);
  }

  async queueCounts({ queue, tenant, now = Date.now() }: QueueCountsFilter) {
    return this.#s.queueCounts.all({ now, queue: queue ?? null, tenant: tenant ?? null }).map(queueCountsOf);
  }

  async changedSince({
    since,
    cursor,
    limit,
  }: {
    since: number;
    cursor?: ChangeCursor | undefined;
    limit: number;
  }): Promise<StoredJob[]> {
    const rows = cursor
      ? this.#s.changedAfter.all({ since, after: cursor.updatedAt, seq: cursor.seq, limit })
      : this.#s.changedSince.all({ since, limit });
    return rows.map((row) => this.#job(row));
  }

  // ---- webhook outbox -------------------------------------------------------------------------

  async claimDeliveries({
    leaseMs,
    limit,
    now = Date.now(),
  }: DeliveryClaimOptions): Promise<DeliveryLease[]> {
    if (limit <= 0) return [];
    // Dispatchers look often; a look that finds nothing costs a read, not a synced write.
    if (this.#s.dueDeliveries.all(now, 1).length === 0) return [];
    return this.#tx((): DeliveryLease[] =>
      this.#s.dueDeliveries.all(now, limit).map(({ id }) => {
        const token = randomUUID();
        const row = this.#s.leaseDelivery.get(token, now + leaseMs, id)!;
        return { delivery: toDelivery(row), token };
      }),
    );
  }

  async recordDelivery(token: string, attempt: DeliveryAttempt, result: DeliveryOutcome): Promise<boolean> {
    return this.#tx((): boolean => {
      const row = this.#s.deliveryByToken.get(token);
      if (!row) return false;
      const status =
        result.outcome === 'retry'
          ? 'pending'
          : result.outcome === 'gone'
            ? 'stopped'
            : result.outcome === 'delivered'
              ? 'delivered'
              : 'failed';
      this.#s.recordDelivery.run({
        id: row.id,
        status,
        next: result.outcome === 'retry' ? result.nextAttemptAt : null,
        last_status: attempt.status_code,
        last_error: deliveryError(attempt.error),
        history: appendHistory(row.history, { ...attempt, error: deliveryError(attempt.error) }),
      });
      if (result.outcome === 'gone') this.#s.stopDeliveries.run(row.job_seq, row.url);
      return true;
    });
  }

  async listDeliveries(tenant: string, jobId: string): Promise<WebhookDelivery[] | null> {
    const job = this.#s.byKey.get(tenant, jobId);
    if (!job) return null;
    return this.#s.deliveriesOf.all(tenant, jobId, job.seq).map(toDelivery);
  }

  async retryDelivery(
    tenant: string,
    jobId: string,
    deliveryId: string,
    now = Date.now(),
  ): Promise<WebhookDelivery | null> {
    return this.#tx((): WebhookDelivery | null => {
      const job = this.#s.byKey.get(tenant, jobId);
      if (!job || !this.#s.deliveryOf.get(tenant, jobId, job.seq, deliveryId)) return null;
      this.#s.retryDelivery.run(now, deliveryId);
      return toDelivery(this.#s.deliveryOf.get(tenant, jobId, job.seq, deliveryId)!);
    });
  }

  async nextDeliveryAt(): Promise<number | null> {
    return this.#s.nextDeliveryAt.get()?.t ?? null;
  }

  // ---- remote workers -------------------------------------------------------------------------

  async registerWorker(worker: WorkerRecord, types: readonly RemoteType[]): Promise<void> {
    await this.#tx(() => {
      this.#s.upsertWorker.run({
        id: worker.id,
        name: worker.name,
        key_id: worker.keyId,
        types: JSON.stringify(worker.types),
        registered_at: worker.registeredAt,
        last_seen_at: worker.lastSeenAt,
      });
      for (const t of latestDeclarations(types)) {
        this.#s.declareType.run({
          type: t.type,
          description: t.description,
          input_schema: JSON.stringify(t.inputSchema),
          queue: t.queue,
          declared_at: t.declaredAt,
        });
      }
    });
  }

  async remoteTypes(): Promise<RemoteType[]> {
    return this.#s.remoteTypes.all().map(toRemoteType);
  }

  async getWorker(id: string): Promise<WorkerRecord | null> {
    const row = this.#s.workerById.get(id);
    return row ? toWorker(row) : null;
  }

  async touchWorker(id: string, now: number): Promise<boolean> {
    return this.#tx(() => this.#s.touchWorker.run(now, id).changes === 1);
  }

  async listWorkers(): Promise<WorkerRecord[]> {
    return this.#s.workers.all().map(toWorker);
  }

  async removeWorker(id: string): Promise<boolean> {
    return this.#tx(() => this.#s.removeWorker.run(id).changes === 1);
  }

  async purgeWorkers(seenBefore: number): Promise<number> {
    return this.#tx(() => this.#s.purgeWorkers.run(seenBefore).changes);
  }

  // ---- uploaded files -------------------------------------------------------------------------

  async insertFile(file: NewFile): Promise<boolean> {
    return this.#tx(() => this.#s.insertFile.run(file).changes === 1);
  }

  async getFile(tenant: string, id: string): Promise<StoredFile | null> {
    const row = this.#s.fileByKey.get(tenant, id);
    return row ? toFile(row) : null;
  }

  async listFiles({ tenant, limit, beforeSeq }: FileListFilter): Promise<StoredFile[]> {
    return this.#s.filesOf.all(tenant, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit).map(toFile);
  }

  async deleteFile(tenant: string, id: string): Promise<StoredFile | null> {
    return this.#tx(() => {
      const row = this.#s.deleteFile.get(tenant, id);
      return row ? toFile(row) : null;
    });
  }

  async takeExpiredFiles({ now = Date.now(), limit }: { now?: number | undefined; limit: number }) {
    if (limit <= 0) return [];
    return this.#tx(() => this.#s.expiredFiles.all(now, limit).map(toFile));
  }
}

/** Why a database file could not be opened, in words an operator can act on. */
function whyNotWritable(filename: string, err: unknown): string {
  for (const path of [dirname(filename), filename]) {
    try {
      accessSync(path, constants.W_OK);
    } catch (access) {
      const code = (access as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      const what = path === filename ? 'the file' : 'its folder';
      return code === 'EROFS'
        ? `${what} is on a read-only file system (EROFS); give longrun a writable --data-dir`
        : `${what} is not writable (${code}); give longrun a writable --data-dir`;
    }
  }
  return (err as Error).message;
}
