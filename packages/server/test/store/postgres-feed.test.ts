import { startTcpProxy, type TcpProxy } from '@longrun/testkit';
import { expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import type { FeedState } from '../../src/feed/change-feed.js';
import type { StoredJob } from '../../src/jobs/model.js';
import { type FeedActivity, PostgresFeed } from '../../src/store/postgres/feed.js';
import { PostgresJobStore } from '../../src/store/postgres/store.js';
import { eventually } from '../helpers/app.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';
import { newJob } from '../helpers/jobs.js';
import {
  adminQuery,
  describePostgres,
  dropSchema,
  PG_URL,
  terminateBackends,
  uniqueSchema,
} from '../helpers/postgres.js';

useCleanup();

const settings = defaultConfig();

/** How often a feed did each thing it reports (what /metrics counts). */
function activityCounter() {
  const counts: Record<FeedActivity, number> = {
    notification: 0,
    read: 0,
    reconnect: 0,
    caught_up: 0,
    own_queued: 0,
    own_checked: 0,
  };
  const onActivity = (activity: FeedActivity) => {
    counts[activity] += 1;
  };
  return { counts, onActivity };
}

/** Two processes' worth of store and feed on one schema (A writes, B listens), cleaned up after the test. */
async function twoNodes(opts: { listenVia?: TcpProxy; probeIntervalMs?: number } = {}) {
  const schema = uniqueSchema('feed');
  const storeA = new PostgresJobStore({ connectionString: PG_URL, schema, poolSize: 3 });
  await storeA.migrate();
  const storeB = new PostgresJobStore({
    connectionString: PG_URL,
    schema,
    poolSize: 3,
    applicationName: `longrun-b/${schema}`,
  });
  const a = activityCounter();
  const b = activityCounter();
  const feedA = new PostgresFeed({
    store: storeA,
    probeIntervalMs: opts.probeIntervalMs ?? settings.feedProbeIntervalMs,
    onActivity: a.onActivity,
  });
  const feedB = new PostgresFeed({
    store: storeB,
    probeIntervalMs: opts.probeIntervalMs ?? settings.feedProbeIntervalMs,
    reconnect: { minMs: 20, maxMs: 200 },
    onActivity: b.onActivity,
    ...(opts.listenVia ? { connectionString: opts.listenVia.via(PG_URL) } : {}),
  });
  /** Cut B's LISTEN connection from the server side; true when there was one. */
  const cutListenB = async () => (await terminateBackends(`${storeB.applicationName}/listen`)) === 1;
  await feedA.start();
  await feedB.start();
  const states: FeedState[] = [];
  feedB.onState = (s) => states.push(s);
  afterThisTest(async () => {
    await feedA.close();
    await feedB.close();
    await storeA.close();
    await storeB.close();
    await dropSchema(schema);
  });
  return { storeA, storeB, feedA, feedB, states, activityA: a.counts, activityB: b.counts, cutListenB };
}

describePostgres('PostgreSQL change feed', () => {
  it('carries a change made by one process to a waiter in another, each version once, in order', async () => {
    const { storeA, feedA, feedB, activityA } = await twoNodes();
    const seenByB: StoredJob[] = [];
    const seenByA: StoredJob[] = [];
    feedB.subscribe('t', 'x', (j) => seenByB.push(j));
    feedA.subscribeAll((j) => seenByA.push(j));
    // A's service publishes each change it writes, as JobService does.
    const published = (job: StoredJob | null | undefined) => job && feedA.publish(job);
    published((await storeA.insert(newJob('x'))).job);
    const [lease] = await storeA.claim({ queue: 'simulate', owner: 'w', leaseMs: 10_000, limit: 1 });
    published(lease!.job);
    published(await storeA.report(lease!.token, { progress: 50 }));
    published(await storeA.finish(lease!.token, 'completed', { output: { ok: true } }));
    const done = await eventually(async () => seenByB.find((j) => j.status === 'completed'));
    expect(done).toMatchObject({ id: 'x', version: 4, output: { ok: true } });
    const versions = seenByB.map((j) => j.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    // A hears its own four notifications; all were published already, so none is read.
    await eventually(
      async () => activityA.notification >= 4 && activityA.own_checked === activityA.own_queued,
    );
    expect(activityA.read).toBe(0);
    expect(seenByA.map((j) => j.version)).toEqual([1, 2, 3, 4]);
  });

  it('publishes a change of its own that the writer never published (a write whose reply was lost)', async () => {
    const { storeA, feedA, activityA } = await twoNodes();
    const seenByA: StoredJob[] = [];
    feedA.subscribe('t', 'lost-reply', (j) => seenByA.push(j));
    await storeA.insert(newJob('lost-reply'));
    const got = await eventually(async () => seenByA[0]);
    expect(got).toMatchObject({ id: 'lost-reply', version: 1 });
    expect(activityA.read).toBe(1);
  });

  it('reads again, at its first probe, what changed unnotified as it registered', async () => {
    const schema = uniqueSchema('feed');
    const store = new PostgresJobStore({ connectionString: PG_URL, schema, poolSize: 2 });
    await store.migrate();
    afterThisTest(async () => {
      await store.close();
      await dropSchema(schema);
    });
    await store.insert(newJob('raced'));
    // A write of another process, made without a notification while no one was registered, just
    // before this feed registers: its first probe reads what changed since, less the margin.
    await adminQuery(
      `UPDATE ${schema}.jobs SET progress = 50, version = version + 1, updated_at = $1 WHERE id = 'raced'`,
      [Date.now()],
    );
    const activity = activityCounter();
    const feed = new PostgresFeed({ store, probeIntervalMs: 500, onActivity: activity.onActivity });
    await feed.start();
    afterThisTest(() => feed.close());
    const seen: StoredJob[] = [];
    feed.subscribe('t', 'raced', (j) => seen.push(j));
    expect(await eventually(async () => seen.find((j) => j.version === 2))).toMatchObject({ progress: 50 });
    expect(activity.counts.notification).toBe(0);
    expect(activity.counts.caught_up).toBe(1);
  });

  it('delivers a job deleted and created again under the same id', async () => {
    const { storeA, feedB } = await twoNodes();
    const seen: StoredJob[] = [];
    feedB.subscribeAll((j) => seen.push(j));
    await storeA.insert(newJob('again'));
    await storeA.cancel('t', 'again');
    await eventually(async () => seen.some((j) => j.status === 'canceled'));
    await storeA.delete('t', 'again');
    const second = await storeA.insert(newJob('again'));
    const fresh = await eventually(async () => seen.find((j) => j.seq === second.job.seq));
    expect(fresh).toMatchObject({ status: 'queued', version: 1 });
  });

  it('tells workers of jobs queued elsewhere without reading them', async () => {
    const { storeA, feedB, activityB } = await twoNodes();
    const hints: string[] = [];
    feedB.subscribeQueued((j) => hints.push(`${j.type}:${j.id}`));
    await storeA.insert(newJob('work-1'));
    await storeA.insert({ ...newJob('work-2'), type: 'video.translate' });
    await eventually(async () => hints.length === 2);
    expect(hints).toEqual(['simulate:work-1', 'video.translate:work-2']);
    expect(activityB.read).toBe(0);
  });

  it('carries every job of a batch insert to another process, in order, and none it skipped', async () => {
    const { storeA, feedB } = await twoNodes();
    const seen: StoredJob[] = [];
    const hints: string[] = [];
    feedB.subscribeAll((j) => seen.push(j));
    feedB.subscribeQueued((j) => hints.push(j.id));
    await storeA.insert(newJob('taken'));
    await eventually(async () => seen.length === 1);
    seen.length = 0;
    hints.length = 0;
    const results = await storeA.insertMany([newJob('b-1'), newJob('taken'), newJob('b-2'), newJob('b-3')]);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'id_exists', 'created', 'created']);
    await eventually(async () => seen.length === 3);
    expect(seen.map((j) => [j.id, j.version])).toEqual([
      ['b-1', 1],
      ['b-2', 1],
      ['b-3', 1],
    ]);
    // A process that follows every job hints a job once for its notice and once for its read.
    expect([...new Set(hints)]).toEqual(['b-1', 'b-2', 'b-3']);
  });

  it('publishes every job of a notification that carries many, read in one query', async () => {
    const { storeA, feedB, activityB } = await twoNodes();
    const seen: StoredJob[] = [];
    const hints: string[] = [];
    feedB.subscribeAll((j) => seen.push(j));
    feedB.subscribeQueued((j) => hints.push(j.id));
    const ids = Array.from({ length: 40 }, (_, i) => `many-${i}`);
    await storeA.insertMany(ids.map((id) => newJob(id)));
    await eventually(async () => seen.length === 40);
    expect(activityB.notification).toBe(1);
    expect(activityB.read).toBe(1);
    expect(seen.map((j) => j.id)).toEqual(expect.arrayContaining(ids));
    expect([...new Set(hints)]).toEqual(ids);
    // Forty finishes asked at once: one statement, one notification, every completion published.
    const leases = await storeA.claim({ queue: 'simulate', owner: 'w', leaseMs: 10_000, limit: 40 });
    await eventually(async () => seen.filter((j) => j.status === 'running').length === 40);
    const before = activityB.notification;
    await Promise.all(leases.map((l) => storeA.finish(l.token, 'completed', { output: { id: l.job.id } })));
    const done = await eventually(async () => {
      const completed = seen.filter((j) => j.status === 'completed');
      return completed.length === 40 && completed;
    });
    expect(activityB.notification - before).toBe(1);
    expect(done.map((j) => j.id).sort()).toEqual([...ids].sort());
    expect(done.every((j) => (j.output as { id: string }).id === j.id)).toBe(true);
  });

  it('reads nothing for jobs no one in this process listens to', async () => {
    const { storeA, activityB } = await twoNodes();
    for (let i = 0; i < 5; i++) await storeA.insert(newJob(`quiet-${i}`));
    await eventually(async () => activityB.notification >= 5);
    expect(activityB.read).toBe(0);
  });

  it('catches up after its LISTEN connection is killed: changes made while it was deaf reach the waiter', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(PG_URL).port || 5432) });
    afterThisTest(() => proxy.close());
    const { storeA, feedB, states, activityB, cutListenB } = await twoNodes({ listenVia: proxy });
    const seen: StoredJob[] = [];
    feedB.subscribe('t', 'deaf', (j) => seen.push(j));
    await storeA.insert(newJob('deaf'));
    await eventually(async () => seen.length === 1);
    proxy.refuse(true);
    expect(await cutListenB()).toBe(true);
    await eventually(async () => feedB.state === 'reconnecting');
    // Changes while B cannot listen: no notification can reach it.
    const [lease] = await storeA.claim({ queue: 'simulate', owner: 'w', leaseMs: 10_000, limit: 1 });
    await storeA.finish(lease!.token, 'completed', { output: { while: 'deaf' } });
    expect(seen.map((j) => j.version)).toEqual([1]);
    proxy.refuse(false);
    const done = await eventually(async () => seen.find((j) => j.status === 'completed'));
    expect(done).toMatchObject({ version: 3, output: { while: 'deaf' } });
    expect(activityB.caught_up).toBeGreaterThan(0);
    expect(feedB.state).toBe('listening');
    expect(states).toEqual(['reconnecting', 'listening']);
  });

  it('after a reconnect, tells workers of jobs queued while it was deaf', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(PG_URL).port || 5432) });
    afterThisTest(() => proxy.close());
    const { storeA, feedB, cutListenB } = await twoNodes({ listenVia: proxy });
    const hints: string[] = [];
    feedB.subscribeQueued((j) => hints.push(j.id));
    proxy.refuse(true);
    expect(await cutListenB()).toBe(true);
    await eventually(async () => feedB.state === 'reconnecting');
    await storeA.insert(newJob('queued-while-deaf'));
    expect(hints).toEqual([]);
    proxy.refuse(false);
    await eventually(async () => hints.includes('queued-while-deaf'));
  });

  it('notices a LISTEN connection that went silent (half-open) by its probe, and replaces it', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(PG_URL).port || 5432) });
    afterThisTest(() => proxy.close());
    const { storeA, feedB, states, activityB } = await twoNodes({ listenVia: proxy, probeIntervalMs: 200 });
    const seen: StoredJob[] = [];
    feedB.subscribe('t', 'silent', (j) => seen.push(j));
    // The connection stays open but carries nothing: no error, no end, only the probe can tell.
    proxy.freeze();
    await storeA.insert(newJob('silent'));
    await eventually(async () => feedB.state === 'reconnecting');
    const got = await eventually(async () => seen.find((j) => j.id === 'silent'));
    expect(got.version).toBe(1);
    expect(states.slice(0, 2)).toEqual(['reconnecting', 'listening']);
    expect(activityB.reconnect).toBeGreaterThanOrEqual(1);
  });

  it('fails to start when the database cannot be reached, leaving nothing running', async () => {
    const store = new PostgresJobStore({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      schema: settings.databaseSchema,
      poolSize: 1,
    });
    const feed = new PostgresFeed({ store, probeIntervalMs: settings.feedProbeIntervalMs });
    await expect(feed.start()).rejects.toThrow(/ECONNREFUSED/);
    expect(feed.state).toBe('closed');
    await store.close();
  });
});
