import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { JobError, JsonObject, StoredJob } from '../../jobs/model.js';
import { ALL_STATES, canTransition, type JobStatus, sourcesOf } from '../../jobs/states.js';
import {
  appendTail,
  clampProgress,
  cleanLogLines,
  IDEMPOTENCY_WINDOW_MS,
  iso,
  lostLeaseOutcome,
} from '../shared.js';
import type {
  CancelResult,
  ClaimOptions,
  DeleteResult,
  FinishOptions,
  InsertResult,
  JobStore,
  Lease,
  ListFilter,
  LogLine,
  NewJob,
  ProgressPatch,
} from '../store.js';
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
   * @default 'full'
   */
  synchronous?: 'full' | 'normal';
}

interface JobRow {
  seq: number;
  tenant: string;
  id: string;
  type: string;
  status: JobStatus;
  progress: number;
  stage: string | null;
  message: string | null;
  input: string;
  output: string | null;
  error_code: string | null;
  error_message: string | null;
  attempt: number;
  max_attempts: number;
  eta: number | null;
  created_at: number;
  started_at: number | null;
  updated_at: number;
  finished_at: number | null;
  version: number;
  logs_tail: string;
  log_count: number;
  metadata: string;
  run_at: number;
  lease_owner: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  idempotency_key: string | null;
  request_hash: string | null;
}

/**
 * The embedded store: one SQLite file in WAL mode. better-sqlite3 is
 * synchronous, so within one process each method runs to completion without
 * interleaving; across processes, writes take SQLite's write lock
 * (`BEGIN IMMEDIATE`), so a claim is never given to two workers.
 */
export class SqliteJobStore implements JobStore {
  readonly #db: Database.Database;
  #prepared: ReturnType<SqliteJobStore['prepare']> | undefined;
  readonly #committer: GroupCommitter;

