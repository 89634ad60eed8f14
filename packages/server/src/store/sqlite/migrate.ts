import type Database from 'better-sqlite3';
import { readMigrations } from '../migrations.js';

/** Numbered, append-only SQL files (see {@link readMigrations}). */
export const SQLITE_MIGRATIONS_DIR = new URL('../../../migrations/sqlite/', import.meta.url);

/**
 * Apply the migrations not yet applied, each in its own `BEGIN IMMEDIATE`
 * transaction (with foreign keys checked at its end rather than enforced as it runs): a second process migrating the same file waits for the write
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
  // A migration may rebuild a table (create, copy, drop, rename), which SQLite allows only
  // with foreign keys off: dropping the old table would otherwise delete the rows that
  // reference it. The pragma is ignored inside a transaction, so it is set around them, and
  // each migration checks the keys itself before it commits.
  const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    for (const m of readMigrations(dir)) {
      db.transaction(() => {
        if (applied.get(m.version)) return;
        db.exec(m.sql);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) {
          throw new Error(
            `migration ${m.version} (${m.name}) leaves ${broken.length} rows with a broken foreign key`,
          );
        }
        record.run(m.version, m.name, Date.now());
      }).immediate();
    }
  } finally {
    if (enforced) db.pragma('foreign_keys = ON');
  }
}
