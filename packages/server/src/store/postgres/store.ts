import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { sleep } from '../../internal/sleep.js';
import type { StoredJob } from '../../jobs/model.js';
import { ALL_STATES, type JobStatus } from '../../jobs/states.js';
import {
  cancelChange,
  cancelDecision,
  claimChange,
  finishChange,
  idempotencyDecision,
  isDeletable,
  iso,
  type JobRow,
  lostLeaseChange,
  MUTABLE_COLUMNS,
  nextRow,
  type RowChange,
  releaseChange,
  reportChange,
  toJob,
} from '../shared.js';
import {
  type CancelResult,
  type ChangeCursor,
  type ClaimOptions,
  type DeleteResult,
  type FinishOptions,
  type InsertResult,
  type JobStore,
  type Lease,
  type ListFilter,
  type LogLine,
  type NewJob,
  type ProgressPatch,
  StoreUnavailableError,
} from '../store.js';
import {
  checkSchema,
  clientConfig,
  ident,
  isConnectionError,
  isRetryableTxError,
  jobsChannel,
} from './connection.js';
import { migratePostgres } from './migrate.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  connectionString: string;
  /** The schema that holds longrun's tables; `migrate()` creates it. @default 'longrun' */
  schema?: string;
  /** The most connections this store opens at once. @default 10 */
  poolSize?: number;
  /** How connections are named in `pg_stat_activity`. @default `longrun/<schema>` */
  applicationName?: string;
  /** Errors of idle connections, which the pool drops and replaces by itself. @default ignored */
  onIdleError?: (err: Error) => void;
}

/** A row as the store reads it: the job row and, for queued jobs, its place in the queue. */
type Row = JobRow & { queue_position?: number | null };
type Query = <R = Row>(text: string, values?: readonly unknown[]) => Promise<R[]>;

/** How often a statement is tried when the connection, not the statement, fails. */
const CONNECTION_TRIES = 4;
const MAX_INSERT_ROUNDS = 8;

/**
 * The store for many processes on many machines. Every change that reads
 * before it writes runs in a transaction holding the row (`FOR UPDATE`;
 * claims and recovery `SKIP LOCKED`, so nodes never wait on each other), asks
 * shared.ts what the change is, and writes it in one statement ({@link #write})
 * that also appends the log lines and sends the NOTIFY, so other processes hear
 * of a change exactly when it commits. Insert is one statement with
 * `ON CONFLICT DO NOTHING`; a conflict is then resolved by reading who won.
 */
export class PostgresJobStore implements JobStore {
  readonly schema: string;
  /** The channel every change of this schema is announced on. */
  readonly channel: string;
  /** Sent with each NOTIFY, so this process's feed can skip its own changes. */
  readonly origin = randomUUID();
  readonly connectionString: string;
  readonly applicationName: string;
  readonly #pool: pg.Pool;
  readonly #jobs: string;
  readonly #logs: string;
  readonly #names = new Map<string, string>();
  #closed = false;