  constructor({ filename, synchronous = 'full' }: SqliteStoreOptions) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.#db = new Database(filename);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    this.#committer = new GroupCommitter({ db: this.#db, filename, durable: synchronous === 'full' });
  }

  /** Every write goes through the group committer: one transaction, and one sync, per tick. */
  #tx<T>(fn: () => T): Promise<T> {
    return this.#committer.run(fn);
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
      byKey: db.prepare<[string, string], JobRow>('SELECT * FROM jobs WHERE tenant = ? AND id = ?'),
      byToken: db.prepare<[string], JobRow>(
        "SELECT * FROM jobs WHERE lease_token = ? AND status = 'running'",
      ),
      byIdempotency: db.prepare<[string, string], JobRow>(
        'SELECT * FROM jobs WHERE tenant = ? AND idempotency_key = ?',
      ),
      forgetIdempotency: db.prepare<[number]>(
        'UPDATE jobs SET idempotency_key = NULL, request_hash = NULL WHERE seq = ?',
      ),
      insert: db.prepare<
        [
          string,
          string,
          string,
          string,
          string,
          number,
          number,
          number,
          number,
          string | null,
          string | null,
        ],
        JobRow
      >(
        `INSERT INTO jobs (tenant, id, type, status, input, metadata, max_attempts, created_at, updated_at, run_at,
                           idempotency_key, request_hash)
         VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING *`,
      ),
      queuePosition: db.prepare<[number, number, number], { n: number }>(
        `SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued' AND (run_at < ? OR (run_at = ? AND seq < ?))`,
      ),
      logs: db.prepare<[number, number, number], { n: number; ts: number; line: string }>(
        'SELECT n, ts, line FROM job_logs WHERE job_seq = ? AND n > ? ORDER BY n LIMIT ?',
      ),
      insertLog: db.prepare<[number, number, number, string]>(
        'INSERT INTO job_logs (job_seq, n, ts, line) VALUES (?, ?, ?, ?)',
      ),
      heartbeat: db.prepare<[number, string]>(
        "UPDATE jobs SET lease_expires_at = MAX(lease_expires_at, ?) WHERE lease_token = ? AND status = 'running'",
      ),
      update: db.prepare(
        `UPDATE jobs SET status = @status, progress = @progress, stage = @stage, message = @message,
           output = @output, error_code = @error_code, error_message = @error_message, attempt = @attempt,
           eta = @eta, started_at = @started_at, updated_at = @updated_at, finished_at = @finished_at,
           version = version + 1, logs_tail = @logs_tail, log_count = @log_count, run_at = @run_at,
           lease_owner = @lease_owner, lease_token = @lease_token, lease_expires_at = @lease_expires_at
         WHERE seq = @seq AND version = @version
         RETURNING *`,
      ),
      expired: db.prepare<[number], JobRow>(
        "SELECT * FROM jobs WHERE status = 'running' AND lease_expires_at < ? ORDER BY seq",
      ),
      owners: db.prepare<[], { lease_owner: string }>(
        "SELECT DISTINCT lease_owner FROM jobs WHERE status = 'running' AND lease_owner IS NOT NULL",
      ),
      byOwner: db.prepare<[string], JobRow>(
        "SELECT * FROM jobs WHERE status = 'running' AND lease_owner = ? ORDER BY seq",
      ),
      purgeable: db.prepare<[number, number], { seq: number; tenant: string; id: string }>(
        `SELECT seq, tenant, id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?
           AND status IN ('completed', 'failed', 'canceled') ORDER BY finished_at LIMIT ?`,
      ),
      deleteSeq: db.prepare<[number]>('DELETE FROM jobs WHERE seq = ?'),
      counts: db.prepare<[], { status: JobStatus; n: number }>(
        'SELECT status, COUNT(*) AS n FROM jobs GROUP BY status',
      ),
      nextRunAt: db.prepare<[], { t: number | null }>(
        "SELECT MIN(run_at) AS t FROM jobs WHERE status = 'queued'",
      ),
    };
  }

  #job(row: JobRow): StoredJob {
    let queuePosition: number | null = null;
    if (row.status === 'queued') {
      queuePosition = this.#s.queuePosition.get(row.run_at, row.run_at, row.seq)!.n;
    }
    return toJob(row, queuePosition);
  }

  /** Write a changed copy of `row`; the version check makes a lost race impossible to miss. */
  #write(row: JobRow, change: Partial<JobRow>, lines: readonly string[] = [], now = Date.now()): StoredJob {
    const next: JobRow = { ...row, ...change, updated_at: now };
    if (next.status !== row.status && !canTransition(row.status, next.status)) {
      throw new Error(
        `job ${row.tenant}/${row.id}: ${row.status} -> ${next.status} is not an allowed transition`,
      );
    }
    if (lines.length > 0) {
      const clean = cleanLogLines(lines);
      for (const [i, line] of clean.entries())
        this.#s.insertLog.run(row.seq, row.log_count + i + 1, now, line);
      next.log_count = row.log_count + clean.length;
      next.logs_tail = JSON.stringify(appendTail(JSON.parse(row.logs_tail) as string[], clean));
    }
    const written = this.#s.update.get(next) as JobRow | undefined;
    if (!written) throw new Error(`job ${row.tenant}/${row.id} changed underneath a write`);
    return this.#job(written);
  }

  async insert(job: NewJob): Promise<InsertResult> {
    const now = job.now ?? Date.now();
    return this.#tx((): InsertResult => {
      if (job.idempotency) {
        const prior = this.#s.byIdempotency.get(job.tenant, job.idempotency.key);
        if (prior && prior.created_at > now - IDEMPOTENCY_WINDOW_MS) {
          const outcome = prior.request_hash === job.idempotency.hash ? 'replayed' : 'idempotency_conflict';
          return { outcome, job: this.#job(prior) };
        }
        if (prior) this.#s.forgetIdempotency.run(prior.seq);
      }
      const existing = this.#s.byKey.get(job.tenant, job.id);
      if (existing) return { outcome: 'id_exists', job: this.#job(existing) };
      const row = this.#s.insert.get(
        job.tenant,
        job.id,
        job.type,
        JSON.stringify(job.input),
        JSON.stringify(job.metadata),
        job.max_attempts,
        now,
        now,
        now,
        job.idempotency?.key ?? null,
        job.idempotency?.hash ?? null,
      )!;
      return { outcome: 'created', job: this.#job(row) };
    });
  }

  async get(tenant: string, id: string): Promise<StoredJob | null> {
    const row = this.#s.byKey.get(tenant, id);
    return row ? this.#job(row) : null;
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
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    const rows = this.#db.prepare<unknown[], JobRow>(sql).all(...params);
    return rows.map((row) => this.#job(row));
  }

  async logs(tenant: string, id: string, { after = 0, limit }: { after?: number; limit: number }) {
    const row = this.#s.byKey.get(tenant, id);
    if (!row) return null;
    return this.#s.logs
      .all(row.seq, after, limit)
      .map((l): LogLine => ({ seq: l.n, timestamp: iso(l.ts), line: l.line }));
  }

  async claim({ owner, leaseMs, limit, types, now = Date.now() }: ClaimOptions): Promise<Lease[]> {
    if (limit <= 0) return [];
    return this.#tx((): Lease[] => {
      const params: unknown[] = [now];
      let typeFilter = '';
      if (types) {
        if (types.length === 0) return [];
        typeFilter = `AND type IN (${types.map(() => '?').join(', ')})`;
        params.push(...types);
      }
      params.push(limit);
      const rows = this.#db
        .prepare<unknown[], JobRow>(
          `SELECT * FROM jobs WHERE status = 'queued' AND run_at <= ? ${typeFilter} ORDER BY run_at, seq LIMIT ?`,
        )
        .all(...params);
      return rows.map((row) => {
        const token = randomUUID();
        const attempt = row.attempt + 1;
        const job = this.#write(
          row,
          {
            status: 'running',
            attempt,
            progress: 0,
            started_at: now,
            finished_at: null,
            lease_owner: owner,
            lease_token: token,
            lease_expires_at: now + leaseMs,
          },
          [`attempt ${attempt} of ${row.max_attempts} started`],
          now,
        );
        return { job, token };
      });
    });
  }

  async heartbeat(token: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    return this.#tx(() => this.#s.heartbeat.run(now + leaseMs, token).changes === 1);
  }

  async report(token: string, patch: ProgressPatch, now = Date.now()): Promise<StoredJob | null> {
    return this.#tx((): StoredJob | null => {
      const row = this.#s.byToken.get(token);
      if (!row) return null;
      return this.#write(row, patchChange(row, patch), patch.logs ?? [], now);
    });
  }

  async finish(
    token: string,
    outcome: 'completed' | 'failed',
    { report = {}, output = null, error = null, retryAt, now = Date.now() }: FinishOptions,
  ): Promise<StoredJob | null> {
    return this.#tx((): StoredJob | null => {
      const row = this.#s.byToken.get(token);
      if (!row) return null;
      const released = {
        ...patchChange(row, report),
        lease_owner: null,
        lease_token: null,
        lease_expires_at: null,
      };
      const lines = report.logs ?? [];
      if (outcome === 'completed') {
        return this.#write(
          row,
          {
            ...released,
            status: 'completed',
            progress: 100,
            output: JSON.stringify(output ?? {}),
            error_code: null,
            error_message: null,
            eta: null,
            finished_at: now,
          },
          [...lines, `attempt ${row.attempt} completed`],
          now,
        );
      }
      const err: JobError = error ?? { code: 'processor_error', message: 'The job failed.' };
      if (retryAt !== undefined && row.attempt < row.max_attempts) {
        const wait = Math.max(0, retryAt - now);
        return this.#write(
          row,
          {
            ...released,
            status: 'queued',
            progress: 0,
            eta: null,
            run_at: retryAt,
            message: `Retrying after: ${err.message}`,
          },
          [
            ...lines,
            `attempt ${row.attempt} failed (${err.code}: ${err.message}); retrying in ${(wait / 1000).toFixed(1)} s`,
          ],
          now,
        );
      }
      return this.#write(
        row,
        {
          ...released,
          status: 'failed',
          error_code: err.code,
          error_message: err.message,
          eta: null,
          finished_at: now,
        },
        [...lines, `attempt ${row.attempt} failed (${err.code}: ${err.message})`],
        now,
      );
    });
  }

  async release(token: string, now = Date.now()): Promise<StoredJob | null> {
    return this.#tx((): StoredJob | null => {
      const row = this.#s.byToken.get(token);
      if (!row) return null;
      return this.#write(
        row,
        {
          status: 'queued',
          attempt: Math.max(0, row.attempt - 1),
          progress: 0,
          eta: null,
          run_at: now,
          lease_owner: null,
          lease_token: null,
          lease_expires_at: null,
          message: 'Released by a worker that shut down; queued again',
        },
        [`attempt ${row.attempt} released by a worker that shut down`],
        now,
      );
    });
  }

  async cancel(tenant: string, id: string, now = Date.now()): Promise<CancelResult> {
    return this.#tx((): CancelResult => {
      const row = this.#s.byKey.get(tenant, id);
      if (!row) return { outcome: 'not_found' };
      if (row.status === 'canceled') return { outcome: 'already_canceled', job: this.#job(row) };
      if (!sourcesOf('canceled').includes(row.status)) return { outcome: 'finished', job: this.#job(row) };
      const job = this.#write(
        row,
        {
          status: 'canceled',
          eta: null,
          finished_at: now,
          lease_owner: null,
          lease_token: null,
          lease_expires_at: null,
          message: 'Canceled',
        },
        [`canceled while ${row.status}`],
        now,
      );
      return { outcome: 'canceled', job };
    });
  }

  async delete(tenant: string, id: string): Promise<DeleteResult> {
    return this.#tx((): DeleteResult => {
      const row = this.#s.byKey.get(tenant, id);
      if (!row) return { outcome: 'not_found' };
      if (row.finished_at === null || !['completed', 'failed', 'canceled'].includes(row.status)) {
        return { outcome: 'not_terminal' };
      }
      this.#s.deleteSeq.run(row.seq);
      return { outcome: 'deleted', job: this.#job(row) };
    });
  }

  async recover({ now = Date.now(), owners = [] }: { now?: number; owners?: readonly string[] }) {
    return this.#tx((): StoredJob[] => {
      const rows = new Map<number, JobRow>();
      for (const row of this.#s.expired.all(now)) rows.set(row.seq, row);
      for (const owner of owners) for (const row of this.#s.byOwner.all(owner)) rows.set(row.seq, row);
      return [...rows.values()].map((row) => {
        const next = lostLeaseOutcome(row.attempt, row.max_attempts);
        return this.#write(
          row,
          {
            status: next.status,
            progress: next.status === 'queued' ? 0 : row.progress,
            error_code: next.error?.code ?? null,
            error_message: next.error?.message ?? null,
            eta: null,
            run_at: now,
            finished_at: next.status === 'failed' ? now : null,
            lease_owner: null,
            lease_token: null,
            lease_expires_at: null,
            message: next.line,
          },
          [next.line],
          now,
        );
      });
    });
  }

  async leaseOwners(): Promise<string[]> {
    return this.#s.owners.all().map((r) => r.lease_owner);
  }

  async purge({ finishedBefore, limit }: { finishedBefore: number; limit: number }) {
    return this.#tx(() => {
      const rows = this.#s.purgeable.all(finishedBefore, limit);
      for (const row of rows) this.#s.deleteSeq.run(row.seq);
      return rows.map(({ tenant, id }) => ({ tenant, id }));
    });
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    const counts = Object.fromEntries(ALL_STATES.map((s) => [s, 0])) as Record<JobStatus, number>;
    for (const { status, n } of this.#s.counts.all()) counts[status] = n;
    return counts;
  }

  async nextRunAt(types?: readonly string[]): Promise<number | null> {
    if (types) {
      if (types.length === 0) return null;
      const row = this.#db
        .prepare<string[], { t: number | null }>(
          `SELECT MIN(run_at) AS t FROM jobs WHERE status = 'queued' AND type IN (${types.map(() => '?').join(', ')})`,
        )
        .get(...types);
      return row?.t ?? null;
    }
    return this.#s.nextRunAt.get()?.t ?? null;
  }
}

