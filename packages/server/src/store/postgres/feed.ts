import pg from 'pg';
import {
  type ChangeFeed,
  type FeedState,
  type JobListener,
  jobKey,
  type QueuedListener,
} from '../../feed/change-feed.js';
import { LocalFeed } from '../../feed/local-feed.js';
import { backoff } from '../../internal/backoff.js';
import { ByteBoundedMap } from '../../internal/byte-bounded-map.js';
import { type Logger, silentLogger } from '../../internal/logger.js';
import type { StoredJob } from '../../jobs/model.js';
import { clientConfig, ident } from './connection.js';
import { type ChangeNotice, parseNotices, registerListener, unregisterListener } from './notify.js';
import type { PostgresJobStore } from './store.js';

/**
 * What the feed does, as counted by /metrics: a notification heard, a read
 * of notified jobs (one query for a batch), a reconnect, a job published by
 * the catch-up after one, a change of this process's own set aside
 * (`own_queued`) and looked at again (`own_checked`).
 */
export const FEED_ACTIVITIES = Object.freeze([
  'notification',
  'read',
  'reconnect',
  'caught_up',
  'own_queued',
  'own_checked',
] as const);

export type FeedActivity = (typeof FEED_ACTIVITIES)[number];

export interface PostgresFeedOptions {
  /** The store whose changes this feed carries; its writes send the NOTIFYs. */
  store: PostgresJobStore;
  /** Where the LISTEN connection goes. @default the store's connection string */
  connectionString?: string;
  /**
   * How often the LISTEN connection is probed (`SELECT` on it, checking the
   * channel is still listened to); a probe unanswered this long counts as a
   * dead connection.
   */
  probeIntervalMs: number;
  /** Reconnect back-off, doubling with jitter. @default { minMs: 100, maxMs: 5000 } */
  reconnect?: { minMs?: number; maxMs?: number };
  /**
   * On reconnect, changes are re-read from this long before the connection
   * was last known alive: it covers clock skew between nodes (times are the
   * writers' clocks) and transactions in flight at the cut. @default 10000
   */
  catchUpMarginMs?: number;
  /** Called when a listener throws. */
  onError?: (err: unknown) => void;
  /** Told of each thing the feed does (metrics). */
  onActivity?: ((activity: FeedActivity) => void) | undefined;
  logger?: Logger;
}

/** A change to read and publish: which job, and which snapshot of it. */
type Notice = Pick<ChangeNotice, 'tenant' | 'id' | 'seq' | 'version'>;

/** Which of two snapshots of a job id is newer: a re-created job (same id) has a larger seq. */
function newer(
  a: { seq: number; version: number },
  b: { seq: number; version: number } | undefined,
): boolean {
  return b === undefined || a.seq > b.seq || (a.seq === b.seq && a.version > b.version);
}

/** Versions remembered per job for de-duplication; the oldest are forgotten first. */
const KNOWN_LIMIT = 20_000;
const CATCH_UP_PAGE = 500;
/**
 * This process's own changes are published by the service as they are
 * written. One whose write lost its connection after it committed never is,
 * so its notification is looked at again after this long, and read if that
 * version still has not been published here.
 */
const OWN_GRACE_MS = 250;
/** A registration taken out as the feed closes waits no longer than this for a connection that hangs. */
const UNREGISTER_WAIT_MS = 1000;

/**
 * The change feed across processes. Each write of the PostgreSQL store sends
 * a NOTIFY (notify.ts: for each job it wrote, tenant, id, seq, version,
 * status, type; and the writer's origin) in its own transaction, so a
 * notification goes out exactly when a change commits; it does so only while
 * another process's feed is registered as listening (notify.ts).
 * This feed holds one LISTEN connection of its own (not from the pool),
 * registered so; on a notification from another process it reads the job and
 * publishes it locally. It probes that connection, reconnects with back-off,
 * and after a reconnect re-reads every job changed while it was deaf, so no
 * waiter hangs; so too at its first probe after it registers, and after its
 * store lost a connection (a write that committed unseen).
 *
 * `publish` (the service, for changes this process made) delivers locally;
 * every path is de-duplicated by (seq, version), so a listener sees each
 * version of a job at most once and never an older one after a newer.
 */
