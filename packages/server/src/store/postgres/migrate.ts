import type pg from 'pg';
import { readMigrations } from '../migrations.js';
import { ident } from './connection.js';

/** Numbered, append-only SQL files (see {@link readMigrations}), written without a schema name. */
export const POSTGRES_MIGRATIONS_DIR = new URL('../../../migrations/postgres/', import.meta.url);

/** The first key of longrun's advisory locks (`hashtext('longrun')` would do; a constant is plainer). */
const LOCK_CLASS = 0x6c72; // 'lr'

/**
 * Create `schema` if needed and apply the migrations not yet applied, all in
 * one transaction under an advisory lock on the schema: a second node starting
 * at the same time waits for the lock, then finds everything applied. A
 * database migrated by a newer longrun is refused rather than misread.
 */
export async function migratePostgres(
  client: pg.ClientBase,
  schema: string,
  dir: URL = POSTGRES_MIGRATIONS_DIR,
): Promise<{ applied: number[] }> {
  const migrations = readMigrations(dir);
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    // Checked first: CREATE SCHEMA needs a privilege on the database that the owner of a
    // schema made beforehand by an administrator may not have.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${ident(schema)}`);
    await client.query(`SET LOCAL search_path TO ${ident(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const known = new Set(migrations.map((m) => m.version));
    const unknown = [...done].filter((v) => !known.has(v)).sort((a, b) => a - b);
    if (unknown.length > 0) {
      throw new Error(
        `schema "${schema}" has migration ${unknown.at(-1)}, which this longrun does not know; ` +
          'it was migrated by a newer version: upgrade this node',
      );
    }
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return { applied };
}
