import { join } from 'node:path';
import type { Config } from '../config.js';
import type { ChangeFeed } from '../feed/change-feed.js';
import { LocalFeed } from '../feed/local-feed.js';
import type { Logger } from '../internal/logger.js';
import { type FeedActivity, PostgresFeed } from './postgres/feed.js';
import { PostgresJobStore } from './postgres/store.js';
import { SqliteJobStore } from './sqlite/store.js';
import type { JobStore } from './store.js';

/** Where jobs are kept, and the feed that tells of their changes: the two always go together. */
export interface Backend {
  store: JobStore;
  feed: ChangeFeed;
}

export interface BackendOptions {
  logger: Logger;
  /** A change listener threw. */
  onListenerError: (err: unknown) => void;
  /** An idle PostgreSQL connection closed (the pool replaces it). */
  onIdleError?: ((err: Error) => void) | undefined;
  /** What the PostgreSQL feed does (metrics). */
  onFeedActivity?: ((activity: FeedActivity) => void) | undefined;
}

/**
 * The backend the settings ask for: PostgreSQL and its LISTEN/NOTIFY feed
 * when a database URL is given, else SQLite in the data dir, which only this
 * process writes, and the in-process feed. The store is migrated, and a
 * PostgreSQL feed listens, before this resolves.
 *
 * Parts in `given` are used instead: a store given without a feed gets the
 * in-process feed (its changes are then heard in this process only).
 */
export async function openBackend(
  config: Pick<
    Config,
    | 'databaseUrl'
    | 'databaseSchema'
    | 'databasePoolSize'
    | 'feedProbeIntervalMs'
    | 'dataDir'
    | 'sqliteSynchronous'
  >,
  { logger, onListenerError, onIdleError, onFeedActivity }: BackendOptions,
  given: { store?: JobStore | undefined; feed?: ChangeFeed | undefined } = {},
): Promise<Backend> {
  const localFeed = () => given.feed ?? new LocalFeed({ onError: onListenerError });
  if (given.store) return { store: given.store, feed: localFeed() };
  if (!config.databaseUrl) {
    const store = await migrated(
      new SqliteJobStore({
        filename: join(config.dataDir, 'longrun.db'),
        synchronous: config.sqliteSynchronous,
      }),
    );
    return { store, feed: localFeed() };
  }
  const store = await migrated(
    new PostgresJobStore({
      connectionString: config.databaseUrl,
      schema: config.databaseSchema,
      poolSize: config.databasePoolSize,
      ...(onIdleError ? { onIdleError } : {}),
    }),
  );
  if (given.feed) return { store, feed: given.feed };
  const feed = new PostgresFeed({
    store,
    probeIntervalMs: config.feedProbeIntervalMs,
    logger,
    onError: onListenerError,
    onActivity: onFeedActivity,
  });
  try {
    await feed.start();
  } catch (err) {
    await store.close();
    throw err;
  }
  return { store, feed };
}

/** `store` with its migrations applied; closed when they fail. */
async function migrated<S extends JobStore>(store: S): Promise<S> {
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
