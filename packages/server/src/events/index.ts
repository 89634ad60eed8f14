import type { Config } from '../config.js';
import { PostgresJobStore } from '../store/postgres/store.js';
import type { JobStore } from '../store/store.js';
import { type ChangeFeed, LocalFeed } from './feed.js';
import { type FeedLogger, PostgresFeed } from './postgres-feed.js';

/**
 * The change feed that fits the store: across processes (LISTEN/NOTIFY) for
 * PostgreSQL, in-process for SQLite. Resolves once a PostgreSQL feed listens.
 */
export async function openFeed(
  store: JobStore,
  config: Pick<Config, 'feedProbeIntervalMs'>,
  { logger, onError }: { logger: FeedLogger; onError: (err: unknown) => void },
): Promise<ChangeFeed> {
  if (store instanceof PostgresJobStore) {
    const feed = new PostgresFeed({ store, probeIntervalMs: config.feedProbeIntervalMs, logger, onError });
    await feed.start();
    return feed;
  }
  return new LocalFeed({ onError });
}
