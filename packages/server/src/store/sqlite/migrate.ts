import type Database from 'better-sqlite3';
import { readMigrations } from '../migrations.js';

/** Numbered, append-only SQL files (see {@link readMigrations}). */
export const SQLITE_MIGRATIONS_DIR = new URL('../../../migrations/sqlite/', import.meta.url);

/**
 * Apply the migrations not yet applied, each in its own `BEGIN IMMEDIATE`
 * transaction: a second process migrating the same file waits for the write
 * lock, then sees the migration recorded and skips it.
 */
export function migrateSqlite(db: Database.Database, dir: URL = SQLITE_MIGRATIONS_DIR): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = db.prepare<[number], { version: number }>(
    'SELECT version FROM schema_migrations WHERE version = ?',
  );
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  for (const m of readMigrations(dir)) {
    db.transaction(() => {
      if (applied.get(m.version)) return;
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }).immediate();
  }
}