function patchChange(row: JobRow, patch: ProgressPatch): Partial<JobRow> {
  const change: Partial<JobRow> = {};
  if (patch.progress !== undefined) change.progress = Math.max(row.progress, clampProgress(patch.progress));
  if (patch.stage !== undefined) change.stage = patch.stage;
  if (patch.message !== undefined) change.message = patch.message;
  if (patch.eta !== undefined) change.eta = patch.eta;
  return change;
}

function toJob(row: JobRow, queuePosition: number | null): StoredJob {
  const error: JobError | null =
    row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' };
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    progress: row.progress,
    stage: row.stage,
    message: row.message,
    input: JSON.parse(row.input) as JsonObject,
    output: row.output === null ? null : (JSON.parse(row.output) as JsonObject),
    error,
    attempt: row.attempt,
    max_attempts: row.max_attempts,
    queue_position: queuePosition,
    eta: iso(row.eta),
    created_at: iso(row.created_at),
    started_at: iso(row.started_at),
    updated_at: iso(row.updated_at),
    finished_at: iso(row.finished_at),
    version: row.version,
    logs: JSON.parse(row.logs_tail) as string[],
    metadata: JSON.parse(row.metadata) as JsonObject,
    tenant: row.tenant,
    seq: row.seq,
    run_at: row.run_at,
    lease_owner: row.lease_owner,
    lease_expires_at: row.lease_expires_at,
  };
}