export class PostgresFeed implements ChangeFeed {
  readonly #store: PostgresJobStore;
  readonly #local: LocalFeed;
  readonly #connectionString: string;
  readonly #probeIntervalMs: number;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #marginMs: number;
  readonly #log: Logger;
  /** Counted one apiece, so the budget is a count: the newest {@link KNOWN_LIMIT} jobs. */
  readonly #known = new ByteBoundedMap<string, { seq: number; version: number }>({ maxBytes: KNOWN_LIMIT });
  readonly #perJob = new Map<string, number>();
  #allListeners = 0;
  #queuedListeners = 0;
  #pending = new Map<string, Notice>();
  #own: { notice: Notice; at: number }[] = [];
  #ownTimer: NodeJS.Timeout | null = null;
  /** When the LISTEN connection last registered, until the first probe after it has looked back. */
  #registeredAt: number | null = null;
  /** Changes from this time on are to be read again ({@link #recheck}); null when none are. */
  #recheckSince: number | null = null;
  #recheckTimer: NodeJS.Timeout | null = null;
  #flushing = false;
  #client: pg.Client | null = null;
  #state: FeedState = 'connecting';
  /** Every change committed before this time (by the writers' clocks, less the margin) has been seen. */
  #coveredUntil = 0;
  #probeTimer: NodeJS.Timeout | null = null;
  #probing = false;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #failures = 0;
  #closed = false;
  #reconnects = 0;
  readonly #onActivity: (activity: FeedActivity) => void;
  /** Called on every state change (tests wait on it). */
  onState: ((state: FeedState) => void) | null = null;

  constructor({
    store,
    connectionString = store.connectionString,
    probeIntervalMs,
    reconnect = {},
    catchUpMarginMs = 10_000,
    onError,
    onActivity = () => {},
    logger = silentLogger,
  }: PostgresFeedOptions) {
    this.#store = store;
    this.#onActivity = onActivity;
    this.#local = new LocalFeed(onError ? { onError } : {});
    this.#connectionString = connectionString;
    this.#probeIntervalMs = probeIntervalMs;
    this.#minBackoffMs = reconnect.minMs ?? 100;
    this.#maxBackoffMs = reconnect.maxMs ?? 5000;
    this.#marginMs = catchUpMarginMs;
    this.#log = logger;
  }

  get state(): FeedState {
    return this.#state;
  }

