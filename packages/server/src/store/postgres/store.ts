import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { backoff } from '../../internal/backoff.js';
import { ByteBoundedMap } from '../../internal/byte-bounded-map.js';
import { sleep } from '../../internal/sleep.js';
import { LOG_TAIL, type StoredJob } from '../../jobs/model.js';
import { ALL_STATES, type JobStatus, sourcesOf, TERMINAL_STATES } from '../../jobs/states.js';
import type {
  DeliveryAttempt,
  DeliveryLease,
  DeliveryOutcome,
  WebhookDelivery,
} from '../../webhooks/model.js';
import { type FileRow, type NewFile, type StoredFile, toFile } from '../file-row.js';
import { type InsertedTexts, insertedRow, insertTexts } from '../inserted-row.js';
import {
  type JobRow,
  LIST_FIELD_MAX_BYTES,
  listColumns,
  MUTABLE_COLUMNS,
  rowBytes,
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
import {
  type CancelResult,
  type ChangeCursor,
  type ClaimOptions,
  type DeleteResult,
  type DeliveryClaimOptions,
  type FileListFilter,
  type FinishItem,
  type FinishOptions,
  type HeldJob,
  type InsertResult,
  type JobStore,
  type Lease,
  type ListFilter,
  type LogLine,
  type NewJob,
  type ProgressPatch,
  type QueueCounts,
  type QueueCountsFilter,
  type RemoteType,
  StoreUnavailableError,
  type WorkerRecord,
} from '../store.js';
import {
  cancelChange,
  cancelDecision,
  finishChange,
  idempotencyDecision,
  isDeletable,
  logPage,
  lostLeaseChange,
  type NextRow,
  nextRow,
  type RowChange,
  releaseChange,
  reportChange,
} from '../transitions.js';
import {
  type HeldJobRow,
  latestDeclarations,
  type RemoteTypeRow,
  toHeldJob,
  toRemoteType,
  toWorker,
  type WorkerRow,
} from '../worker-row.js';
import { Batcher, type Outcome } from './batcher.js';
import {
  checkSchema,
  clientConfig,
  ident,
  isConnectionError,
  isRetryableTxError,
  literal,
  NotALiteralError,
  textLength,
} from './connection.js';
import { migratePostgres } from './migrate.js';
import { jobsChannel, type NotifySql, notifySql } from './notify.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  connectionString: string;
  /** The schema that holds longrun's tables; `migrate()` creates it. */
  schema: string;
  /** The most connections this store opens at once. */
  poolSize: number;
  /** How connections are named in `pg_stat_activity`. @default `longrun/<schema>` */
  applicationName?: string;
  /** Errors of idle connections, which the pool drops and replaces by itself. @default ignored */
  onIdleError?: (err: Error) => void;
}

/** A row as the store reads it: the job row and, for queued jobs, its place in the queue. */
type Row = JobRow & Partial<PositionCounts>;

/** The current time in ms, in SQL: queue positions count the jobs due by now. */
const NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';
type Query = <R = Row>(text: string, values?: readonly unknown[]) => Promise<R[]>;

/** A list read's columns: a long input or output is left in the table (see listColumns); their lengths are kept in columns of their own (migration 5). */
const LIST_COLUMNS = listColumns('j', (column) => `${column}_bytes`);

/**
 * Planner settings for a transaction whose statement must find its rows
 * through the indexes however the table looked when its plan was made: a
 * connection plans a prepared statement once, often on a small table without
 * statistics, and keeps the plan as the table grows. JIT is off too: a plan
 * priced with a setting off can cross its threshold, and compiling costs far
 * more than these statements run.
 */
const BY_INDEX =
  'SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; ' +
  'SET LOCAL jit = off';

/** How often a statement is tried when the connection, not the statement, fails. */
const CONNECTION_TRIES = 4;
/** The wait between those tries: 100 ms, doubling, with jitter. */
const CONNECTION_BACKOFF = { baseMs: 50, maxMs: 1000 };
const MAX_INSERT_ROUNDS = 8;
/**
 * The bytes of lease rows kept by {@link PostgresJobStore}: enough for the jobs running here; a
 * lease that ends without a last write here (canceled elsewhere) lingers until pushed out. A row
 * carries its input (up to megabytes) and up to 100 KB of log tail, so the budget is in bytes and
 * a row over a sixteenth of it is not kept; one pushed out or not kept costs a read, nothing more.
 */
const CACHED_LEASE_BYTES = 32 * 1024 * 1024;
/** How often an optimistic change is tried when the row keeps changing underneath it. */
const MAX_RACE_ROUNDS = 20;
/** The most fenced changes (reports, finishes) one statement writes. */
const FENCED_BATCH_ITEMS = 500;
/** The most single inserts written together in one statement. */
const INSERT_BATCH_ITEMS = 100;
/** An insert whose input's JSON is longer than this (in characters) goes alone: a batch's statement carries every input. */
const INSERT_BATCH_INPUT_LENGTH = 64 * 1024;
/**
 * The most characters of text a transaction's first statement's values may have to go with its
 * BEGIN as literals (see {@link PostgresJobStore.#begin}): beyond this they are escaped here and
 * parsed there for a round trip's sake.
 */
const LITERAL_VALUES_LENGTH = 1024 * 1024;

/**
 * The store for many processes on many machines. Each change reads the row,
 * asks transitions.ts what the change is (the transition-table check included),
 * and writes it in one statement ({@link #write}) that also appends the log
 * lines and sends one NOTIFY for all the rows it wrote, so other processes
 * hear of a change exactly when it commits. Changes of one job by id or lease
 * token are optimistic (the write is guarded by the version it read). Those by
 * lease token (report, finish, release) asked while a batch of them is being
 * written go together in the next ({@link #fencedMany}): under load one
 * statement, commit and NOTIFY serve many jobs; alone, a change waits for
 * nothing. Claims (one statement, see {@link claim}) and lease recovery (a
 * transaction) take their rows with `FOR UPDATE SKIP LOCKED`, so nodes never
 * wait on each other or take the same job. Insert is one statement with
 * `ON CONFLICT DO NOTHING`; a conflict is then resolved by reading who won.
 */