  constructor({
    connectionString,
    schema = 'longrun',
    poolSize = 10,
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
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** A named statement per SQL text, so each connection plans it once. */
  #config(text: string, values: readonly unknown[]): pg.QueryConfig {
    let name = this.#names.get(text);
    if (!name) {
      name = `lr_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
      this.#names.set(text, name);
    }
    return { name, text, values: values as unknown[] };
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
          await sleep(backoff(attempt));
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
        client.release(lost ? (err as Error) : undefined);
        if (lost && retry === 'always' && attempt < CONNECTION_TRIES && !this.#closed) {
          await sleep(backoff(attempt));
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
   */
  async #tx<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient | undefined;
      let committing = false;
      try {
        client = await this.#connect();
        const c = client;
        const q: Query = async <R>(text: string, values: readonly unknown[] = []) =>
          (await c.query(this.#config(text, values))).rows as R[];
        await client.query('BEGIN');
        const result = await fn(q);
        committing = true;
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (err) {
        const lost = isConnectionError(err);
        if (client) {
          if (lost) client.release(err as Error);
          else if (committing) client.release();
          else {
            await client.query('ROLLBACK').then(
              () => client?.release(),
              (rollbackErr: Error) => client?.release(rollbackErr),
            );
          }
        }
        const again = (lost && !committing) || isRetryableTxError(err);
        if (again && attempt < CONNECTION_TRIES && !this.#closed) {
          await sleep(backoff(attempt));
          continue;
        }
        throw unavailable(err);
      }
    }
  }

  /** `CASE` giving a queued row its place in the queue (null otherwise), for `alias`. */
  #position(alias: string): string {
    return `CASE WHEN ${alias}.status = 'queued' THEN (
      SELECT count(*) FROM ${this.#jobs} q
      WHERE q.status = 'queued' AND (q.run_at, q.seq) < (${alias}.run_at, ${alias}.seq)) END AS queue_position`;
  }

  /** The NOTIFY of a changed row `alias`: tiny, far under the 8000-byte limit. */
  #notify(alias: string, originParam: string): string {
    return `pg_notify(${pg.escapeLiteral(this.channel)}, json_build_object(
      't', ${alias}.tenant, 'i', ${alias}.id, 'q', ${alias}.seq, 'v', ${alias}.version,
      's', ${alias}.status, 'o', ${originParam}::text
    )::text) AS notified`;
  }

  /**
   * The one place a state change is written. Each change is checked against
   * the transition table (in {@link nextRow}); then one statement appends the
   * log lines, writes the rows (guarded by version), and sends one NOTIFY per
   * row, all in the caller's transaction. (A webhook outbox row belongs here too.)
   */
  async #write(q: Query, items: readonly { row: JobRow; change: RowChange }[], now: number) {
    if (items.length === 0) return [];
    const nexts = items.map(({ row, change }) => nextRow(row, change, now));
    const cols = MUTABLE_COLUMNS;
    const logSeq: number[] = [];
    const logN: number[] = [];
    const logLine: string[] = [];
    for (const [i, { logs }] of nexts.entries()) {
      for (const { n, line } of logs) {
        logSeq.push(items[i]!.row.seq);
        logN.push(n);
        logLine.push(line);
      }
    }
    const values: unknown[] = [
      nexts.map(({ next }) => next.seq),
      nexts.map(({ next }) => next.version),
      ...cols.map((col) => nexts.map(({ next }) => next[col])),
      logSeq,
      logN,
      logLine,
      now,
      this.origin,
    ];
    const colTypes = cols.map((col, i) => `$${i + 3}::${COLUMN_TYPES[col]}[]`);
    const p = cols.length + 3;
    const text = `
      WITH v AS (
        SELECT * FROM unnest($1::bigint[], $2::integer[], ${colTypes.join(', ')})
          AS v(seq, version, ${cols.join(', ')})
      ), l AS (
        INSERT INTO ${this.#logs} (job_seq, n, ts, line)
        SELECT s, n, $${p + 3}, line FROM unnest($${p}::bigint[], $${p + 1}::integer[], $${p + 2}::text[]) AS x(s, n, line)
      ), u AS (
        UPDATE ${this.#jobs} j SET ${cols.map((col) => `${col} = v.${col}${JSON_COLUMNS.has(col) ? '::json' : ''}`).join(', ')},
          version = j.version + 1
        FROM v WHERE j.seq = v.seq AND j.version = v.version
        RETURNING j.*
      )
      SELECT u.*, ${this.#position('u')}, ${this.#notify('u', `$${p + 4}`)} FROM u`;
    const rows = await q(text, values);
    if (rows.length !== items.length) {
      throw new Error(`a job changed underneath a write (${rows.length} of ${items.length} written)`);
    }
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    return items.map(({ row }) => {
      const written = bySeq.get(row.seq)!;
      return toJob(written, written.queue_position ?? null);
    });
  }

  #job(row: Row): StoredJob {
    return toJob(row, row.queue_position ?? null);
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

  /** Several jobs by key in one query (for the change feed); missing ones are left out. */
  async getMany(keys: readonly { tenant: string; id: string }[]): Promise<StoredJob[]> {
    if (keys.length === 0) return [];
    const rows = await this.#run(
      `SELECT j.*, ${this.#position('j')} FROM ${this.#jobs} j
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
      `SELECT j.*, ${this.#position('j')} FROM ${this.#jobs} j
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
    const rows = await this.#run<{ n: number | null; ts: number | null; line: string | null }>(
      `SELECT l.n, l.ts, l.line FROM ${this.#jobs} j
       LEFT JOIN LATERAL (
         SELECT n, ts, line FROM ${this.#logs} WHERE job_seq = j.seq AND n > $3 ORDER BY n LIMIT $4
       ) l ON true
       WHERE j.tenant = $1 AND j.id = $2 ORDER BY l.n`,
      [tenant, id, after, limit],
      'always',
    );
    if (rows.length === 0) return null;
    return rows.filter((l) => l.n !== null).map((l) => ({ seq: l.n!, timestamp: iso(l.ts!), line: l.line! }));
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

  async nextRunAt(types?: readonly string[]): Promise<number | null> {
    if (types && types.length === 0) return null;
    const [row] = await this.#run<{ t: number | null }>(
      `SELECT min(run_at) AS t FROM ${this.#jobs} WHERE status = 'queued'${types ? ' AND type = ANY($1::text[])' : ''}`,
      types ? [types] : [],
      'always',
    );
    return row?.t ?? null;
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
    const rows = await this.#run(
      `SELECT j.*, ${this.#position('j')} FROM ${this.#jobs} j
       WHERE j.updated_at >= $1 ${after} ORDER BY j.updated_at, j.seq LIMIT $2`,
      cursor ? [since, limit, cursor.updatedAt, cursor.seq] : [since, limit],
      'always',
    );
    return rows.map((row) => this.#job(row));
  }

  // ---- writes ---------------------------------------------------------------------------------

  async insert(job: NewJob): Promise<InsertResult> {
    const now = job.now ?? Date.now();
    const insert = `
      WITH ins AS (
        INSERT INTO ${this.#jobs} (tenant, id, type, status, input, metadata, max_attempts,
                                   created_at, updated_at, run_at, idempotency_key, request_hash)
        VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $7, $7, $8, $9)
        ON CONFLICT DO NOTHING
        RETURNING *
      )
      SELECT ins.*, ${this.#position('ins')}, ${this.#notify('ins', '$10')} FROM ins`;
    const values = [
      job.tenant,
      job.id,
      job.type,
      JSON.stringify(job.input),
      JSON.stringify(job.metadata),
      job.max_attempts,
      now,
      job.idempotency?.key ?? null,
      job.idempotency?.hash ?? null,
      this.origin,
    ];
    // Inserting first is one round trip in the common case. A conflict (the id, or the
    // idempotency key) waits for the other inserter to commit, then reads who won.
    for (let round = 0; round < MAX_INSERT_ROUNDS; round++) {
      const [row] = await this.#run(insert, values, 'unsent');
      if (row) return { outcome: 'created', job: this.#job(row) };
      if (job.idempotency) {
        const [prior] = await this.#run(
          `SELECT j.*, ${this.#position('j')} FROM ${this.#jobs} j WHERE j.tenant = $1 AND j.idempotency_key = $2`,
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
      const existing = await this.get(job.tenant, job.id);
      if (existing) return { outcome: 'id_exists', job: existing };
      // The row we collided with is gone (deleted meanwhile): try again.
    }
    throw new Error(`insert of job ${job.tenant}/${job.id} kept colliding; giving up`);
  }

  async claim({ owner, leaseMs, limit, types, now = Date.now() }: ClaimOptions): Promise<Lease[]> {
    if (limit <= 0 || (types && types.length === 0)) return [];
    return this.#tx(async (q) => {
      const rows = await q(
        `SELECT * FROM ${this.#jobs}
         WHERE status = 'queued' AND run_at <= $1 ${types ? 'AND type = ANY($3::text[])' : ''}
         ORDER BY run_at, seq LIMIT $2
         FOR UPDATE SKIP LOCKED`,
        types ? [now, limit, types] : [now, limit],
      );
      const tokens = rows.map(() => randomUUID());
      const jobs = await this.#write(
        q,
        rows.map((row, i) => ({ row, change: claimChange(row, { owner, token: tokens[i]!, leaseMs, now }) })),
        now,
      );
      return jobs.map((job, i) => ({ job, token: tokens[i]! }));
    });
  }

  async heartbeat(token: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    const rows = await this.#run<{ seq: number }>(
      `UPDATE ${this.#jobs} SET lease_expires_at = GREATEST(lease_expires_at, $1)
       WHERE lease_token = $2 AND status = 'running' RETURNING seq`,
      [now + leaseMs, token],
      'always',
    );
    return rows.length === 1;
  }

  /** A fenced change: only while the job runs under `token`. */
  #byToken(token: string, now: number, change: (row: JobRow) => RowChange): Promise<StoredJob | null> {
    return this.#tx(async (q) => {
      const [row] = await q(
        `SELECT * FROM ${this.#jobs} WHERE lease_token = $1 AND status = 'running' FOR UPDATE`,
        [token],
      );
      if (!row) return null;
      const [job] = await this.#write(q, [{ row, change: change(row) }], now);
      return job!;
    });
  }

  async report(token: string, patch: ProgressPatch, now = Date.now()): Promise<StoredJob | null> {
    return this.#byToken(token, now, (row) => reportChange(row, patch));
  }

  async finish(
    token: string,
    outcome: 'completed' | 'failed',
    opts: FinishOptions,
  ): Promise<StoredJob | null> {
    const now = opts.now ?? Date.now();
    return this.#byToken(token, now, (row) => finishChange(row, outcome, { ...opts, now }));
  }

  async release(token: string, now = Date.now()): Promise<StoredJob | null> {
    return this.#byToken(token, now, (row) => releaseChange(row, now));
  }

  async cancel(tenant: string, id: string, now = Date.now()): Promise<CancelResult> {
    return this.#tx(async (q): Promise<CancelResult> => {
      const [row] = await q(`SELECT * FROM ${this.#jobs} WHERE tenant = $1 AND id = $2 FOR UPDATE`, [
        tenant,
        id,
      ]);
      if (!row) return { outcome: 'not_found' };
      const decision = cancelDecision(row);
      // Both other outcomes are terminal states, which have no queue position.
      if (decision !== 'cancel') return { outcome: decision, job: toJob(row, null) };
      const [job] = await this.#write(q, [{ row, change: cancelChange(row, now) }], now);
      return { outcome: 'canceled', job: job! };
    });
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
      return this.#write(
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
           WHERE finished_at IS NOT NULL AND finished_at < $1 AND status IN ('completed', 'failed', 'canceled')
           ORDER BY finished_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING tenant, id, finished_at, seq)
       SELECT tenant, id FROM d ORDER BY finished_at, seq`,
      [finishedBefore, limit],
      'unsent',
    );
  }
}

const JSON_COLUMNS = new Set<string>(['output', 'logs_tail']);

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
  log_count: 'integer',
  run_at: 'bigint',
  lease_owner: 'text',
  lease_token: 'text',
  lease_expires_at: 'bigint',
};

function backoff(attempt: number): number {
  return Math.min(1000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function unavailable(err: unknown): unknown {
  if (!isConnectionError(err) || err instanceof StoreUnavailableError) return err;
  return new StoreUnavailableError(`PostgreSQL cannot be reached: ${(err as Error).message}`, { cause: err });
}
