import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { ALL_STATES } from '../../src/jobs/states.js';
import { SqliteJobStore } from '../../src/store/sqlite/store.js';
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
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4]);
    db.close();
    await a.close();
    await b.close();
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
});
