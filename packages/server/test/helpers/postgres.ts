import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { PostgresJobStore } from '../../src/store/postgres/store.js';
import { afterThisTest } from './cleanup.js';

/** The database the PostgreSQL tests use; each test works in a schema of its own. */
export const PG_URL = process.env.TEST_DATABASE_URL ?? '';
export const PG_SKIP_REASON = 'PostgreSQL tests skipped: set TEST_DATABASE_URL=postgres://… to run them';

/**
 * `describe` for tests that need PostgreSQL. With TEST_DATABASE_URL set they
 * run (and fail if it cannot be reached). Without it they fail in CI
 * (CI=true), and elsewhere are skipped with the reason in their title and on
 * stderr, so nobody mistakes a skipped run for a passing one.
 */
export function describePostgres(name: string, body: () => void): void {
  if (PG_URL) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has a PostgreSQL to run against', () => {
        throw new Error(
          'CI=true but TEST_DATABASE_URL is unset: CI must run the PostgreSQL tests (.ci/run sets it)',
        );
      });
    });
  } else {
    process.stderr.write(`${PG_SKIP_REASON} (${name})\n`);
    // Skipped on purpose, with the reason shown: there is no PostgreSQL to run against.
    describe.skip(`${name} (${PG_SKIP_REASON})`, body);
  }
}

/** A schema name no other test uses. */
export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${process.pid}_${randomBytes(5).toString('hex')}`;
}

/** Run one statement as an administrator of the test database. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG_URL, application_name: 'longrun-test-admin' });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
}

/** Cut every connection whose application_name starts with `prefix`; returns how many. */
export async function terminateBackends(prefix: string): Promise<number> {
  const rows = await adminQuery<{ ok: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
     WHERE application_name LIKE $1 || '%' AND pid <> pg_backend_pid()`,
    [prefix],
  );
  return rows.filter((r) => r.ok).length;
}

/** A migrated store in a fresh schema, and how to close it and drop the schema. */
export async function freshPgStore(
  opts: { schema?: string; poolSize?: number } = {},
): Promise<{ store: PostgresJobStore; schema: string; dispose: () => Promise<void> }> {
  const schema = opts.schema ?? uniqueSchema();
  const store = new PostgresJobStore({ connectionString: PG_URL, schema, poolSize: opts.poolSize ?? 8 });
  await store.migrate();
  return {
    store,
    schema,
    dispose: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}

/**
 * The stores a route's tests run on, for `describe.each`: SQLite always, PostgreSQL when
 * TEST_DATABASE_URL is set. Each gives the server flags of a fresh store (a schema named
 * after `prefix`, dropped after the test).
 */
export function storeBackends(prefix: string): [string, () => string[]][] {
  const postgres = (): string[] => {
    const schema = uniqueSchema(prefix);
    afterThisTest(() => dropSchema(schema));
    return ['--database-url', PG_URL, '--database-schema', schema];
  };
  return [['SQLite', () => []], ...(PG_URL ? [['PostgreSQL', postgres] as [string, () => string[]]] : [])];
}