  /** Connect and LISTEN; rejects when the first connection fails (the server then fails to start). */
  async start(): Promise<void> {
    // A write whose connection was lost may have committed unseen, and a process alone is not
    // told of its own changes: what changed since is read again.
    this.#store.onConnectionLost = () => this.#recheck(Date.now() - this.#marginMs);
    try {
      const client = await this.#open();
      this.#coveredUntil = Date.now();
      this.#listening(client);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  publish(job: StoredJob): void {
    const key = jobKey(job.tenant, job.id);
    if (!newer(job, this.#known.get(key))) return;
    this.#remember(key, { seq: job.seq, version: job.version });
    this.#local.publish(job);
  }

  subscribe(tenant: string, id: string, listener: JobListener): () => void {
    const key = jobKey(tenant, id);
    this.#perJob.set(key, (this.#perJob.get(key) ?? 0) + 1);
    const off = this.#local.subscribe(tenant, id, listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      const n = (this.#perJob.get(key) ?? 1) - 1;
      if (n > 0) this.#perJob.set(key, n);
      else this.#perJob.delete(key);
    };
  }

  subscribeAll(listener: JobListener): () => void {
    this.#allListeners += 1;
    const off = this.#local.subscribeAll(listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      this.#allListeners -= 1;
    };
  }

  subscribeQueued(listener: QueuedListener): () => void {
    this.#queuedListeners += 1;
    const off = this.#local.subscribeQueued(listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      this.#queuedListeners -= 1;
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#setState('closed');
    if (this.#probeTimer) clearInterval(this.#probeTimer);
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#ownTimer) clearTimeout(this.#ownTimer);
    if (this.#recheckTimer) clearTimeout(this.#recheckTimer);
    this.#store.onConnectionLost = null;
    const client = this.#client;
    this.#client = null;
    if (client) {
      // Other processes stop notifying this one. Left behind (a hung connection), the row is
      // removed as that of a gone backend when a process next registers.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        unregisterListener(client, this.#store.listeners, this.#store.origin).catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, UNREGISTER_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
      await endClient(client);
    }
    await this.#local.close();
  }

  // ---- the LISTEN connection ----------------------------------------------------------------

  async #open(): Promise<pg.Client> {
    const client = new pg.Client(
      clientConfig(this.#connectionString, `${this.#store.applicationName}/listen`),
    );
    // Attached before connecting: an error event without a listener would crash the process.
    client.on('error', (err) => this.#drop(client, 'the LISTEN connection failed', err));
    client.on('end', () => this.#drop(client, 'the LISTEN connection ended'));
    client.on('notification', (msg) => {
      if (client === this.#client) this.#onNotification(msg.payload);
    });
    try {
      await client.connect();
      this.#client = client;
      await client.query(`LISTEN ${ident(this.#store.channel)}`);
      // Other processes notify only the registered. A write of theirs that began before the
      // registration committed may not notify, and commit after this process looked back (the
      // catch-up after a reconnect): the first probe looks back again (see #probe).
      await registerListener(client, this.#store.listeners, this.#store.origin);
      this.#registeredAt = Date.now();
    } catch (err) {
      if (this.#client === client) this.#client = null;
      void endClient(client);
      throw err;
    }
    return client;
  }

  #listening(client: pg.Client): void {
    if (client !== this.#client) return;
    this.#failures = 0;
    this.#setState('listening');
    if (this.#probeTimer) clearInterval(this.#probeTimer);
    this.#probeTimer = setInterval(() => this.#probe(client), this.#probeIntervalMs);
    this.#probeTimer.unref();
  }

  /** One round trip on the LISTEN connection; it also checks that the channel is still listened to. */
  #probe(client: pg.Client): void {
    if (this.#probing || client !== this.#client || this.#state !== 'listening') return;
    this.#probing = true;
    const sent = Date.now();
    const timer = setTimeout(
      () => this.#drop(client, `the LISTEN connection did not answer a probe in ${this.#probeIntervalMs} ms`),
      this.#probeIntervalMs,
    );
    client
      .query('SELECT count(*)::int AS n FROM pg_listening_channels() c WHERE c = $1', [this.#store.channel])
      .then(
        (result) => {
          if (client !== this.#client) return;
          if ((result.rows[0] as { n: number }).n !== 1) {
            this.#drop(client, 'the LISTEN connection no longer listens to the channel');
          } else {
            // Every notification committed before the probe was sent arrived before its answer.
            this.#coveredUntil = sent;
            if (this.#registeredAt !== null) {
              this.#recheck(this.#registeredAt - this.#marginMs);
              this.#registeredAt = null;
            }
          }
        },
        (err: unknown) => this.#drop(client, 'a probe of the LISTEN connection failed', err),
      )
      .finally(() => {
        clearTimeout(timer);
        this.#probing = false;
      });
  }

  /** Give up on `client` (if it is still the current one) and reconnect after a back-off. */
  #drop(client: pg.Client, why: string, err?: unknown): void {
    if (client !== this.#client || this.#closed) return;
    this.#client = null;
    if (this.#probeTimer) clearInterval(this.#probeTimer);
    this.#probeTimer = null;
    this.#log.warn({ err }, `${why}; reconnecting, then re-reading what changed meanwhile`);
    void endClient(client);
    this.#setState('reconnecting');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer) return;
    const wait = backoff(this.#failures, { baseMs: this.#minBackoffMs, maxMs: this.#maxBackoffMs });
    this.#failures += 1;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      void this.#reconnect();
    }, wait);
    this.#reconnectTimer.unref();
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    let client: pg.Client;
    try {
      client = await this.#open();
    } catch (err) {
      this.#log.warn({ err }, 'could not reconnect the LISTEN connection; trying again');
      this.#scheduleReconnect();
      return;
    }
    this.#reconnects += 1;
    this.#onActivity('reconnect');
    // LISTEN is active again, so whatever commits from now on is notified; what committed
    // while we were deaf is re-read. Until that succeeds `coveredUntil` stays where it was.
    const listenedAt = Date.now();
    try {
      await this.#catchUp(this.#coveredUntil - this.#marginMs);
    } catch (err) {
      this.#drop(client, 'catching up after a reconnect failed', err);
      return;
    }
    if (client !== this.#client) return;
    this.#coveredUntil = listenedAt;
    this.#listening(client);
    this.#log.info({ reconnects: this.#reconnects }, 'the LISTEN connection is back and caught up');
  }

  /**
   * Read every job changed since `since` again, soon (once for many calls),
   * and publish what someone here waits on: changes that committed without a
   * notification this process heard. A read that fails (the database is
   * down) is tried again after the longest reconnect back-off.
   */
  #recheck(since: number, delayMs = OWN_GRACE_MS): void {
    if (this.#closed) return;
    this.#recheckSince = Math.min(this.#recheckSince ?? since, since);
    if (this.#recheckTimer) return;
    this.#recheckTimer = setTimeout(() => {
      this.#recheckTimer = null;
      const from = this.#recheckSince ?? since;
      this.#recheckSince = null;
      this.#catchUp(from).catch((err: unknown) => {
        if (this.#closed) return;
        this.#log.warn({ err }, 'could not read changed jobs again; trying again');
        this.#recheck(from, this.#maxBackoffMs);
      });
    }, delayMs);
    this.#recheckTimer.unref();
  }

  /** Publish every job changed since `since` that someone here listens for. */
  async #catchUp(since: number): Promise<void> {
    let cursor: { updatedAt: number; seq: number } | undefined;
    for (;;) {
      if (!this.#anyInterest()) return;
      const jobs = await this.#store.changedSince({ since, cursor, limit: CATCH_UP_PAGE });
      for (const job of jobs) {
        if (this.#interested(jobKey(job.tenant, job.id))) {
          this.#onActivity('caught_up');
          this.publish(job);
        } else if (job.status === 'queued') {
          this.#local.queued(job);
        }
      }
      const last = jobs.at(-1);
      if (!last || jobs.length < CATCH_UP_PAGE) return;
      cursor = { updatedAt: Date.parse(last.updated_at), seq: last.seq };
    }
  }

  // ---- notifications -----------------------------------------------------------------------

  #onNotification(payload: string | undefined): void {
    this.#onActivity('notification');
    let notices: ChangeNotice[];
    try {
      notices = parseNotices(payload);
    } catch (err) {
      this.#log.warn({ err, payload }, 'ignored a notification that is not JSON');
      return;
    }
    for (const notice of notices) this.#onNotice(notice);
  }

  #onNotice(notice: ChangeNotice): void {
    const { tenant, id, seq, version, origin } = notice;
    // Workers learn of queued work from the notification alone; no job is read for them.
    if (notice.status === 'queued' && origin !== this.#store.origin && notice.type !== null) {
      this.#local.queued({ tenant, id, type: notice.type, queue: notice.queue ?? '' });
    }
    const key = jobKey(tenant, id);
    if (!this.#interested(key)) return;
    const n: Notice = { tenant, id, seq, version };
    if (!newer(n, this.#known.get(key))) return;
    if (origin === this.#store.origin) {
      // Our own change: the service publishes it when its write returns; look again later.
      this.#onActivity('own_queued');
      this.#own.push({ notice: n, at: Date.now() });
      if (!this.#ownTimer) this.#armOwnTimer();
      return;
    }
    this.#want(n);
  }

  #want(n: Notice): void {
    const key = jobKey(n.tenant, n.id);
    if (newer(n, this.#pending.get(key))) this.#pending.set(key, n);
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(() => void this.#flush());
    }
  }

  /** Read every job notified since the last flush in one query, and publish them. */
  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    try {
      const wanted = [...batch.values()].filter((n) => newer(n, this.#known.get(jobKey(n.tenant, n.id))));
      if (wanted.length > 0) {
        this.#onActivity('read');
        const jobs = await this.#store.getByKeys(wanted);
        for (const job of jobs) this.publish(job);
      }
    } catch (err) {
      if (this.#closed) return;
      // The pool cannot reach the database: keep the notices and try again shortly.
      this.#log.warn({ err }, 'could not read notified jobs; trying again');
      for (const [key, n] of batch) if (!this.#pending.has(key)) this.#pending.set(key, n);
      setTimeout(() => void this.#flush(), this.#minBackoffMs * 2).unref();
      return;
    }
    if (this.#pending.size > 0 && !this.#closed) setImmediate(() => void this.#flush());
    else this.#flushing = false;
  }

  #armOwnTimer(): void {
    this.#ownTimer = setTimeout(() => {
      this.#ownTimer = null;
      const due = Date.now() - OWN_GRACE_MS;
      let i = 0;
      for (; i < this.#own.length && this.#own[i]!.at <= due; i++) {
        const { notice } = this.#own[i]!;
        this.#onActivity('own_checked');
        if (newer(notice, this.#known.get(jobKey(notice.tenant, notice.id)))) this.#want(notice);
      }
      this.#own.splice(0, i);
      if (this.#own.length > 0 && !this.#closed) this.#armOwnTimer();
    }, OWN_GRACE_MS);
    this.#ownTimer.unref();
  }

  #interested(key: string): boolean {
    return this.#allListeners > 0 || this.#perJob.has(key);
  }

  #anyInterest(): boolean {
    return this.#allListeners > 0 || this.#perJob.size > 0 || this.#queuedListeners > 0;
  }

  #remember(key: string, seen: { seq: number; version: number }): void {
    this.#known.set(key, seen, 1);
  }

  #setState(state: FeedState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.onState?.(state);
  }
}

/**
 * Close a client without waiting on the network: `end()` alone can wait
 * forever on a half-open connection, so the socket is destroyed as well.
 */
async function endClient(client: pg.Client): Promise<void> {
  client.removeAllListeners('notification');
  // Late errors of a client we gave up on must not crash the process.
  client.removeAllListeners('error');
  client.on('error', () => {});
  const ending = client.end().catch(() => undefined);
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  await ending;
}