export class PostgresJobStore implements JobStore {
  readonly schema: string;
  /** The channel every change of this schema is announced on. */
  readonly channel: string;
  /** Sent with each NOTIFY, so this process's feed can tell its own changes (published as written). */
  readonly origin = randomUUID();
  readonly connectionString: string;
  readonly applicationName: string;
  readonly #pool: pg.Pool;
  readonly #jobs: string;
  readonly #logs: string;
  readonly #deliveries: string;
  readonly #queues: string;
  readonly #files: string;
  readonly #workers: string;
  readonly #remoteTypes: string;
  /** The LISTEN connections of the processes on this schema (see notify.ts), schema-qualified. */
  readonly listeners: string;
  readonly #names = new Map<string, string>();
  /** The statements each connection has prepared for {@link #oneTrip}, by name. */
  readonly #prepared = new WeakMap<pg.PoolClient, Set<string>>();
  /**
   * The row of each lease this process holds, as it last wrote it, so a fenced
   * change (report, finish, release) need not read it first. The write is
   * guarded by version, so a copy made stale by another node (a cancel, a
   * recovery) only loses the race and is read afresh.
   */
  readonly #leases = new ByteBoundedMap<string, JobRow>({
    maxBytes: CACHED_LEASE_BYTES,
    maxEntryBytes: CACHED_LEASE_BYTES / 16,
  });
  #closed = false;
  /**
   * Called when a statement lost its connection: a write may have committed
   * unseen (its change feed then reads what changed again).
   */
  onConnectionLost: (() => void) | null = null;

  constructor({
    connectionString,
    schema,
    poolSize,
    applicationName,
    onIdleError = () => {},
  }: PostgresStoreOptions) {
    this.schema = checkSchema(schema);
    this.channel = jobsChannel(schema);
    this.connectionString = connectionString;
    this.applicationName = applicationName ?? `longrun/${schema}`;
    this.#pool = new pg.Pool({ ...clientConfig(connectionString, this.applicationName), max: poolSize });
    // An idle connection the server closed (restart, pg_terminate_backend) is dropped by the pool;
    // without a listener the error would crash the process.
    this.#pool.on('error', onIdleError);
    // pg-pool listens for errors only on idle clients. A connection cut while a client is lent
    // out but between two statements would emit an error no one listens to, which kills the
    // process. The error is not lost: the client's next statement fails, and the client is
    // then discarded (released with the error).
    this.#pool.on('connect', (client) => client.on('error', () => {}));
    this.#jobs = `${ident(schema)}.jobs`;
    this.#logs = `${ident(schema)}.job_logs`;
    this.#deliveries = `${ident(schema)}.webhook_deliveries`;
    this.#queues = `${ident(schema)}.queues`;
    this.#files = `${ident(schema)}.files`;
    this.#workers = `${ident(schema)}.workers`;
    this.#remoteTypes = `${ident(schema)}.remote_types`;
    this.listeners = `${ident(schema)}.listeners`;
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** A named statement per SQL text, so each connection plans it once. */
  #config(text: string, values: readonly unknown[]): pg.QueryConfig {
    return { name: this.#nameOf(text), text, values: values as unknown[] };
  }

  /** The name a statement is prepared under on each connection. */
  #nameOf(text: string): string {
    let name = this.#names.get(text);
    if (!name) {
      name = `lr_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
      this.#names.set(text, name);
    }
    return name;
  }

  #connect(): Promise<pg.PoolClient> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('the store is closed'));
    return this.#pool.connect();
  }

  /**
   * One statement outside a transaction. `retry: 'always'` for reads and
   * idempotent writes; `'unsent'` when a repeat could do harm, so only a
   * failure to get a connection is tried again.
   */
  async #run<R = Row>(text: string, values: readonly unknown[], retry: 'always' | 'unsent'): Promise<R[]> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.#connect();
      } catch (err) {
        if (isConnectionError(err) && attempt < CONNECTION_TRIES && !this.#closed) {
          await sleep(backoff(attempt, CONNECTION_BACKOFF));
          continue;
        }
        throw unavailable(err);
      }
      try {
        const result = await client.query(this.#config(text, values));
        client.release();
        return result.rows as R[];
      } catch (err) {
        const lost = isConnectionError(err);
        if (lost) this.onConnectionLost?.();
        client.release(lost ? (err as Error) : undefined);
        if (lost && retry === 'always' && attempt < CONNECTION_TRIES && !this.#closed) {
          await sleep(backoff(attempt, CONNECTION_BACKOFF));
          continue;
        }
        throw unavailable(err);
      }
    }
  }

  /**
   * Run `fn` in a transaction. It is tried again, from the start, when the
   * connection drops or the server rolls it back before COMMIT was sent (the
   * transaction then certainly did not commit); a connection lost during
   * COMMIT leaves the outcome unknown and is reported, not repeated.
   *
   * BEGIN goes with the first statement, in one simple query (see
   * {@link #begin}): the transaction takes a round trip less, and holds its
   * connection and its row locks that much less.
   */
  async #tx<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient | undefined;
      let committing = false;
      try {
        client = await this.#connect();
        const c = client;
        let begun = false;
        const q: Query = async <R>(text: string, values: readonly unknown[] = []) => {
          if (begun) return (await c.query(this.#config(text, values))).rows as R[];
          begun = true;
          return this.#begin<R>(c, text, values);
        };
        const result = await fn(q);
        committing = true;
        if (begun) await client.query('COMMIT');
        client.release();
        return result;
      } catch (err) {
        const lost = isConnectionError(err);
        if (lost && client) this.onConnectionLost?.();
        if (client) await giveBack(client, err, { rollback: !committing });
        const again = (lost && !committing) || isRetryableTxError(err);
        if (again && attempt < CONNECTION_TRIES && !this.#closed) {
          await sleep(backoff(attempt, CONNECTION_BACKOFF));
          continue;
        }
        throw unavailable(err);
      }
    }
  }

  /**
   * BEGIN and a transaction's first statement in one simple query, the
   * statement's values written in as literals (prepared as {@link #oneTrip}
   * prepares). Values too long to be worth escaping and parsing as text, or
   * that no literal carries (a NUL), go bound instead, after a BEGIN of
   * their own.
   */
  async #begin<R>(client: pg.PoolClient, statement: string, values: readonly unknown[]): Promise<R[]> {
    if (textLength(values) > LITERAL_VALUES_LENGTH) return this.#beginApart<R>(client, statement, values);
    let execute: string;
    try {
      execute = await this.#execute(client, statement, values);
    } catch (err) {
      if (err instanceof NotALiteralError) return this.#beginApart<R>(client, statement, values);
      throw err;
    }
    const results = (await client.query(`BEGIN; ${execute}`)) as unknown as pg.QueryResult[];
    return (results[1]?.rows ?? []) as R[];
  }

  async #beginApart<R>(client: pg.PoolClient, statement: string, values: readonly unknown[]): Promise<R[]> {
    await client.query('BEGIN');
    return (await client.query(this.#config(statement, values))).rows as R[];
  }

  /**
   * `EXECUTE` of `statement` with `values` as literals, the statement
   * prepared on `client` the first time it runs there, so its plan is made
   * once. Throws {@link NotALiteralError}, having sent nothing of it, for a
   * value no literal carries.
   */
  async #execute(client: pg.PoolClient, statement: string, values: readonly unknown[]): Promise<string> {
    // Its own name: a statement prepared by SQL must not share one with those the driver prepares.
    const name = `${this.#nameOf(statement)}_t`;
    const execute =
      values.length === 0 ? `EXECUTE ${name}` : `EXECUTE ${name}(${values.map(literal).join(', ')})`;
    let prepared = this.#prepared.get(client);
    if (!prepared) {
      prepared = new Set();
      this.#prepared.set(client, prepared);
    }
    if (!prepared.has(name)) {
      await client.query(`PREPARE ${name} AS ${statement}`);
      prepared.add(name);
    }
    return execute;
  }

  /**
   * A transaction in one round trip: `begin` (BEGIN and what must run before
   * the statement), the statement, whose rows come back, and COMMIT, sent as
   * one simple query. The statement is prepared on each connection the first
   * time it runs there, so its plan is made once, and executed with its
   * values written in as literals. Only for a transaction that may safely run
   * again when its outcome is unknown: a lost connection, or a rollback the
   * server asks to be retried, repeats it.
   */
  async #oneTrip<R>(begin: string, statement: string, values: readonly unknown[]): Promise<R[]> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.#connect();
        const execute = await this.#execute(client, statement, values);
        const results = (await client.query(`${begin}; ${execute}; COMMIT`)) as unknown as pg.QueryResult[];
        client.release();
        return (results[results.length - 2]?.rows ?? []) as R[];
      } catch (err) {
        const lost = isConnectionError(err);
        if (lost && client) this.onConnectionLost?.();
        // A statement that failed skipped the rest of the query and left the transaction aborted.
        if (client) await giveBack(client, err, { rollback: true });
        if ((lost || isRetryableTxError(err)) && attempt < CONNECTION_TRIES && !this.#closed) {
          await sleep(backoff(attempt, CONNECTION_BACKOFF));
          continue;
        }
        throw unavailable(err);
      }
    }
  }

  /** The counts that give a queued row `alias` its place in its queue (nulls otherwise). */
  #position(alias: string): string {
    return positionColumns(this.#jobs, alias, NOW_MS);
  }

  /** The NOTIFY of the written rows `alias` (see notify.ts). */
  #notify(alias: string, originParam: string): NotifySql {
    return notifySql(this.channel, alias, originParam, this.listeners);
  }

  /**
   * The one place a state change is written. Each change has been checked
   * against the transition table (by {@link nextRow}); one statement appends
   * the log lines, writes the rows (guarded by version), sends one NOTIFY for
   * all of them, all in the caller's transaction, and adds the webhook
   * outbox rows of the rows it wrote: one statement, so the changes and their
   * events commit together. Each change is timed by its own `updated_at`.
   *
   * Only the seq, version and lease expiry of a written row come back: the
   * rest is `next` as sent (json keeps its text), so neither the input nor
   * the log tail travels back. A row whose version moved on is not written
   * (a change that lost its race) and gives undefined.
   */
  async #write(q: Query, items: readonly { row: JobRow; next: NextRow }[]): Promise<(JobRow | undefined)[]> {
    if (items.length === 0) return [];
    const nexts = items.map(({ next }) => next);
    const cols = MUTABLE_COLUMNS;
    const logSeq: number[] = [];
    const logN: number[] = [];
    const logLine: string[] = [];
    const logTs: number[] = [];
    const hookSeq: number[] = [];
    const hookId: string[] = [];
    const hookEvent: string[] = [];
    const hookUrl: string[] = [];
    const hookJob: string[] = [];
    const hookAt: number[] = [];
    for (const [i, { next, logs }] of nexts.entries()) {
      const row = items[i]!.row;
      for (const { n, ts, line } of logs) {
        logSeq.push(row.seq);
        logN.push(n);
        logLine.push(line);
        logTs.push(ts);
      }
      const events = webhookEventsOf(row, next);
      if (events.length > 0) {
        const url = webhookUrl(next);
        const snapshot = snapshotOf(next);
        for (const event of events) {
          hookSeq.push(row.seq);
          hookId.push(newDeliveryId());
          hookEvent.push(event);
          hookUrl.push(url);
          hookJob.push(snapshot);
          hookAt.push(next.updated_at);
        }
      }
    }
    const values: unknown[] = [
      nexts.map(({ next }) => next.seq),
      nexts.map(({ next }) => next.version),
      ...cols.map((col) => nexts.map(({ next }) => next[col])),
      logSeq,
      logN,
      logLine,
      logTs,
      this.origin,
      ...(hookSeq.length > 0 ? [hookSeq, hookId, hookEvent, hookUrl, hookJob, hookAt] : []),
    ];
    const colTypes = cols.map((col, i) => `$${i + 3}::${COLUMN_TYPES[col]}[]`);
    const p = cols.length + 3;
    const notify = this.#notify('u', `$${p + 4}`);
    const text = `
      WITH v AS (
        SELECT * FROM unnest($1::bigint[], $2::integer[], ${colTypes.join(', ')})
          AS v(seq, version, ${cols.join(', ')})
      ), u AS (
        UPDATE ${this.#jobs} j SET ${cols.map((col) => `${col} = ${setColumn(col)}`).join(', ')},
          output_bytes = octet_length(v.output), version = j.version + 1
        FROM v WHERE j.seq = v.seq AND j.version = v.version
        RETURNING j.seq, j.tenant, j.id, j.version, j.status, j.type, j.queue, j.lease_expires_at
      ), l AS (
        -- Only for rows the guarded update wrote: a change that lost its race adds no lines. The
        -- written seqs are one array, made once: as a semi-join on \`u\` (whose size the planner
        -- cannot know) the plan read \`u\` in the outer loop and unnested the arrays again for each
        -- row, 32 x 32 rows for a batch of 32 (a tenth of a batched finish's time).
        INSERT INTO ${this.#logs} (job_seq, n, ts, line)
        SELECT s, n, ts, line
        FROM unnest($${p}::bigint[], $${p + 1}::integer[], $${p + 2}::text[], $${p + 3}::bigint[]) AS x(s, n, line, ts)
        WHERE x.s = ANY (ARRAY(SELECT seq FROM u))
      )${
        hookSeq.length === 0
          ? ''
          : `, w AS (
        -- Likewise only for written rows; none to a URL that answered 410 for that job.
        INSERT INTO ${this.#deliveries} (id, job_seq, event, url, job, created_at, next_attempt_at)
        SELECT x.id, x.s, x.event, x.url, x.job, x.at, x.at
        FROM unnest($${p + 5}::bigint[], $${p + 6}::text[], $${p + 7}::text[], $${p + 8}::text[], $${p + 9}::text[],
                    $${p + 10}::bigint[])
          AS x(s, id, event, url, job, at)
        WHERE x.s = ANY (ARRAY(SELECT seq FROM u)) AND NOT EXISTS (
          SELECT 1 FROM ${this.#deliveries} g WHERE g.job_seq = x.s AND g.url = x.url AND g.last_status = 410)
      )`
      }, ${notify.cte}
      SELECT u.seq, u.version, u.lease_expires_at, ${notify.column} FROM u`;
    const rows = await q<Pick<JobRow, 'seq' | 'version' | 'lease_expires_at'>>(text, values);
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    // Each `next` is its change's own copy: it takes what the write decided in place (a spread of
    // the row with properties after it is built on V8's slow path, 2 µs a job).
    return nexts.map(({ next }) => {
      const written = bySeq.get(next.seq);
      if (!written) return undefined;
      next.version = written.version;
      next.lease_expires_at = written.lease_expires_at;
      next.output_bytes = next.output === null ? null : Buffer.byteLength(next.output);
      return next;
    });
  }

  /** Each change checked and applied to its row at `now` (see {@link nextRow}); throws on a disallowed one. */
  #changed(items: readonly { row: JobRow; change: RowChange }[], now: number) {
    return items.map(({ row, change }) => ({ row, next: nextRow(row, change, now) }));
  }

  /** {@link #write} inside a transaction that holds the rows: every row must be written. */
  async #writeLocked(q: Query, items: readonly { row: JobRow; change: RowChange }[], now: number) {
    const rows = await this.#write(q, this.#changed(items, now));
    return rows.map((row) => {
      if (!row) throw new Error('a job changed underneath a write that held its row');
      return this.#job(row);
    });
  }

  /**
   * An optimistic change of one job in two statements and no transaction:
   * read the row, decide (the transition check included), and write it
   * guarded by its version; a row changed in between is read again. A lost
   * connection is tried again too: every caller is fenced (by lease token) or
   * idempotent (cancel), so a repeat after a write that did commit finds
   * nothing to do, and the feed still publishes the committed change.
   */
  async #optimistic<T>(
    read: () => Promise<JobRow | undefined>,
    decide: (row: JobRow | undefined) => { write: RowChange; done: (job: StoredJob) => T } | { result: T },
    now: number,
  ): Promise<T> {
    for (let round = 1; ; round++) {
      const row = await read();
      const decision = decide(row);
      if ('result' in decision) return decision.result;
      try {
        const [written] = await this.#write(this.#single, [
          { row: row!, next: nextRow(row!, decision.write, now) },
        ]);
        if (written) return decision.done(this.#job(written));
      } catch (err) {
        if (!(err instanceof StoreUnavailableError) || round >= CONNECTION_TRIES || this.#closed) throw err;
        await sleep(backoff(round, CONNECTION_BACKOFF));
        continue;
      }
      if (round >= MAX_RACE_ROUNDS)
        throw new Error(`job ${row!.tenant}/${row!.id} kept changing underneath a write`);
    }
  }

  /**
   * A guarded write ({@link #write}) on its own, committed by itself, in one
   * round trip (see {@link #oneTrip}). Under {@link BY_INDEX} its plan finds
   * each written job by its seq, where a plan made on a small table joined
   * the batch to a scan of every job (2,000 rows read a finish at 2,000
   * jobs). A repeat after a lost connection is refused by the version guard,
   * as a change that lost its race is, and the caller reads the row again.
   */
  readonly #single: Query = <R>(text: string, values: readonly unknown[] = []) =>
    this.#oneTrip<R>(`BEGIN; ${BY_INDEX}`, text, values);

  #job(row: Row): StoredJob {
    return toJob(
      row,
      row.status === 'queued' && row.pos_own != null ? queuePosition(row as PositionCounts) : null,
    );
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  async migrate(): Promise<void> {
    const client = await this.#connect().catch((err: unknown) => {
      throw unavailable(err);
    });
    try {
      await migratePostgres(client, this.schema);
      client.release();
    } catch (err) {
      client.release(isConnectionError(err) ? (err as Error) : undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async ping(): Promise<void> {
    try {
      await this.#pool.query('SELECT 1');
    } catch (err) {
      throw unavailable(err);
    }
  }

  // ---- reads ----------------------------------------------------------------------------------

  async get(tenant: string, id: string): Promise<StoredJob | null> {
    const [row] = await this.#run(
      `SELECT j.*, ${this.#position('j')} FROM ${this.#jobs} j WHERE j.tenant = $1 AND j.id = $2`,
      [tenant, id],
      'always',
    );
    return row ? this.#job(row) : null;
  }

  getMany(tenant: string, ids: readonly string[]): Promise<StoredJob[]> {
    // An id given twice is one job: the join would give its row twice.
    return this.getByKeys([...new Set(ids)].map((id) => ({ tenant, id })));
  }

  /** Several jobs of any tenants by key in one query (for the change feed); missing ones are left out. */
  async getByKeys(keys: readonly { tenant: string; id: string }[]): Promise<StoredJob[]> {
    if (keys.length === 0) return [];
    const rows = await this.#run(
      `SELECT j.* FROM ${this.#jobs} j
       JOIN unnest($1::text[], $2::text[]) AS k(tenant, id) ON j.tenant = k.tenant AND j.id = k.id`,
      [keys.map((k) => k.tenant), keys.map((k) => k.id)],
      'always',
    );
    return rows.map((row) => this.#job(row));
  }

  async list({ tenant, status, type, limit, beforeSeq }: ListFilter): Promise<StoredJob[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (v: unknown) => {
      values.push(v);
      return `$${values.length}`;
    };
    if (tenant !== undefined) where.push(`j.tenant = ${param(tenant)}`);
    if (status && status.length > 0) where.push(`j.status = ANY(${param(status)}::text[])`);
    if (type && type.length > 0) where.push(`j.type = ANY(${param(type)}::text[])`);
    if (beforeSeq !== undefined) where.push(`j.seq < ${param(beforeSeq)}`);
    const rows = await this.#run(
      `SELECT ${LIST_COLUMNS} FROM ${this.#jobs} j
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY j.seq DESC LIMIT ${param(limit)}`,
      values,
      'always',
    );
    return rows.map((row) => this.#job(row));
  }

  async logs(
    tenant: string,
    id: string,
    { after = 0, limit }: { after?: number | undefined; limit: number },
  ): Promise<LogLine[] | null> {
    // One statement, one snapshot: the lines the table holds and the tail that holds the rest.
    const [row] = await this.#run<
      Pick<JobRow, 'log_count' | 'logs_tail' | 'logs_tail_ts'> & { stored: string }
    >(
      `SELECT j.log_count, j.logs_tail, j.logs_tail_ts,
         (SELECT coalesce(json_agg(json_build_array(l.n, l.ts, l.line) ORDER BY l.n), '[]') FROM (
            SELECT n, ts, line FROM ${this.#logs} WHERE job_seq = j.seq AND n > $3 ORDER BY n LIMIT $4
          ) l) AS stored
       FROM ${this.#jobs} j WHERE j.tenant = $1 AND j.id = $2`,
      [tenant, id, after, limit],
      'always',
    );
    if (!row) return null;
    const stored = (JSON.parse(row.stored) as [number, number, string][]).map(([n, ts, line]) => ({
      n,
      ts,
      line,
    }));
    return logPage(row, stored, after, limit);
  }

  async leaseOwners(): Promise<string[]> {
    const rows = await this.#run<{ lease_owner: string }>(
      `SELECT DISTINCT lease_owner FROM ${this.#jobs} WHERE status = 'running' AND lease_owner IS NOT NULL`,
      [],
      'always',
    );
    return rows.map((r) => r.lease_owner);
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    const counts = Object.fromEntries(ALL_STATES.map((s) => [s, 0])) as Record<JobStatus, number>;
    const rows = await this.#run<{ status: JobStatus; n: number }>(
      `SELECT status, count(*) AS n FROM ${this.#jobs} GROUP BY status`,
      [],
      'always',
    );
    for (const { status, n } of rows) counts[status] = n;
    return counts;
  }

  async nextRunAt(queue: string): Promise<number | null> {
    const [row] = await this.#run<{ t: number | null }>(
      `SELECT min(run_at) AS t FROM ${this.#jobs} WHERE status = 'queued' AND queue = $1`,
      [queue],
      'always',
    );
    return row?.t ?? null;
  }

  async setPaused(queue: string, paused: boolean, now = Date.now()): Promise<void> {
    await this.#run(
      `INSERT INTO ${this.#queues} (name, paused, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused, updated_at = EXCLUDED.updated_at`,
      [queue, paused ? 1 : 0, now],
      'always',
    );
  }

  async pausedQueues(): Promise<string[]> {
    const rows = await this.#run<{ name: string }>(
      `SELECT name FROM ${this.#queues} WHERE paused = 1 ORDER BY name`,
      [],
      'always',
    );
    return rows.map((r) => r.name);
  }

  async queueCounts({ queue, tenant, now = Date.now() }: QueueCountsFilter): Promise<QueueCounts[]> {
    // Three index scans (queued, running, recently finished), not one scan of every job.
    const rows = await this.#run<QueueCountsRow>(
      `SELECT queue, sum(q) AS queued, sum(s) AS scheduled, sum(r) AS running, min(o) AS oldest_due_at,
         sum(f) AS finished_last_minute
       FROM (
         SELECT queue, (run_at <= $1)::int AS q, (run_at > $1)::int AS s, 0 AS r,
           CASE WHEN run_at <= $1 THEN GREATEST(run_at, created_at) END AS o, 0 AS f
         FROM ${this.#jobs} WHERE status = 'queued' AND ($2::text IS NULL OR tenant = $2) AND ($3::text IS NULL OR queue = $3)
         UNION ALL
         SELECT queue, 0, 0, 1, NULL, 0 FROM ${this.#jobs}
         WHERE status = 'running' AND ($2::text IS NULL OR tenant = $2) AND ($3::text IS NULL OR queue = $3)
         UNION ALL
         SELECT queue, 0, 0, 0, NULL, 1 FROM ${this.#jobs}
         WHERE finished_at >= $1 - 60000 AND ($2::text IS NULL OR tenant = $2) AND ($3::text IS NULL OR queue = $3)
       ) c GROUP BY queue ORDER BY queue`,
      [now, tenant ?? null, queue ?? null],
      'always',
    );
    return rows.map(queueCountsOf);
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
    const after = cursor ? 'AND (j.updated_at, j.seq) > ($3, $4)' : '';
    // Jobs not yet finished, and those finished since (a finished job is not written again):
    // each arm of the OR has an index (a partial one of queued jobs, of running jobs, and
    // jobs_finished), so the planner ORs three bitmap scans instead of reading the table.
    const rows = await this.#run(
      `SELECT j.* FROM ${this.#jobs} j
       WHERE j.updated_at >= $1 AND (j.status = 'queued' OR j.status = 'running' OR j.finished_at >= $1) ${after}
       ORDER BY j.updated_at, j.seq LIMIT $2`,
      cursor ? [since, limit, cursor.updatedAt, cursor.seq] : [since, limit],
      'always',
    );
    return rows.map((row) => this.#job(row));
  }

  // ---- writes ---------------------------------------------------------------------------------

  /** One job's insert, skipped on a conflict (of the id or the idempotency key); values from {@link insertValues}. */
  get #insertOne(): string {
    const notify = this.#notify('ins', '$10');
    return `
      WITH ins AS (
        INSERT INTO ${this.#jobs} (tenant, id, type, queue, priority, status, input, input_bytes, metadata,
                                   max_attempts, created_at, updated_at, run_at, idempotency_key, request_hash, webhook,
                                   logs_tail_ts)
        VALUES ($1, $2, $3, $12, $13, 'queued', $4::text::json, octet_length($4::text), $5, $6, $7, $7, $14, $8, $9, $11,
                '[]')
        ON CONFLICT DO NOTHING
        RETURNING ${notify.reads}
      ), ${notify.cte}
      SELECT ins.seq, ins.tenant, ins.id, ${notify.column} FROM ins`;
  }

  /**
   * Single inserts that come while one is being written go together in one
   * statement (one commit, one NOTIFY; see {@link #insertBatch}), each with
   * its own outcome; a lone insert waits for nothing (see {@link Batcher}).
   */
  readonly #insertBatches = new Batcher<NewJob, InsertResult>({
    run: (jobs) => this.#insertBatch(jobs),
    maxItems: INSERT_BATCH_ITEMS,
  });

  async insert(job: NewJob): Promise<InsertResult> {
    // Serialised once: the length decides the way, and the statement sends the same text.
    const withJson = job.inputJson === undefined ? { ...job, inputJson: JSON.stringify(job.input) } : job;
    if (withJson.inputJson!.length > INSERT_BATCH_INPUT_LENGTH) return this.#insertAlone(withJson);
    return this.#insertBatches.add(withJson);
  }

  /**
   * Single inserts that came together: one statement, committed by itself in
   * one round trip. They are separate requests, so nothing asks them to be
   * one transaction: a job the statement skipped (its id or key taken) then
   * goes alone, to the outcome a lone insert finds.
   */
  async #insertBatch(jobs: NewJob[]): Promise<Outcome<InsertResult>[]> {
    let inserted: (InsertResult | undefined)[] = [];
    if (jobs.length > 1) {
      try {
        // `unsent`: a statement that committed unseen would, repeated, find its own jobs taken.
        inserted = await this.#insertRows(
          (text, values = []) => this.#run(text, values, 'unsent'),
          jobs,
          Date.now(),
        );
      } catch (err) {
        // A lost connection leaves the batch's outcome unknown, as a lone insert's would be.
        if (err instanceof StoreUnavailableError) return jobs.map(() => ({ error: err }));
        // Any other error failed the statement, which wrote nothing: each job goes alone, to its own outcome.
      }
    }
    return Promise.all(
      jobs.map((job, i) => {
        const done = inserted[i];
        if (done) return { value: done };
        return this.#insertAlone(job).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
      }),
    );
  }

  async #insertAlone(job: NewJob): Promise<InsertResult> {
    const now = job.now ?? Date.now();
    const insert = this.#insertOne;
    const texts = insertTexts(job);
    const values = insertValues(job, now, this.origin, texts);
    // Inserting first is one round trip in the common case. A conflict (the id, or the
    // idempotency key) waits for the other inserter to commit, then reads who won.
    for (let round = 0; round < MAX_INSERT_ROUNDS; round++) {
      const [row] = await this.#run<{ seq: number }>(insert, values, 'unsent');
      if (row) return created(job, row.seq, now, texts);
      if (job.idempotency) {
        const [prior] = await this.#run(
          `SELECT j.* FROM ${this.#jobs} j WHERE j.tenant = $1 AND j.idempotency_key = $2`,
          [job.tenant, job.idempotency.key],
          'always',
        );
        if (prior) {
          const decision = idempotencyDecision(prior, job.idempotency.hash, now);
          if (decision !== 'expired') return { outcome: decision, job: this.#job(prior) };
          await this.#run(
            `UPDATE ${this.#jobs} SET idempotency_key = NULL, request_hash = NULL
             WHERE seq = $1 AND idempotency_key = $2`,
            [prior.seq, job.idempotency.key],
            'always',
          );
          continue;
        }
      }
      const [existing] = await this.#run(
        `SELECT * FROM ${this.#jobs} WHERE tenant = $1 AND id = $2`,
        [job.tenant, job.id],
        'always',
      );
      if (existing) return { outcome: 'id_exists', job: this.#job(existing) };
      // The row we collided with is gone (deleted meanwhile): try again.
    }
    throw new Error(`insert of job ${job.tenant}/${job.id} kept colliding; giving up`);
  }

  /**
   * One transaction: one multi-row insert (`unnest` of one array per column, so
   * one statement text whatever the batch's size) that skips every job whose id
   * or idempotency key is taken, with one NOTIFY for the jobs it wrote; then
   * the skipped jobs, in order, as {@link insert} resolves a conflict.
   */
  async insertMany(jobs: readonly NewJob[]): Promise<InsertResult[]> {
    if (jobs.length === 0) return [];
    const now = Date.now();
    return this.#tx(async (q) => {
      const inserted = await this.#insertRows(q, jobs, now);
      const results: InsertResult[] = [];
      for (const [i, job] of jobs.entries())
        results.push(inserted[i] ?? (await this.#insertSkipped(q, job, job.now ?? now)));
      return results;
    });
  }

  /**
   * The multi-row insert, through `q`, of {@link insertMany} (in its
   * transaction) and of single inserts that came together (by itself): each
   * job's outcome, or undefined for a job it skipped.
   */
  async #insertRows(q: Query, jobs: readonly NewJob[], now: number): Promise<(InsertResult | undefined)[]> {
    // A job whose id or key an earlier job of the list has is left to the second step, after that
    // one: a written row is then known by its id, and the outcomes are those of inserts in order.
    const seen = new Set<string>();
    const isFirst = jobs.map((job) => {
      const keys = [`i:${jobKey(job.tenant, job.id)}`];
      if (job.idempotency) keys.push(`k:${jobKey(job.tenant, job.idempotency.key)}`);
      const fresh = keys.every((key) => !seen.has(key));
      for (const key of keys) seen.add(key);
      return fresh;
    });
    const first = jobs.filter((_, i) => isFirst[i]);
    const texts = new Map(first.map((job) => [job, insertTexts(job)]));
    const column = <T>(pick: (job: NewJob) => T) => first.map(pick);
    const notify = this.#notify('ins', '$14');
    const insert = `
      WITH ins AS (
        INSERT INTO ${this.#jobs} (tenant, id, type, queue, priority, status, input, input_bytes, metadata,
                                   max_attempts, created_at, updated_at, run_at, idempotency_key, request_hash, webhook,
                                   logs_tail_ts)
        SELECT u.tenant, u.id, u.type, u.queue, u.priority, 'queued', u.input::json, octet_length(u.input),
               u.metadata::json, u.max_attempts, u.created_at, u.created_at, u.run_at, u.key, u.hash, u.webhook::json,
               '[]'
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::int[],
                    $9::bigint[], $10::bigint[], $11::text[], $12::text[], $13::text[])
             WITH ORDINALITY AS u(tenant, id, type, queue, priority, input, metadata, max_attempts, created_at,
                                  run_at, key, hash, webhook, ord)
        ORDER BY u.ord
        ON CONFLICT DO NOTHING
        RETURNING ${notify.reads}
      ), ${notify.cte}
      SELECT ins.seq, ins.tenant, ins.id, ${notify.column} FROM ins`;
    const values = [
      column((j) => j.tenant),
      column((j) => j.id),
      column((j) => j.type),
      column((j) => j.queue),
      column((j) => j.priority),
      column((j) => texts.get(j)!.input),
      column((j) => texts.get(j)!.metadata),
      column((j) => j.max_attempts),
      column((j) => j.now ?? now),
      column((j) => j.runAt ?? j.now ?? now),
      column((j) => j.idempotency?.key ?? null),
      column((j) => j.idempotency?.hash ?? null),
      column((j) => texts.get(j)!.webhook),
      this.origin,
    ];
    const rows = await q<{ seq: number; tenant: string; id: string }>(insert, values);
    const seqOf = new Map(rows.map((row) => [jobKey(row.tenant, row.id), row.seq]));
    return jobs.map((job, i) => {
      const seq = isFirst[i] ? seqOf.get(jobKey(job.tenant, job.id)) : undefined;
      return seq === undefined ? undefined : created(job, seq, job.now ?? now, texts.get(job)!);
    });
  }

  /**
   * The outcome of a job of a batch that the insert skipped, in the batch's
   * transaction: who holds its key or id (committed, or written earlier in the
   * batch); an expired key is forgotten and the job inserted after all.
   */
  async #insertSkipped(q: Query, job: NewJob, now: number): Promise<InsertResult> {
    for (let round = 0; round < MAX_INSERT_ROUNDS; round++) {
      if (job.idempotency) {
        const [prior] = await q(
          `SELECT j.* FROM ${this.#jobs} j WHERE j.tenant = $1 AND j.idempotency_key = $2`,
          [job.tenant, job.idempotency.key],
        );
        if (prior) {
          const decision = idempotencyDecision(prior, job.idempotency.hash, now);
          if (decision !== 'expired') return { outcome: decision, job: this.#job(prior) };
          await q(`UPDATE ${this.#jobs} SET idempotency_key = NULL, request_hash = NULL WHERE seq = $1`, [
            prior.seq,
          ]);
        }
      }
      const [existing] = await q(`SELECT j.* FROM ${this.#jobs} j WHERE j.tenant = $1 AND j.id = $2`, [
        job.tenant,
        job.id,
      ]);
      if (existing) return { outcome: 'id_exists', job: this.#job(existing) };
      // Nothing holds it now (a key just forgotten, a colliding job deleted meanwhile): insert it alone.
      const texts = insertTexts(job);
      const [row] = await q<{ seq: number }>(this.#insertOne, insertValues(job, now, this.origin, texts));
      if (row) return created(job, row.seq, now, texts);
    }
    throw new Error(`insert of job ${job.tenant}/${job.id} kept colliding; giving up`);
  }

  /**
   * Claims of one queue are serialised by a transaction-scoped advisory lock,
   * taken before the claim reads anything: the running counts the global and
   * per-tenant limits are checked against are then exact, and two claimers
   * never pick the same jobs. Then one statement picks in the order of
   * {@link JobStore.claim} (the SQL twin of turns.ts: the tenants by skipping
   * through the tenant index as queue-position.ts does, each tenant's due jobs
   * from its index, numbered after its running ones, sorted by priority, turn
   * and age) and writes the claim. This is the one change not computed by
   * transitions.ts in JS: it is `claimChange` in SQL; the states it claims
   * from come from the transition table, and the differential test holds it
   * to the SQLite store field for field. The outbox row of `job.started` is
   * written here too, as in {@link #write}: the job row as `row_to_json` gives
   * it, which the outbox reads like the rows JS writes.
   */
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
    const line = `'attempt ' || (j.attempt + 1) || ' of ' || j.max_attempts || ' started'`;
    const notify = this.#notify('u', '$7');
    // The lock is taken by a statement before the claim's: the claim's snapshot must be taken
    // after the lock is held, or it would miss the jobs the claimer before it has just taken.
    //
    // The claim's commit does not wait for the WAL to reach the disk (synchronous_commit off for
    // this transaction alone). A claim is never acknowledged to a caller: what a crash of the
    // database can lose is the claims of its last moments, whose jobs are then queued again and
    // run again, as the jobs of a crashed worker are. Every finish, insert and cancel still waits
    // for the disk, and a finish's flush takes the claim before it along, so no job that
    // finished can lose its claim; a dispatch waits for one sync (the submit's), not two.
    //
    // The claim always runs its generic plan. A plan made for its values (PostgreSQL's first five
    // on a connection, and later ones when it judges them cheaper) sees `status = ANY('{queued}')`
    // and, on a table without statistics, reads every queued job through a partial index to join
    // the few it picked; the generic plan finds them by seq.
    //
    // That plan is made at a connection's first claim, when the table may be small, and kept as
    // it grows. Made on a small table without statistics, it joined the jobs picked to the table
    // by a hash join over a sequential scan of every job, finished ones and dead versions included
    // (a claim of 15: 3.3 ms at 6,300 jobs, 6.3 ms at 30,300). Sequential scans, hash joins and
    // merge joins are off for the claim's transaction, so that the plan finds each picked job by
    // its seq (2.1-3.0 ms at every size).
    //
    // Sorts are off too. Without statistics every index of queued jobs looks alike for a few rows,
    // and a plan made on a small queue took the smallest, (queue, priority), then read and sorted
    // every queued job to find the first tenant and each tenant's next jobs: 6,000 index entries
    // a claim at 2,000 queued. The tenant index gives both in its order, and with sorts priced
    // out it is the one taken. The sorts no plan can avoid remain, and price every plan beyond
    // the threshold of JIT compilation (about a second of LLVM a claim), so JIT is off as well.
    //
    // BEGIN, the lock, the claim and COMMIT go in one round trip (see #oneTrip): the lock is
    // held, and the queue's other claimers wait, only while the server runs the statements, not
    // while replies travel and this process gets round to sending the next. A claim whose
    // connection is lost may have committed unseen; it is tried again, and the jobs it took
    // unseen come back when their lease expires, as a crashed worker's do.
    const begin =
      'BEGIN; SET LOCAL synchronous_commit = off; SET LOCAL plan_cache_mode = force_generic_plan; ' +
      `${BY_INDEX}; SET LOCAL enable_sort = off; ` +
      `SELECT pg_advisory_xact_lock(hashtextextended(${pg.escapeLiteral(`longrun:${this.schema}:${queue}`)}, 0))`;
    const rows = await this.#oneTrip<Row & { lease_token: string }>(
      begin,
      `WITH RECURSIVE t(tenant) AS (
           SELECT (SELECT tenant FROM ${this.#jobs} WHERE status = 'queued' AND queue = $1 ORDER BY tenant LIMIT 1)
           UNION ALL
           SELECT (SELECT tenant FROM ${this.#jobs} WHERE status = 'queued' AND queue = $1 AND tenant > t.tenant
                   ORDER BY tenant LIMIT 1)
           FROM t WHERE t.tenant IS NOT NULL
         ), r AS (
           SELECT tenant, count(*) AS n FROM ${this.#jobs} WHERE status = 'running' AND queue = $1 GROUP BY tenant
         ), h AS (
           SELECT d.seq, d.priority, d.run_at,
             COALESCE(r.n, 0) + row_number() OVER (PARTITION BY d.tenant ORDER BY d.priority DESC, d.run_at, d.seq) AS turn
           FROM t CROSS JOIN LATERAL (
             SELECT seq, tenant, priority, run_at FROM ${this.#jobs}
             WHERE status = 'queued' AND queue = $1 AND tenant = t.tenant AND run_at <= $2
             ORDER BY priority DESC, run_at, seq LIMIT $3
           ) d LEFT JOIN r ON r.tenant = d.tenant
           WHERE t.tenant IS NOT NULL
         ), room AS (
           SELECT CASE
             WHEN EXISTS (SELECT 1 FROM ${this.#queues} WHERE name = $1 AND paused = 1) THEN 0
             WHEN $10::int IS NULL THEN $3
             ELSE GREATEST(0, LEAST($3, $10 - (SELECT count(*) FROM r_all)))
           END AS n
         ), r_all AS (
           SELECT 1 FROM ${this.#jobs} WHERE status = 'running' AND queue = $1
         ), c AS (
           SELECT seq FROM h WHERE $9::int IS NULL OR turn <= $9
           ORDER BY priority DESC, turn, run_at, seq LIMIT (SELECT n FROM room)
         ), u AS (
           UPDATE ${this.#jobs} j SET
             status = 'running', attempt = j.attempt + 1, progress = 0, started_at = $2, finished_at = NULL,
             lease_owner = $4, lease_token = gen_random_uuid()::text, lease_expires_at = $2 + $5,
             log_count = j.log_count + 1, logs_tail = ${appendTailSql('j.logs_tail', `to_json(${line})`, '$6')},
             logs_tail_ts = CASE WHEN j.logs_tail_ts IS NULL THEN NULL
               ELSE ${appendTailSql('j.logs_tail_ts', 'to_json($2::bigint)', '$6')} END,
             version = j.version + 1, updated_at = $2
           FROM c WHERE j.seq = c.seq AND j.status = ANY($8::text[])
           RETURNING j.*
         ), l AS (
           -- The log table has the lines that left the tail: the tail's oldest, when the new line
           -- pushes it out, read from the row as it was before this statement (its snapshot). A row
           -- whose tail keeps no times has every line in the table, the new one too.
           INSERT INTO ${this.#logs} (job_seq, n, ts, line)
           SELECT u.seq, u.log_count, $2, 'attempt ' || u.attempt || ' of ' || u.max_attempts || ' started'
           FROM u WHERE u.logs_tail_ts IS NULL
           UNION ALL
           SELECT o.seq, o.log_count - $6 + 1, (o.logs_tail_ts ->> 0)::bigint, o.logs_tail ->> 0
           FROM u JOIN ${this.#jobs} o ON o.seq = u.seq WHERE u.log_count > $6 AND u.logs_tail_ts IS NOT NULL
         ), w AS (
           INSERT INTO ${this.#deliveries} (id, job_seq, event, url, job, created_at, next_attempt_at)
           SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), u.seq, 'job.started',
             u.webhook::jsonb ->> 'url',
             -- The job as snapshotOf writes it: a long input left out, its length kept.
             CASE WHEN u.input_bytes > ${LIST_FIELD_MAX_BYTES}
               THEN (to_jsonb(u) || jsonb_build_object('input', NULL))::text
               ELSE row_to_json(u)::text END, $2, $2
           FROM u WHERE u.webhook IS NOT NULL AND (u.webhook::jsonb -> 'events') ? 'job.started'
             AND NOT EXISTS (SELECT 1 FROM ${this.#deliveries} g
               WHERE g.job_seq = u.seq AND g.url = u.webhook::jsonb ->> 'url' AND g.last_status = 410)
         ), ${notify.cte}
         SELECT u.*, ${notify.column} FROM u ORDER BY u.priority DESC, u.run_at, u.seq`,
      [
        queue,
        now,
        limit,
        owner,
        leaseMs,
        LOG_TAIL,
        this.origin,
        sourcesOf('running'),
        tenantLimit,
        globalLimit,
      ],
    );
    return rows.map((row) => {
      this.#remember(row.lease_token, row);
      return { job: this.#job(row), token: row.lease_token };
    });
  }

  async heartbeat(token: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    const rows = await this.#run<{ seq: number }>(
      `UPDATE ${this.#jobs} SET lease_expires_at = GREATEST(lease_expires_at, $1)
       WHERE lease_token = $2 AND status = 'running' RETURNING seq`,
      [now + leaseMs, token],
      'always',
    );
    if (rows.length === 0) this.#leases.delete(token);
    return rows.length === 1;
  }

  async heartbeatMany(tokens: readonly string[], leaseMs: number, now = Date.now()): Promise<Set<string>> {
    if (tokens.length === 0) return new Set();
    const rows = await this.#run<{ lease_token: string }>(
      `UPDATE ${this.#jobs} SET lease_expires_at = GREATEST(lease_expires_at, $1)
       WHERE lease_token = ANY($2::text[]) AND status = 'running' RETURNING lease_token`,
      [now + leaseMs, tokens],
      'always',
    );
    const held = new Set(rows.map((r) => r.lease_token));
    for (const token of tokens) if (!held.has(token)) this.#leases.delete(token);
    return held;
  }

  /**
   * Fenced changes (report, finish, release) of this process, written in
   * batches: whatever is asked while one batch is being written goes in one
   * statement with the others, when it ends (see {@link Batcher}).
   */
  readonly #fencedBatches = new Batcher<FencedChange, StoredJob | null>({
    run: (items) => this.#fencedMany(items, Date.now()),
    maxItems: FENCED_BATCH_ITEMS,
  });

  /**
   * Fenced changes, each applied only while its job runs under its token, in
   * as few statements as their rows allow: the rows come from {@link #leases}
   * or from one read, every change is written by one {@link #write}, and only
   * those whose row changed underneath (a cancel, a recovery) are read and
   * tried again, as {@link #optimistic} does for one. A token's changes are
   * applied in order, each to the row the one before wrote; once its job no
   * longer runs under it (finished, canceled, taken back) the rest of its
   * changes are refused (null). A lost connection leaves the outcome of the
   * changes in flight unknown: they are read again by token, and a change
   * that did commit is no longer under its token and is refused, as a repeat
   * after a commit would be; the feed still publishes what committed.
   * Each change gets its own job, null, or error.
   */
  async #fencedMany(items: readonly FencedChange[], now: number): Promise<Outcome<StoredJob | null>[]> {
    const outcomes: Outcome<StoredJob | null>[] = new Array(items.length);
    /** The row each token's job has now, as far as this process knows. */
    const rows = new Map<string, JobRow>();
    /** Tokens whose job runs under them no longer. */
    const gone = new Set<string>();
    for (const { token } of items) {
      const cached = this.#leases.get(token);
      this.#leases.delete(token);
      if (cached) rows.set(token, cached);
    }
    const races = new Map<number, number>();
    let cuts = 0;
    let solo = false;
    let waiting = items.map((_, i) => i);
    while (waiting.length > 0) {
      // One change per token in a statement: the next waits for the row this one writes.
      const taken = new Set<string>();
      const current: number[] = [];
      const later: number[] = [];
      for (const i of waiting) {
        const { token } = items[i]!;
        if (gone.has(token)) outcomes[i] = { value: null };
        else if (taken.has(token) || (solo && current.length > 0)) later.push(i);
        else {
          taken.add(token);
          current.push(i);
        }
      }
      if (current.length === 0) break;
      const unknown = [...new Set(current.map((i) => items[i]!.token).filter((token) => !rows.has(token)))];
      if (unknown.length > 0) {
        let read: JobRow[];
        try {
          read = await this.#run(
            `SELECT * FROM ${this.#jobs} WHERE lease_token = ANY($1::text[]) AND status = 'running'`,
            [unknown],
            'always',
          );
        } catch (err) {
          for (const i of [...current, ...later]) outcomes[i] = { error: err };
          break;
        }
        for (const row of read) rows.set(row.lease_token!, row);
        for (const token of unknown) if (!rows.has(token)) gone.add(token);
      }
      const writes: { i: number; token: string; row: JobRow; next: NextRow }[] = [];
      for (const i of current) {
        const { token, change } = items[i]!;
        const row = rows.get(token);
        if (!row) {
          outcomes[i] = { value: null };
          continue;
        }
        const at = items[i]!.now ?? now;
        try {
          writes.push({ i, token, row, next: nextRow(row, change(row, at), at) });
        } catch (err) {
          outcomes[i] = { error: err };
        }
      }
      let written: (JobRow | undefined)[];
      try {
        written = await this.#write(this.#single, writes);
      } catch (err) {
        const cut = err instanceof StoreUnavailableError;
        if (cut || isRetryableTxError(err)) {
          cuts += 1;
          if (cuts >= CONNECTION_TRIES || this.#closed) {
            for (const i of [...writes.map((w) => w.i), ...later]) outcomes[i] = { error: err };
            break;
          }
          // Whether a cut statement committed is unknown: its rows are read again (see above).
          if (cut) for (const { token } of writes) rows.delete(token);
          await sleep(backoff(cuts, CONNECTION_BACKOFF));
          waiting = sortedIndexes(
            writes.map(({ i }) => i),
            later,
          );
          continue;
        }
        // The statement failed and wrote nothing, for one of its changes: each is written
        // alone from now on, so that only the one at fault fails.
        if (writes.length > 1) solo = true;
        else if (writes[0]) outcomes[writes[0].i] = { error: err };
        waiting = sortedIndexes(writes.length > 1 ? writes.map(({ i }) => i) : [], later);
        continue;
      }
      const retry: number[] = [];
      for (const [k, { i, token, row }] of writes.entries()) {
        const after = written[k];
        if (after) {
          outcomes[i] = { value: this.#job(after) };
          if (after.lease_token === token) rows.set(token, after);
          else {
            rows.delete(token);
            gone.add(token);
          }
          continue;
        }
        // Lost its race: the row changed underneath; read it again.
        rows.delete(token);
        const lost = (races.get(i) ?? 0) + 1;
        races.set(i, lost);
        if (lost < MAX_RACE_ROUNDS) retry.push(i);
        else
          outcomes[i] = { error: new Error(`job ${row.tenant}/${row.id} kept changing underneath a write`) };
      }
      waiting = sortedIndexes(retry, later);
    }
    // The row each job still runs under is kept for the next change.
    for (const [token, row] of rows) if (!gone.has(token)) this.#remember(token, row);
    return outcomes;
  }

  /** One fenced change, through {@link #fencedBatches}. */
  async #fenced(token: string, now: number | undefined, change: FencedChange['change']) {
    return this.#fencedBatches.add({ token, now, change });
  }

  #remember(token: string, row: JobRow): void {
    this.#leases.set(token, row, rowBytes(row));
  }

  async report(token: string, patch: ProgressPatch, now?: number): Promise<StoredJob | null> {
    return this.#fenced(token, now, (row) => reportChange(row, patch));
  }

  async finish(
    token: string,
    outcome: 'completed' | 'failed',
    opts: FinishOptions,
  ): Promise<StoredJob | null> {
    return this.#fenced(token, opts.now, (row, now) => finishChange(row, outcome, { ...opts, now }));
  }

  async finishMany(items: readonly FinishItem[]): Promise<(StoredJob | null)[]> {
    const outcomes = await this.#fencedMany(
      items.map(({ token, outcome, opts }) => ({
        token,
        now: opts.now,
        change: (row: JobRow, now: number) => finishChange(row, outcome, { ...opts, now }),
      })),
      Date.now(),
    );
    // One error fails the call; the changes that did commit are published by the feed all the same.
    return outcomes.map((outcome) => {
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    });
  }

  async release(token: string, now?: number): Promise<StoredJob | null> {
    return this.#fenced(token, now, (row, at) => releaseChange(row, at));
  }

  async leased(token: string): Promise<StoredJob | null> {
    // Read afresh, not from #leases: a copy there may predate a cancel or recovery on another node.
    const [row] = await this.#run(
      `SELECT * FROM ${this.#jobs} WHERE lease_token = $1 AND status = 'running'`,
      [token],
      'always',
    );
    return row ? this.#job(row) : null;
  }

  async runningOf(ownerPrefix: string): Promise<HeldJob[]> {
    // starts_with, not LIKE: a prefix's % and _ are its own characters.
    const rows = await this.#run<HeldJobRow>(
      `SELECT lease_owner, tenant, id, type, started_at FROM ${this.#jobs}
       WHERE status = 'running' AND starts_with(lease_owner, $1) ORDER BY started_at, seq`,
      [ownerPrefix],
      'always',
    );
    return rows.map(toHeldJob);
  }

  async cancel(tenant: string, id: string, now = Date.now()): Promise<CancelResult> {
    return this.#optimistic<CancelResult>(
      async () =>
        (
          await this.#run(`SELECT * FROM ${this.#jobs} WHERE tenant = $1 AND id = $2`, [tenant, id], 'always')
        )[0],
      (row) => {
        if (!row) return { result: { outcome: 'not_found' } };
        const decision = cancelDecision(row);
        // Both other outcomes are terminal states, which have no queue position.
        if (decision !== 'cancel') return { result: { outcome: decision, job: toJob(row, null) } };
        return { write: cancelChange(row, now), done: (job) => ({ outcome: 'canceled', job }) };
      },
      now,
    );
  }

  async delete(tenant: string, id: string): Promise<DeleteResult> {
    return this.#tx(async (q): Promise<DeleteResult> => {
      const [row] = await q(`SELECT * FROM ${this.#jobs} WHERE tenant = $1 AND id = $2 FOR UPDATE`, [
        tenant,
        id,
      ]);
      if (!row) return { outcome: 'not_found' };
      if (!isDeletable(row)) return { outcome: 'not_terminal' };
      await q(`DELETE FROM ${this.#jobs} WHERE seq = $1`, [row.seq]);
      return { outcome: 'deleted', job: toJob(row, null) };
    });
  }

  async recover({
    now = Date.now(),
    owners = [],
  }: {
    now?: number | undefined;
    owners?: readonly string[] | undefined;
  }): Promise<StoredJob[]> {
    return this.#tx(async (q) => {
      // SKIP LOCKED: a row another node is recovering, or its worker is finishing, is theirs.
      const rows = await q(
        `SELECT * FROM ${this.#jobs}
         WHERE status = 'running' AND (lease_expires_at < $1 OR lease_owner = ANY($2::text[]))
         ORDER BY seq FOR UPDATE SKIP LOCKED`,
        [now, owners],
      );
      return this.#writeLocked(
        q,
        rows.map((row) => ({ row, change: lostLeaseChange(row, now) })),
        now,
      );
    });
  }

  async purge({
    finishedBefore,
    limit,
  }: {
    finishedBefore: number;
    limit: number;
  }): Promise<{ tenant: string; id: string }[]> {
    // Not repeated on a lost connection: a purge that committed unseen would leave its
    // artifacts behind, and the next one would delete other jobs.
    return this.#run<{ tenant: string; id: string }>(
      `WITH d AS (
         DELETE FROM ${this.#jobs} WHERE seq IN (
           SELECT seq FROM ${this.#jobs}
           WHERE finished_at IS NOT NULL AND finished_at < $1 AND status = ANY($3::text[])
           ORDER BY finished_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING tenant, id, finished_at, seq)
       SELECT tenant, id FROM d ORDER BY finished_at, seq`,
      [finishedBefore, limit, [...TERMINAL_STATES]],
      'unsent',
    );
  }

  // ---- webhook outbox -------------------------------------------------------------------------

  /** Deliveries with their job's tenant and id. */
  #withJob(from: string): string {
    return `SELECT d.*, j.tenant, j.id AS job_id FROM ${from} d JOIN ${this.#jobs} j ON j.seq = d.job_seq`;
  }

  async claimDeliveries({
    leaseMs,
    limit,
    now = Date.now(),
  }: DeliveryClaimOptions): Promise<DeliveryLease[]> {
    if (limit <= 0) return [];
    // SKIP LOCKED: dispatchers on other nodes take other deliveries, never the same one.
    const rows = await this.#run<DeliveryRow>(
      `WITH c AS (
         SELECT id FROM ${this.#deliveries} WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, created_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), u AS (
         UPDATE ${this.#deliveries} d SET lease_token = gen_random_uuid()::text, next_attempt_at = $1 + $3
         FROM c WHERE d.id = c.id RETURNING d.*
       )
       ${this.#withJob('u')} ORDER BY d.created_at`,
      [now, limit, leaseMs],
      // A claim whose reply was lost only delays its deliveries until the lease ends.
      'unsent',
    );
    return rows.map((row) => ({ delivery: toDelivery(row), token: row.lease_token! }));
  }

  async recordDelivery(token: string, attempt: DeliveryAttempt, result: DeliveryOutcome): Promise<boolean> {
    return this.#tx(async (q) => {
      const [row] = await q<DeliveryRow>(
        `SELECT * FROM ${this.#deliveries} WHERE lease_token = $1 AND status = 'pending' FOR UPDATE`,
        [token],
      );
      if (!row) return false;
      const error = deliveryError(attempt.error);
      await q(
        `UPDATE ${this.#deliveries} SET status = $2, attempts = attempts + 1, next_attempt_at = $3,
           last_status = $4, last_error = $5, history = $6, lease_token = NULL
         WHERE id = $1`,
        [
          row.id,
          DELIVERY_STATUS[result.outcome],
          result.outcome === 'retry' ? result.nextAttemptAt : null,
          attempt.status_code,
          error,
          appendHistory(row.history, { ...attempt, error }),
        ],
      );
      if (result.outcome === 'gone') {
        await q(
          `UPDATE ${this.#deliveries} SET status = 'stopped', next_attempt_at = NULL, lease_token = NULL
           WHERE job_seq = $1 AND url = $2 AND status = 'pending'`,
          [row.job_seq, row.url],
        );
      }
      return true;
    });
  }

  async listDeliveries(tenant: string, jobId: string): Promise<WebhookDelivery[] | null> {
    const rows = await this.#run<DeliveryRow & { found: number | null }>(
      `SELECT d.*, j.tenant, j.id AS job_id, j.seq AS found FROM ${this.#jobs} j
       LEFT JOIN ${this.#deliveries} d ON d.job_seq = j.seq
       WHERE j.tenant = $1 AND j.id = $2 ORDER BY d.created_at, (d.job::json ->> 'version')::integer`,
      [tenant, jobId],
      'always',
    );
    if (rows.length === 0) return null;
    return rows.filter((r) => r.id !== null).map(toDelivery);
  }

  async retryDelivery(
    tenant: string,
    jobId: string,
    deliveryId: string,
    now = Date.now(),
  ): Promise<WebhookDelivery | null> {
    const rows = await this.#run<DeliveryRow>(
      `WITH u AS (
         UPDATE ${this.#deliveries} d SET status = 'pending', next_attempt_at = $4, lease_token = NULL
         FROM ${this.#jobs} j
         WHERE d.id = $3 AND d.job_seq = j.seq AND j.tenant = $1 AND j.id = $2
         RETURNING d.*
       )
       ${this.#withJob('u')}`,
      [tenant, jobId, deliveryId, now],
      'always',
    );
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  async nextDeliveryAt(): Promise<number | null> {
    const [row] = await this.#run<{ t: number | null }>(
      `SELECT min(next_attempt_at) AS t FROM ${this.#deliveries} WHERE status = 'pending'`,
      [],
      'always',
    );
    return row?.t ?? null;
  }

  // ---- remote workers -------------------------------------------------------------------------

  async registerWorker(worker: WorkerRecord, types: readonly RemoteType[]): Promise<void> {
    const declared = latestDeclarations(types);
    await this.#tx(async (q) => {
      // A worker registering again under its id keeps its first registered_at: it has been known
      // since then. Its name, key and types are the new ones; last_seen_at never goes back.
      await q(
        `INSERT INTO ${this.#workers} AS w (id, name, key_id, types, registered_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, key_id = EXCLUDED.key_id, types = EXCLUDED.types,
           last_seen_at = GREATEST(w.last_seen_at, EXCLUDED.last_seen_at)`,
        [
          worker.id,
          worker.name,
          worker.keyId,
          JSON.stringify(worker.types),
          worker.registeredAt,
          worker.lastSeenAt,
        ],
      );
      if (declared.length === 0) return;
      // The latest declaration wins, whoever made it: the order of the commits, not of
      // declared_at. One row per type (latestDeclarations), in name order, so two registrations
      // sharing types lock them in the same order.
      await q(
        `INSERT INTO ${this.#remoteTypes} (type, description, input_schema, queue, declared_at)
         SELECT t.type, t.description, t.input_schema::json, t.queue, t.declared_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) WITH ORDINALITY
           AS t(type, description, input_schema, queue, declared_at, ord)
         ORDER BY t.ord
         ON CONFLICT (type) DO UPDATE SET description = EXCLUDED.description,
           input_schema = EXCLUDED.input_schema, queue = EXCLUDED.queue, declared_at = EXCLUDED.declared_at`,
        [
          declared.map((t) => t.type),
          declared.map((t) => t.description),
          declared.map((t) => JSON.stringify(t.inputSchema)),
          declared.map((t) => t.queue),
          declared.map((t) => t.declaredAt),
        ],
      );
    });
  }

  async remoteTypes(): Promise<RemoteType[]> {
    // Byte order, as SQLite sorts: the database's collation would sort otherwise.
    const rows = await this.#run<RemoteTypeRow>(
      `SELECT * FROM ${this.#remoteTypes} ORDER BY type COLLATE "C"`,
      [],
      'always',
    );
    return rows.map(toRemoteType);
  }

  async getWorker(id: string): Promise<WorkerRecord | null> {
    const [row] = await this.#run<WorkerRow>(`SELECT * FROM ${this.#workers} WHERE id = $1`, [id], 'always');
    return row ? toWorker(row) : null;
  }

  async touchWorker(id: string, now: number): Promise<boolean> {
    const rows = await this.#run<{ id: string }>(
      `UPDATE ${this.#workers} SET last_seen_at = GREATEST(last_seen_at, $2) WHERE id = $1 RETURNING id`,
      [id, now],
      'always',
    );
    return rows.length === 1;
  }

  async listWorkers(): Promise<WorkerRecord[]> {
    const rows = await this.#run<WorkerRow>(
      `SELECT * FROM ${this.#workers} ORDER BY last_seen_at DESC, id COLLATE "C"`,
      [],
      'always',
    );
    return rows.map(toWorker);
  }

  async removeWorker(id: string): Promise<boolean> {
    // Not repeated once sent: a repeat of a delete that committed unseen would say false.
    const rows = await this.#run<{ id: string }>(
      `DELETE FROM ${this.#workers} WHERE id = $1 RETURNING id`,
      [id],
      'unsent',
    );
    return rows.length === 1;
  }

  async purgeWorkers(seenBefore: number): Promise<number> {
    // Not repeated once sent, as removeWorker: a repeat would count none of what the first took.
    const [row] = await this.#run<{ n: number }>(
      `WITH d AS (DELETE FROM ${this.#workers} WHERE last_seen_at < $1 RETURNING 1) SELECT count(*) AS n FROM d`,
      [seenBefore],
      'unsent',
    );
    return row?.n ?? 0;
  }

  // ---- uploaded files -------------------------------------------------------------------------

  async insertFile(file: NewFile): Promise<boolean> {
    // Not repeated once sent: a repeat of an insert that committed unseen would say false.
    const rows = await this.#run<{ id: string }>(
      `INSERT INTO ${this.#files} (tenant, id, filename, content_type, bytes, sha256, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant, id) DO NOTHING RETURNING id`,
      [
        file.tenant,
        file.id,
        file.filename,
        file.content_type,
        file.bytes,
        file.sha256,
        file.createdAt,
        file.expiresAt,
      ],
      'unsent',
    );
    return rows.length === 1;
  }

  async getFile(tenant: string, id: string): Promise<StoredFile | null> {
    const [row] = await this.#run<FileRow>(
      `SELECT * FROM ${this.#files} WHERE tenant = $1 AND id = $2`,
      [tenant, id],
      'always',
    );
    return row ? toFile(row) : null;
  }

  async listFiles({ tenant, limit, beforeSeq }: FileListFilter): Promise<StoredFile[]> {
    const rows = await this.#run<FileRow>(
      `SELECT * FROM ${this.#files} WHERE tenant = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
      [tenant, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit],
      'always',
    );
    return rows.map(toFile);
  }

  async deleteFile(tenant: string, id: string): Promise<StoredFile | null> {
    const [row] = await this.#run<FileRow>(
      `DELETE FROM ${this.#files} WHERE tenant = $1 AND id = $2 RETURNING *`,
      [tenant, id],
      'unsent',
    );
    return row ? toFile(row) : null;
  }

  async takeExpiredFiles({
    now = Date.now(),
    limit,
  }: {
    now?: number | undefined;
    limit: number;
  }): Promise<StoredFile[]> {
    if (limit <= 0) return [];
    // Not repeated on a lost connection, as purge: a take that committed unseen would leave its
    // bytes behind for the orphan sweep, and a repeat would take other files.
    const rows = await this.#run<FileRow>(
      `DELETE FROM ${this.#files} WHERE seq IN (
         SELECT seq FROM ${this.#files} WHERE expires_at < $1
         ORDER BY expires_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [now, limit],
      'unsent',
    );
    return rows.map(toFile);
  }
}

const DELIVERY_STATUS = {
  delivered: 'delivered',
  retry: 'pending',
  failed: 'failed',
  gone: 'stopped',
} as const satisfies Record<DeliveryOutcome['outcome'], string>;

const JSON_COLUMNS = new Set<string>(['output', 'logs_tail', 'logs_tail_ts']);

/**
 * SQL for transitions.ts `appendTail`: the JSON array `tail` with the json value `added` appended,
 * keeping the newest `keep`. An empty tail (a job's first claim) is the value alone, without
 * taking the array apart and aggregating it again (3.2 µs a row, against 0.5).
 */
function appendTailSql(tail: string, added: string, keep: string): string {
  return `CASE WHEN ${tail}::text = '[]' THEN json_build_array(${added}) ELSE (SELECT coalesce(json_agg(x ORDER BY i), '[]'::json) FROM (
    SELECT x, i FROM (
      SELECT e.x, e.i FROM json_array_elements(${tail}) WITH ORDINALITY AS e(x, i)
      UNION ALL SELECT ${added}, 9223372036854775807
    ) a ORDER BY i DESC LIMIT ${keep}) b) END`;
}

/** The SET expression of a mutable column from the `v` row of new values. */
function setColumn(col: (typeof MUTABLE_COLUMNS)[number]): string {
  if (JSON_COLUMNS.has(col)) return `v.${col}::json`;
  // A heartbeat extends a lease without a new version, so a change that keeps the lease
  // (a progress report read before the heartbeat) must not shorten it.
  if (col === 'lease_expires_at') {
    return 'CASE WHEN v.lease_token IS NULL THEN NULL ELSE GREATEST(j.lease_expires_at, v.lease_expires_at) END';
  }
  return `v.${col}`;
}

/** The SQL type each mutable column travels as (json columns as text, cast on write). */
const COLUMN_TYPES: Record<(typeof MUTABLE_COLUMNS)[number], string> = {
  status: 'text',
  progress: 'integer',
  stage: 'text',
  message: 'text',
  output: 'text',
  error_code: 'text',
  error_message: 'text',
  attempt: 'integer',
  eta: 'bigint',
  started_at: 'bigint',
  updated_at: 'bigint',
  finished_at: 'bigint',
  logs_tail: 'text',
  logs_tail_ts: 'text',
  log_count: 'integer',
  run_at: 'bigint',
  lease_owner: 'text',
  lease_token: 'text',
  lease_expires_at: 'bigint',
};

/**
 * Return a client to the pool after a transaction failed with `err`: a lost
 * connection is discarded; otherwise an open transaction is rolled back first
 * (a client whose ROLLBACK fails is discarded too).
 */
async function giveBack(
  client: pg.PoolClient,
  err: unknown,
  { rollback }: { rollback: boolean },
): Promise<void> {
  if (isConnectionError(err)) return client.release(err as Error);
  if (!rollback) return client.release();
  await client.query('ROLLBACK').then(
    () => client.release(),
    (rollbackErr: Error) => client.release(rollbackErr),
  );
}

function unavailable(err: unknown): unknown {
  if (!isConnectionError(err) || err instanceof StoreUnavailableError) return err;
  return new StoreUnavailableError(`PostgreSQL cannot be reached: ${(err as Error).message}`, { cause: err });
}

/** The parameters of {@link PostgresJobStore}'s one-job insert, in its numbering. */
function insertValues(job: NewJob, now: number, origin: string, texts: InsertedTexts): unknown[] {
  return [
    job.tenant,
    job.id,
    job.type,
    texts.input,
    texts.metadata,
    job.max_attempts,
    now,
    job.idempotency?.key ?? null,
    job.idempotency?.hash ?? null,
    origin,
    texts.webhook,
    job.queue,
    job.priority,
    job.runAt ?? now,
  ];
}

/** The outcome of an insert that wrote `job` as `seq`: its row made from what was sent (see {@link insertedRow}). */
function created(job: NewJob, seq: number, now: number, texts: InsertedTexts): InsertResult {
  return { outcome: 'created', job: toJob(insertedRow(job, seq, now, texts), null, job.input) };
}

/** A change of a job that is made only while the job runs under `token`. */
interface FencedChange {
  token: string;
  /** When it is made; by default, when its batch is written. */
  now: number | undefined;
  change: (row: JobRow, now: number) => RowChange;
}

/** Indexes of two sorted lists, merged in order. */
function sortedIndexes(a: readonly number[], b: readonly number[]): number[] {
  return [...a, ...b].sort((x, y) => x - y);
}

/** A job's key within a store: its tenant and id. */
function jobKey(tenant: string, id: string): string {
  return `${tenant}\u0000${id}`;
}
