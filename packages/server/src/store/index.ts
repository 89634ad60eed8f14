import { join } from 'node:path';
import type { Config } from '../config.js';
import { PostgresJobStore } from './postgres/store.js';
import { SqliteJobStore } from './sqlite/store.js';
import type { JobStore } from './store.js';

/**
 * The store the settings ask for, migrated: PostgreSQL when a database URL is
 * given, else SQLite in the data dir.
 */
export async function openStore(
  config: Config,
  { onIdleError }: { onIdleError?: (err: Error) => void } = {},
): Promise<JobStore> {
  const store: JobStore = config.databaseUrl
    ? new PostgresJobStore({
        connectionString: config.databaseUrl,
        schema: config.databaseSchema,
        poolSize: config.databasePoolSize,
        ...(onIdleError ? { onIdleError } : {}),
      })
    : new SqliteJobStore({
        filename: join(config.dataDir, 'longrun.db'),
        synchronous: config.sqliteSynchronous,
      });
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
