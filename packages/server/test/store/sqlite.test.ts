import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { ALL_STATES } from '../../src/jobs/states.js';
import { migrateSqlite, SQLITE_MIGRATIONS_DIR } from '../../src/store/sqlite/migrate.js';
import { SqliteJobStore } from '../../src/store/sqlite/store.js';
import { newJob } from '../helpers/jobs.js';
import { storeConformance } from './conformance.js';

const { sqliteSynchronous: synchronous } = defaultConfig();

function tempFile(): { file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'longrun-sqlite-'));
  return { file: join(dir, 'jobs.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

storeConformance('sqlite', async () => {
  const { file, remove } = tempFile();
  const store = new SqliteJobStore({ filename: file, synchronous });
  await store.migrate();
  return {
    store,
    dispose: async () => {
      await store.close();
      remove();
    },
  };
});

/** A fresh store, and the SQL of every statement it prepared while `use` ran on it. */
async function statementsPrepared(use: (store: SqliteJobStore) => Promise<unknown>) {
  const prepared = new Set<string>();
  const prepare = Database.prototype.prepare;
  const spy = vi.spyOn(Database.prototype, 'prepare').mockImplementation(function (
    this: Database.Database,
    sql,
  ) {
    prepared.add(sql);
    return prepare.call(this, sql);
  });
  const { file, remove } = tempFile();
  const store = new SqliteJobStore({ filename: file, synchronous });
  try {
    await store.migrate();
    // The store prepares its statements at its first use.
    await use(store);
  } finally {
    spy.mockRestore();
  }
  const close = async () => {
    await store.close();
    remove();
  };
  return { prepared: [...prepared], file, close };
}

describe('SQLite store specifics', () => {
  it('runs in WAL mode (durability: see committer.test.ts)', async () => {
    const { file, remove } = tempFile();
    const store = new SqliteJobStore({ filename: file, synchronous });
    await store.migrate();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await store.close();
    remove();
  });

  it('migrates once, however many times and processes ask', async () => {
    const { file, remove } = tempFile();
    const a = new SqliteJobStore({ filename: file, synchronous });
    const b = new SqliteJobStore({ filename: file, synchronous });
    await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
      version: number;
    }[];
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    db.close();
    await a.close();
    await b.close();
    remove();
  });

  it('reads every job in only the statements meant to: the sweeps of running jobs go by the running index', async () => {
    const { prepared, file, close } = await statementsPrepared((store) =>
      store.recover({ owners: ['gone'] }),
    );
    const db = new Database(file, { readonly: true });
    const scans = prepared.filter((sql) => {
      // Plans do not depend on the values bound: every parameter is bound to NULL.
      const named = [...new Set([...sql.matchAll(/@(\w+)/g)].map((m) => m[1]!))];
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
      const rows = (
        named.length > 0
          ? plan.all(Object.fromEntries(named.map((name) => [name, null])))
          : plan.all(...Array<null>(sql.split('?').length - 1).fill(null))
      ) as { detail: string }[];
      return rows.some(({ detail }) => /^SCAN jobs( |$)/.test(detail) && !detail.includes(' USING '));
    });
    expect(prepared.length).toBeGreaterThan(40);
    // The counts for /metrics alone: the jobs changed since a time are read through indexes too.
    expect(scans.map((sql) => sql.replace(/\s+/g, ' '))).toEqual([
      'SELECT status, COUNT(*) AS n FROM jobs GROUP BY status',
    ]);
    db.close();
    await close();
  });

  it('binds no LIMIT or OFFSET that SQLite would plan by, and so prepare again at every run', async () => {
    const { prepared, close } = await statementsPrepared(async (store) => {
      await store.recover({ owners: ['gone'] });
      await store.list({ limit: 10 });
    });
    const limits = prepared.filter((sql) => /\b(LIMIT|OFFSET)\b/i.test(sql));
    expect(limits.length).toBeGreaterThan(8);
    expect(limits.filter((sql) => /\b(LIMIT|OFFSET)\s+[?@:$]/i.test(sql))).toEqual([]);
    await close();
  });

  it('reads a long input another process wrote, and shares one parsed input among the snapshots of a job', async () => {
    const { file, remove } = tempFile();
    const a = new SqliteJobStore({ filename: file, synchronous });
    const b = new SqliteJobStore({ filename: file, synchronous });
    await Promise.all([a.migrate(), b.migrate()]);
    const input = { text: 'z'.repeat(64 * 1024) };
    const made = await a.insert(newJob('long', { input }));
    expect(made.outcome).toBe('created');
    // b never saw it: it reads the input from the table.
    const [lease] = await b.claim({ queue: made.job.queue, owner: 'w', leaseMs: 30_000, limit: 1 });
    expect(lease?.job.input).toEqual(input);
    // Its later snapshots hand on the object it read (an input is never written to).
    const reported = await b.report(lease!.token, { progress: 50 });
    expect(reported?.input).toBe(lease!.job.input);
    // a made it, so a has the object it was given.
    expect((await a.get(made.job.tenant, made.job.id))?.input).toBe(input);
    await a.close();
    await b.close();
    remove();
  });

  it('claims a job it submitted from the row it wrote, and from the table once another process changed it', async () => {
    const { file, remove } = tempFile();
    const a = new SqliteJobStore({ filename: file, synchronous });
    const b = new SqliteJobStore({ filename: file, synchronous });
    await Promise.all([a.migrate(), b.migrate()]);
    const input = { n: 1 };
    const fresh = await a.insert(newJob('fresh', { input }));
    const [first] = await a.claim({ queue: fresh.job.queue, owner: 'a', leaseMs: 30_000, limit: 1 });
    expect(first?.job).toMatchObject({ id: 'fresh', status: 'running', attempt: 1, version: 2 });
    // The object a was given is handed on: the row was not read back.
    expect(first?.job.input).toBe(input);

    // b takes the job a submitted and gives it back: still queued, two versions on.
    const moved = await a.insert(newJob('moved'));
    const [taken] = await b.claim({ queue: moved.job.queue, owner: 'b', leaseMs: 30_000, limit: 1 });
    expect(taken?.job.id).toBe('moved');
    await b.release(taken!.token);
    const [lease] = await a.claim({ queue: moved.job.queue, owner: 'a', leaseMs: 30_000, limit: 1 });
    expect(lease?.job).toMatchObject({ id: 'moved', status: 'running', lease_owner: 'a', version: 4 });
    // b's claim and release are in the log: a wrote from the row as b left it.
    const logs = await a.logs(moved.job.tenant, 'moved', { after: 0, limit: 10 });
    expect(logs?.map((l) => l.line)).toEqual([
      ...(await b.logs(moved.job.tenant, 'moved', { after: 0, limit: 2 }))!.map((l) => l.line),
      expect.stringMatching(/^attempt \d+ of \d+ started$/),
    ]);
    expect(await b.leased(lease!.token)).toMatchObject({ id: 'moved', version: 4 });
    await a.close();
    await b.close();
    remove();
  });
  it('with synchronous=full, starts a job once its submission is synced, not waiting for the syncs of later ones', async () => {
    const { file, remove } = tempFile();
    const syncs: (() => void)[] = [];
    const store = new SqliteJobStore({
      filename: file,
      synchronous: 'full',
      fsync: () => new Promise<void>((resolve) => syncs.push(resolve)),
    });
    const syncOne = async () => {
      await vi.waitFor(() => expect(syncs.length).toBeGreaterThan(0));
      syncs.shift()!();
    };
    const claim = () => store.claim({ queue: 'simulate', owner: 'w', leaseMs: 10_000, limit: 1 });
    await Promise.all([store.migrate(), syncOne()]);
    await Promise.all([store.insert(newJob('a')), syncOne()]);
    // A later submission is being synced; the earlier job, on disk, is claimed without waiting for it.
    const b = store.insert(newJob('b'));
    await vi.waitFor(() => expect(syncs).toHaveLength(1));
    expect((await claim()).map((l) => l.job.id)).toEqual(['a']);
    expect(syncs).toHaveLength(1);
    // The job whose submission is not yet on disk is not started before it is.
    let started = false;
    const second = claim().then((leases) => {
      started = true;
      return leases;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toBe(false);
    while (!started) {
      await syncOne();
      await new Promise((r) => setTimeout(r, 5));
    }
    await b;
    expect((await second).map((l) => l.job.id)).toEqual(['b']);
    let closed = false;
    const closing = store.close().then(() => (closed = true));
    while (!closed) {
      for (const sync of syncs.splice(0)) sync();
      await new Promise((r) => setTimeout(r, 5));
    }
    await closing;
    remove();
  });

  it('stores exactly the states of the state machine (the CHECK constraint agrees with JOB_STATES)', async () => {
    const { file, remove } = tempFile();
    const store = new SqliteJobStore({ filename: file, synchronous });
    await store.migrate();
    await store.close();
    const db = new Database(file);
    const insert = db.prepare(
      `INSERT INTO jobs (tenant, id, type, status, input, max_attempts, created_at, updated_at, run_at)
       VALUES ('t', ?, 'simulate', ?, '{}', 1, 0, 0, 0)`,
    );
    for (const status of ALL_STATES) expect(() => insert.run(`id-${status}`, status)).not.toThrow();
    expect(() => insert.run('id-bogus', 'paused')).toThrow(/CHECK/);
    db.close();
    remove();
  });

  it('moves the large columns last without losing a row, a log line, a delivery or a used seq (migrations 5 and 8)', async () => {
    const { file, remove } = tempFile();
    // A database as longrun left it at migration 4, with jobs, log lines and a webhook delivery.
    const upTo4 = join(file, '..', 'migrations-1-4');
    mkdirSync(upTo4);
    for (const f of readdirSync(SQLITE_MIGRATIONS_DIR).filter((f) => /^000[1-4]_/.test(f))) {
      copyFileSync(new URL(f, SQLITE_MIGRATIONS_DIR), join(upTo4, f));
    }
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    migrateSqlite(old, pathToFileURL(`${upTo4}/`));
    const insert = old.prepare(
      `INSERT INTO jobs (tenant, id, type, status, input, output, metadata, max_attempts, created_at, updated_at, run_at, queue, priority, webhook)
       VALUES ('t', ?, 'simulate', ?, ?, ?, '{"k":"v"}', 3, 1, 2, 3, 'simulate', ?, ?)`,
    );
    for (let i = 1; i <= 4; i++) {
      insert.run(
        `j${i}`,
        i === 2 ? 'completed' : 'queued',
        JSON.stringify({ n: i, big: 'x'.repeat(10_000 * i) }),
        i === 2 ? '{"ok":true}' : null,
        i,
        i === 2 ? '{"url":"http://127.0.0.1:9/h"}' : null,
      );
    }
    old
      .prepare("INSERT INTO job_logs (job_seq, n, ts, line) VALUES (2, 1, 5, 'a line'), (2, 2, 6, 'another')")
      .run();
    old
      .prepare(
        "INSERT INTO webhook_deliveries (id, job_seq, event, url, job, created_at) VALUES ('d1', 2, 'job.completed', 'http://127.0.0.1:9/h', '{}', 7)",
      )
      .run();
    old.prepare("UPDATE jobs SET finished_at = 4 WHERE id = 'j2'").run();
    old.prepare("DELETE FROM jobs WHERE id = 'j4'").run(); // the newest seq is gone, and must not be reused
    const before = old.prepare('SELECT * FROM jobs ORDER BY seq').all();
    old.close();

    const store = new SqliteJobStore({ filename: file, synchronous });
    await store.migrate();
    const made = await store.insert(newJob('j5', { max_attempts: 1 }));
    expect(made.job.seq).toBe(5);
    const db = new Database(file, { readonly: true });
    const columns = (db.pragma('table_info(jobs)') as { name: string }[]).map((c) => c.name);
    expect(columns.slice(-3)).toEqual(['logs_tail_ts', 'output', 'input']);
    // Rows written before the tail kept its lines' times have none: all their lines are in job_logs.
    expect(db.prepare('SELECT * FROM jobs WHERE seq < 5 ORDER BY seq').all()).toEqual(
      before.map((row) => ({ ...(row as object), logs_tail_ts: null })),
    );
    expect(db.prepare('SELECT line FROM job_logs ORDER BY n').all()).toEqual([
      { line: 'a line' },
      { line: 'another' },
    ]);
    expect(db.prepare('SELECT id, job_seq FROM webhook_deliveries').all()).toEqual([
      { id: 'd1', job_seq: 2 },
    ]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
    expect((await store.logs('t', 'j2', { limit: 10 }))!.map((l) => [l.seq, l.line])).toEqual([
      [1, 'a line'],
      [2, 'another'],
    ]);
    // A job queued before goes on writing every line to the log table: its claim's and its finish's.
    const [lease] = await store.claim({ queue: 'simulate', owner: 'w', leaseMs: 10_000, limit: 1 });
    expect(lease?.job.id).toBe('j3'); // the highest priority of the queued ones
    await store.finish(lease!.token, 'completed', { output: {} });
    const lines = new Database(file, { readonly: true });
    expect(lines.prepare('SELECT n FROM job_logs WHERE job_seq = 3 ORDER BY n').all()).toEqual([
      { n: 1 },
      { n: 2 },
    ]);
    lines.close();
    expect((await store.logs('t', 'j3', { limit: 10 }))!.map((l) => l.seq)).toEqual([1, 2]);
    // Foreign keys are enforced again once migrated: deleting a job takes its log lines with it.
    expect(await store.delete('t', 'j2')).toMatchObject({ outcome: 'deleted' });
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT count(*) AS n FROM job_logs WHERE job_seq = 2').get()).toEqual({ n: 0 });
    after.close();
    await store.close();
    remove();
  });
});
