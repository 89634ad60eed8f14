import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type ChangeNotice, parseNotices, registerListener } from '../../src/store/postgres/notify.js';
import type { PostgresJobStore } from '../../src/store/postgres/store.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';
import { newJob } from '../helpers/jobs.js';
import { adminQuery, describePostgres, freshPgStore, PG_URL } from '../helpers/postgres.js';

useCleanup();

describe('the NOTIFY payload', () => {
  it('reads every notice of a notification, in order, with the writer origin on each', () => {
    const payload = JSON.stringify({
      o: 'origin-1',
      n: [
        ['t', 'a', 1, 2, 'running', 'simulate', 'q'],
        ['u', 'b', 7, 1, 'queued', 'video', 'default'],
      ],
    });
    expect(parseNotices(payload)).toEqual([
      {
        tenant: 't',
        id: 'a',
        seq: 1,
        version: 2,
        status: 'running',
        type: 'simulate',
        queue: 'q',
        origin: 'origin-1',
      },
      {
        tenant: 'u',
        id: 'b',
        seq: 7,
        version: 1,
        status: 'queued',
        type: 'video',
        queue: 'default',
        origin: 'origin-1',
      },
    ]);
  });

  it('leaves out what is not a notice, and throws only on a payload that is not JSON', () => {
    for (const payload of [
      'null',
      '42',
      '"x"',
      '[]',
      '{}',
      '{"n": 3}',
      '{"n": {"t": "x"}}',
      '[["t","a",1,1]]',
    ]) {
      expect(parseNotices(payload)).toEqual([]);
    }
    const mixed = JSON.stringify({
      o: 5,
      n: [null, 'x', ['t', 'a', '1', 2], ['t', null, 1, 2], ['t', 'a', 1], {}, ['t', 'kept', 3, 4, 9, null]],
    });
    // A notice needs its tenant, id, seq and version; the rest may be missing, and a non-string origin is none.
    expect(parseNotices(mixed)).toEqual([
      { tenant: 't', id: 'kept', seq: 3, version: 4, status: null, type: null, queue: null, origin: null },
    ]);
    expect(() => parseNotices('not json')).toThrow();
    expect(() => parseNotices(undefined)).toThrow();
    expect(() => parseNotices('')).toThrow();
  });
});

/**
 * Every notification on the store's channel while the test runs, read by a
 * LISTEN connection of its own, registered as another process's (unless
 * `registered` is false: then the store does not know of it).
 */
async function listen(store: PostgresJobStore, { registered = true } = {}): Promise<string[]> {
  const payloads: string[] = [];
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  client.on('notification', (msg) => payloads.push(msg.payload ?? ''));
  await client.query(`LISTEN ${pg.escapeIdentifier(store.channel)}`);
  if (registered) await registerListener(client, store.listeners, 'another-process');
  afterThisTest(() => client.end());
  return payloads;
}

/** Until `check` holds, or throw after a few seconds. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not in 5 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describePostgres('PostgreSQL notifications', () => {
  it('sends one notification for a statement that wrote many jobs, and none for one that wrote nothing', async () => {
    const { store, dispose } = await freshPgStore();
    afterThisTest(dispose);
    const payloads = await listen(store);
    const ids = Array.from({ length: 20 }, (_, i) => `many-${i}`);
    await store.insertMany(ids.map((id) => newJob(id)));
    await until(() => payloads.length === 1);
    const notices = parseNotices(payloads[0]);
    expect(notices.map((n) => n.id)).toEqual(ids);
    expect(notices.every((n) => n.origin === store.origin && n.status === 'queued' && n.version === 1)).toBe(
      true,
    );
    const leases = await store.claim({ queue: 'simulate', owner: 'w', leaseMs: 60_000, limit: 20 });
    await until(() => payloads.length === 2);
    expect(parseNotices(payloads[1]).map((n) => [n.id, n.status, n.version])).toEqual(
      [...leases].sort((a, b) => a.job.seq - b.job.seq).map((l) => [l.job.id, 'running', 2]),
    );
    // Every id taken: the insert writes nothing and tells no one.
    await store.insertMany(ids.slice(0, 3).map((id) => newJob(id)));
    await store.insert(newJob('last'));
    await until(() => payloads.length === 3);
    expect(parseNotices(payloads[2]).map((n) => n.id)).toEqual(['last']);
  });

  it('notifies no one while no other process listens, and every write once another registers, until its backend is gone', async () => {
    const { store, dispose } = await freshPgStore();
    afterThisTest(dispose);
    // A LISTEN connection no process registered hears what is sent, and nothing is.
    const heard = await listen(store, { registered: false });
    const quiet = async (id: string) => {
      await store.insert(newJob(id));
      await new Promise((r) => setTimeout(r, 200));
      expect(heard).toEqual([]);
    };
    await quiet('alone');
    // The writer's own process listening changes nothing: it publishes its own changes.
    const own = new pg.Client({ connectionString: PG_URL });
    await own.connect();
    afterThisTest(() => own.end());
    await registerListener(own, store.listeners, store.origin);
    await quiet('own');
    const other = new pg.Client({ connectionString: PG_URL });
    await other.connect();
    await registerListener(other, store.listeners, 'another-process');
    await store.insert(newJob('heard'));
    await until(() => heard.length === 1);
    expect(parseNotices(heard[0]).map((n) => n.id)).toEqual(['heard']);
    // The other process ends without taking its row out; the next registration removes it.
    const [{ pid }] = (await other.query('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
    await other.end();
    const alive = async () =>
      (await adminQuery('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length > 0;
    while (await alive()) await new Promise((r) => setTimeout(r, 20));
    await registerListener(own, store.listeners, store.origin);
    heard.length = 0;
    await quiet('gone');
  });

  it('splits the notices of a large statement over notifications that each fit the 8000-byte limit', async () => {
    const { store, dispose } = await freshPgStore();
    afterThisTest(dispose);
    const payloads = await listen(store);
    // Ids of 200 bytes: 300 notices are about 70 KB; one of 3000 bytes goes alone.
    const ids = Array.from({ length: 300 }, (_, i) => `${String(i).padStart(4, '0')}-${'x'.repeat(195)}`);
    ids[150] = `long-${'y'.repeat(3000)}`;
    await store.insertMany(ids.map((id) => newJob(id)));
    await until(() => payloads.flatMap((p) => parseNotices(p)).length === 300);
    expect(payloads.length).toBeGreaterThan(8);
    expect(payloads.length).toBeLessThan(20);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    // Each job once; in order within a notification (a long one may come out of turn, alone).
    const notices: ChangeNotice[] = payloads.flatMap((p) => parseNotices(p));
    expect(notices.map((n) => n.id).sort()).toEqual([...ids].sort());
    for (const payload of payloads) {
      const seqs = parseNotices(payload).map((n) => n.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    expect(payloads.filter((p) => p.includes('long-'))).toHaveLength(1);
    expect(parseNotices(payloads.find((p) => p.includes('long-')))).toHaveLength(1);
  });
});
