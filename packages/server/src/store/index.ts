import { join } from 'node:path';
import type { Config } from '../config.js';
import { SqliteJobStore } from './sqlite/store.js';
import type { JobStore } from './store.js';

/** The store the settings ask for: SQLite in the data dir unless a PostgreSQL URL is given. */
export async function openStore(config: Config): Promise<JobStore> {
  if (config.databaseUrl) {
    throw new Error('DATABASE_URL is set, but this build has no PostgreSQL store; unset it to use SQLite.');
  }
  const store = new SqliteJobStore({
    filename: join(config.dataDir, 'longrun.db'),
    synchronous: config.sqliteSynchronous,
  });
  await store.migrate();
  return store;
}
