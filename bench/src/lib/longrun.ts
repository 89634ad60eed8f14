import { join } from 'node:path';
import { type LongrunServer, removeDir, startServer, tempDir } from '@longrun/testkit';
import { databaseUrl, dropSchema, freshSchema } from './postgres.js';
import { serverNodeArgs } from './profile.js';

export interface Deployment {
  url: string;
  server: LongrunServer;
  /** The PostgreSQL schema (also in the server's connections' application_name); null on SQLite. */
  schema: string | null;
  stop(): Promise<void>;
}

export interface DeployOptions {
  store: 'sqlite' | 'postgres';
  /** Worker slots. */
  concurrency: number;
  /** SQLite's sync mode: `full` (the default) fsyncs every commit, `normal` leaves it to the OS. */
  sqliteSynchronous?: 'full' | 'normal';
  /** Extra node flags for the server process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** More server flags (e.g. --queues). */
  args?: string[];
}

/**
 * One longrun server process (role all) on a fresh data dir, and for
 * PostgreSQL a fresh schema: no-op jobs never fail (error rate 0) and
 * retention is off so nothing is deleted under the measurement.
 */
export async function deploy({
  store,
  concurrency,
  sqliteSynchronous = 'full',
  nodeArgs = serverNodeArgs(),
  args: extra = [],
}: DeployOptions): Promise<Deployment> {
  const dir = tempDir('longrun-bench-');
  const schema = store === 'postgres' ? freshSchema('bench') : null;
  const args = [
    '--simulate-error-rate',
    '0',
    '--concurrency',
    String(concurrency),
    '--wait-concurrency',
    String(concurrency),
    '--retention',
    '0',
  ];
  if (sqliteSynchronous !== 'full') args.push('--sqlite-synchronous', sqliteSynchronous);
  args.push(...extra);
  if (schema) {
    args.push(
      '--database-url',
      databaseUrl,
      '--database-schema',
      schema,
      '--artifacts-dir',
      join(dir, 'art'),
    );
  }
  let server: LongrunServer;
  try {
    server = await startServer(args, { dataDir: dir, nodeArgs });
  } catch (err) {
    removeDir(dir);
    if (schema) await dropSchema(schema);
    throw err;
  }
  return {
    url: server.url,
    server,
    schema,
    async stop() {
      await server.stop();
      if (schema) await dropSchema(schema);
      removeDir(dir);
    },
  };
}
