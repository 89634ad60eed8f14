import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredJob } from '../../src/jobs/model.js';
import { ALL_STATES, canTransition, type JobStatus } from '../../src/jobs/states.js';
import type { NewFile } from '../../src/store/file-row.js';
import { LIST_FIELD_MAX_BYTES, omittedField } from '../../src/store/job-row.js';
import type { JobStore, Lease, LogLine, NewJob, RemoteType, WorkerRecord } from '../../src/store/store.js';

/** A fresh, migrated, empty store for one test, and how to dispose of it. */
export type StoreFactory = () => Promise<{ store: JobStore; dispose: () => Promise<void> }>;

const T = 'tenant-a';
/** The queue the contract's jobs wait in unless a test says otherwise. */
const Q = 'work';
let n = 0;
function newJob(over: Partial<NewJob> = {}): NewJob {
  n += 1;
  return {
    id: `job-${n}`,
    tenant: T,
    type: 'simulate',
    queue: Q,
    priority: 0,
    input: { n },
    metadata: {},
    max_attempts: 3,
    ...over,
  };
}

/**
 * The JobStore contract, run unchanged against every backend. Each backend's
 * test file calls this with a factory that gives each test its own database.
 */
export function storeConformance(name: string, factory: StoreFactory): void {
  describe(`JobStore conformance: ${name}`, () => {
    let store: JobStore;
    let dispose: () => Promise<void>;

    beforeEach(async () => {
      ({ store, dispose } = await factory());
    });
    afterEach(async () => {
      await dispose();
    });

    async function created(over: Partial<NewJob> = {}): Promise<StoredJob> {
      const r = await store.insert(newJob(over));
      expect(r.outcome).toBe('created');
      return r.job;
    }

    async function claimOne(over: { owner?: string; leaseMs?: number; now?: number } = {}): Promise<Lease> {
      const [lease] = await store.claim({
        queue: Q,
        owner: over.owner ?? 'w1',
        leaseMs: over.leaseMs ?? 30_000,
        limit: 1,
        now: over.now,
      });
      expect(lease).toBeDefined();
      return lease!;
    }

    /** A job in each state, made through the contract alone. */
    async function inState(status: JobStatus): Promise<{ job: StoredJob; token: string | null }> {
      const job = await created();
      if (status === 'queued') return { job, token: null };
      if (status === 'canceled') {
        const r = await store.cancel(T, job.id);
        if (r.outcome !== 'canceled') throw new Error('cancel failed');
        return { job: r.job, token: null };
      }
      const lease = await claimOne();
      if (status === 'running') return { job: lease.job, token: lease.token };
      const done = await store.finish(lease.token, status === 'completed' ? 'completed' : 'failed', {
        output: { ok: true },
        error: { code: 'processor_error', message: 'boom' },
      });
      return { job: done!, token: lease.token };
    }

    describe('insert and read', () => {
      it('creates a queued job at version 1 with every field set', async () => {
        const job = await created({ input: { a: 1 }, metadata: { who: 'me' }, max_attempts: 5 });
        expect(job).toMatchObject({
          tenant: T,
          type: 'simulate',
          status: 'queued',
          progress: 0,
          stage: null,
          message: null,
          input: { a: 1 },
          output: null,
          error: null,
          attempt: 0,
          max_attempts: 5,
          // Counted by a read of the job alone (see the contract).
          queue_position: null,
          eta: null,
          started_at: null,
          finished_at: null,
          version: 1,
          logs: [],
          metadata: { who: 'me' },
        });
        expect(Date.parse(job.created_at)).toBeGreaterThan(0);
        expect(job.updated_at).toBe(job.created_at);
        expect(await store.get(T, job.id)).toEqual({ ...job, queue_position: 0 });
      });

      it('returns from an insert the job a read gives, every field it was given included, alone or in a batch', async () => {
        const now = Date.now();
        const given = (id: string): Partial<NewJob> => ({
          id,
          queue: 'elsewhere',
          priority: 7,
          input: { text: 'ü"\\\'', long: 'x'.repeat(10_000) },
          metadata: { b: '1', a: '2' },
          max_attempts: 4,
          runAt: now + 60_000,
          webhook: { url: 'https://hooks.example/a', events: ['job.completed'] },
          idempotency: { key: `key-${id}`, hash: 'h' },
          now,
        });
        const alone = await created(given('alone'));
        const batch = await store.insertMany([newJob(given('first')), newJob(given('second'))]);
        for (const job of [alone, ...batch.map((r) => r.job)]) {
          expect(job).toMatchObject({ status: 'queued', queue: 'elsewhere', priority: 7, max_attempts: 4 });
          // The place in the queue is counted by a read of the job alone (see the contract).
          expect({ ...(await store.get(T, job.id)), queue_position: null }).toEqual(job);
        }
      });

      it('refuses a second job with the same id in a tenant, and allows it in another', async () => {
        const job = await created({ id: 'same' });
        const again = await store.insert(newJob({ id: 'same' }));
        expect(again.outcome).toBe('id_exists');
        expect(again.job.seq).toBe(job.seq);
        const other = await store.insert(newJob({ id: 'same', tenant: 'tenant-b' }));
        expect(other.outcome).toBe('created');
        expect((await store.get('tenant-b', 'same'))?.tenant).toBe('tenant-b');
      });

      it('keeps tenants apart on get', async () => {
        const job = await created();
        expect(await store.get('tenant-b', job.id)).toBeNull();
        expect(await store.get(T, 'no-such-job')).toBeNull();
      });

      it("reads many of a tenant's jobs at once, whole, leaving out ids with no job of its own", async () => {
        const short = await created({ id: 'short' });
        const long = await created({ id: 'long', input: { text: 'x'.repeat(20_000) } });
        const lease = await claimOne();
        const others = await created({ id: 'theirs', tenant: 'tenant-b' });
        const read = await store.getMany(T, ['long', 'nope', 'short', 'theirs', 'short']);
        const byId = new Map(read.map((job) => [job.id, job]));
        expect([...byId.keys()].sort()).toEqual(['long', 'short']);
        expect(read).toHaveLength(2);
        for (const job of [short, long]) {
          const now = await store.get(T, job.id);
          expect(byId.get(job.id)).toEqual({ ...now, queue_position: null });
        }
        expect(byId.get(lease.job.id)?.status).toBe('running');
        expect(byId.get('long')?.input).toEqual({ text: 'x'.repeat(20_000) });
        expect(await store.getMany('tenant-b', ['short', others.id])).toEqual([others]);
        expect(await store.getMany(T, [])).toEqual([]);
      });

      it('replays an idempotency key with the same hash and refuses one with another', async () => {
        const first = await created({ idempotency: { key: 'k1', hash: 'h1' } });
        const replay = await store.insert(newJob({ idempotency: { key: 'k1', hash: 'h1' } }));
        expect(replay).toMatchObject({ outcome: 'replayed', job: { id: first.id } });
        const conflict = await store.insert(newJob({ idempotency: { key: 'k1', hash: 'h2' } }));
        expect(conflict).toMatchObject({ outcome: 'idempotency_conflict', job: { id: first.id } });
        const otherTenant = await store.insert(
          newJob({ tenant: 'tenant-b', idempotency: { key: 'k1', hash: 'h2' } }),
        );
        expect(otherTenant.outcome).toBe('created');
      });

      it('forgets an idempotency key after 24 hours', async () => {
        const old = Date.now() - 25 * 3_600_000;
        const first = await created({ idempotency: { key: 'k', hash: 'h' }, now: old });
        const again = await store.insert(newJob({ idempotency: { key: 'k', hash: 'h' } }));
        expect(again.outcome).toBe('created');
        expect(again.job.id).not.toBe(first.id);
      });

      it('creates one job from many concurrent inserts with one idempotency key', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.insert(newJob({ idempotency: { key: 'race', hash: 'h' } }))),
        );
        const created = results.filter((r) => r.outcome === 'created');
        expect(created).toHaveLength(1);
        expect(results.filter((r) => r.outcome === 'replayed')).toHaveLength(19);
        expect(new Set(results.map((r) => r.job.id))).toEqual(new Set([created[0]!.job.id]));
        expect(await store.list({ tenant: T, limit: 100 })).toHaveLength(1);
      });

      it('creates one job from many concurrent inserts with one id', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.insert(newJob({ id: 'dup' }))),
        );
        expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
        expect(results.filter((r) => r.outcome === 'id_exists')).toHaveLength(19);
      });

      it('inserts a batch in order, each job with the outcome a single insert would give it', async () => {
        const taken = await created({ id: 'taken' });
        const keyed = await created({ idempotency: { key: 'k-old', hash: 'h' } });
        const results = await store.insertMany([
          newJob({ id: 'b-1', input: { i: 1 } }),
          newJob({ id: 'taken' }),
          newJob({ id: 'b-2', idempotency: { key: 'k-old', hash: 'h' } }),
          newJob({ id: 'b-3', idempotency: { key: 'k-old', hash: 'other' } }),
          newJob({ id: 'b-4', idempotency: { key: 'k-new', hash: 'h' }, metadata: { m: 4 } }),
          newJob({ id: 'b-5', tenant: 'tenant-b', idempotency: { key: 'k-old', hash: 'other' } }),
          newJob({ id: 'b-6' }),
        ]);
        expect(results.map((r) => r.outcome)).toEqual([
          'created',
          'id_exists',
          'replayed',
          'idempotency_conflict',
          'created',
          'created',
          'created',
        ]);
        expect(results.map((r) => r.job.id)).toEqual([
          'b-1',
          'taken',
          keyed.id,
          keyed.id,
          'b-4',
          'b-5',
          'b-6',
        ]);
        expect(results[1]!.job.seq).toBe(taken.seq);
        expect(results[0]!.job).toMatchObject({ status: 'queued', version: 1, input: { i: 1 } });
        expect(results[4]!.job.metadata).toEqual({ m: 4 });
        for (const r of results.filter((r) => r.outcome === 'created')) {
          const read = await store.get(r.job.tenant, r.job.id);
          expect(r.job.queue_position).toBeNull();
          expect(read).toEqual({ ...r.job, queue_position: read!.queue_position });
        }
        expect(await store.get(T, 'b-2')).toBeNull();
        expect(await store.get(T, 'b-3')).toBeNull();
        // Jobs of a batch are in the queue in its order, each behind the ones before it.
        const queued = [results[0]!.job, results[4]!.job, results[6]!.job];
        const own = await Promise.all(queued.map(async (j) => (await store.get(T, j.id))!.queue_position!));
        expect(own[1]).toBe(own[0]! + 1);
        expect(own[2]).toBe(own[1]! + 1);
        const leases = await store.claim({ queue: Q, owner: 'w', leaseMs: 30_000, limit: 10 });
        expect(leases.filter((l) => l.job.tenant === T).map((l) => l.job.id)).toEqual([
          'taken',
          keyed.id,
          'b-1',
          'b-4',
          'b-6',
        ]);
      });

      it('places each job of a batch behind the ones before it', async () => {
        await created();
        await created({ priority: 5 });
        const now = Date.now() - 1000;
        const results = await store.insertMany([
          ...Array.from({ length: 4 }, () => newJob({ now })),
          newJob({ now, priority: 5 }),
          newJob({ now }),
          newJob({ now, tenant: 'tenant-b' }),
          newJob({ now, tenant: 'tenant-b' }),
          newJob({ now }),
          newJob({ now, runAt: now + 3_600_000 }),
          newJob({ now, runAt: now + 3_600_000 }),
          newJob({ now: now + 1 }),
        ]);
        const read = await Promise.all(results.map((r) => store.get(r.job.tenant, r.job.id)));
        for (const [i, r] of results.entries()) {
          expect(r.job.queue_position).toBeNull();
          expect(r.job).toEqual({ ...read[i]!, queue_position: null });
        }
        const first = read.slice(0, 4).map((j) => j!.queue_position!);
        expect(first).toEqual([...first].sort((a, b) => a - b));
        expect(new Set(first).size).toBe(4);
      });

      it('judges each job of a batch after the ones before it in the batch', async () => {
        const results = await store.insertMany([
          newJob({ id: 'x', idempotency: { key: 'k', hash: 'h' } }),
          newJob({ id: 'y', idempotency: { key: 'k', hash: 'h' } }),
          newJob({ id: 'z', idempotency: { key: 'k', hash: 'h2' } }),
          newJob({ id: 'x' }),
          newJob({ id: 'w', idempotency: { key: 'k2', hash: 'h' } }),
        ]);
        expect(results.map((r) => [r.outcome, r.job.id])).toEqual([
          ['created', 'x'],
          ['replayed', 'x'],
          ['idempotency_conflict', 'x'],
          ['id_exists', 'x'],
          ['created', 'w'],
        ]);
        expect((await store.list({ tenant: T, limit: 10 })).map((j) => j.id)).toEqual(['w', 'x']);
      });

      it('forgets an expired idempotency key within a batch, and replays a whole batch sent again', async () => {
        const old = Date.now() - 25 * 3_600_000;
        const first = await created({ idempotency: { key: 'old', hash: 'h' }, now: old });
        const batch = [
          newJob({ id: 'r-1', idempotency: { key: 'old', hash: 'h' } }),
          newJob({ id: 'r-2', idempotency: { key: 'r2', hash: 'h' } }),
        ];
        const once = await store.insertMany(batch);
        expect(once.map((r) => [r.outcome, r.job.id])).toEqual([
          ['created', 'r-1'],
          ['created', 'r-2'],
        ]);
        expect(once[0]!.job.id).not.toBe(first.id);
        const again = await store.insertMany(batch.map((job) => ({ ...job, id: `${job.id}-retry` })));
        expect(again.map((r) => [r.outcome, r.job.id])).toEqual([
          ['replayed', 'r-1'],
          ['replayed', 'r-2'],
        ]);
        expect(await store.insertMany([])).toEqual([]);
      });

      it('lists newest first, filters, and pages by seq', async () => {
        const a = await created({ type: 'simulate' });
        const b = await created({ type: 'video.translate' });
        const c = await created({ type: 'simulate' });
        await created({ tenant: 'tenant-b' });
        await store.cancel(T, c.id);
        const all = await store.list({ tenant: T, limit: 10 });
        expect(all.map((j) => j.id)).toEqual([c.id, b.id, a.id]);
        expect((await store.list({ tenant: T, type: ['simulate'], limit: 10 })).map((j) => j.id)).toEqual([
          c.id,
          a.id,
        ]);
        expect((await store.list({ tenant: T, status: ['canceled'], limit: 10 })).map((j) => j.id)).toEqual([
          c.id,
        ]);
        const page1 = await store.list({ tenant: T, limit: 2 });
        const page2 = await store.list({ tenant: T, limit: 2, beforeSeq: page1.at(-1)!.seq });
        expect([...page1, ...page2].map((j) => j.id)).toEqual([c.id, b.id, a.id]);
        expect(await store.list({ limit: 10 })).toHaveLength(4);
      });

      it('leaves inputs and outputs over 8 KiB out of list items, never out of a read of the job', async () => {
        const big = 'x'.repeat(LIST_FIELD_MAX_BYTES);
        const small = await created({ input: { text: 'small' } });
        const large = await created({ input: { text: big } });
        const lease = await claimOne();
        expect(lease.job.id).toBe(small.id);
        await store.finish(lease.token, 'completed', { output: { text: big } });
        const inputBytes = JSON.stringify({ text: big }).length;
        const listed = await store.list({ tenant: T, limit: 10 });
        expect(listed.map((j) => j.id)).toEqual([large.id, small.id]);
        expect(listed[0]!.input).toEqual(omittedField(inputBytes));
        expect(listed[0]!.output).toBeNull();
        expect(listed[1]!.input).toEqual({ text: 'small' });
        expect(listed[1]!.output).toEqual(omittedField(inputBytes));
        // A list item costs what it holds, not what it left out.
        expect(listed[0]!.json_bytes).toBeLessThan(1024);
        expect((await store.get(T, large.id))!.input).toEqual({ text: big });
        expect((await store.get(T, large.id))!.json_bytes).toBeGreaterThan(inputBytes);
        expect((await store.get(T, small.id))!.output).toEqual({ text: big });
        // At the limit exactly, the field is still listed.
        const edge = 'y'.repeat(LIST_FIELD_MAX_BYTES - JSON.stringify({ text: '' }).length);
        const atLimit = await created({ input: { text: edge } });
        expect((await store.list({ tenant: T, limit: 1 }))[0]).toMatchObject({
          id: atLimit.id,
          input: { text: edge },
        });
      });

      it('hands back a long input whole from every read and state change of its job', async () => {
        const long = { text: 'x'.repeat(4 * LIST_FIELD_MAX_BYTES), n: 1 };
        const job = await created({ input: long, inputJson: JSON.stringify(long) });
        expect(job.input).toEqual(long);
        // A job's JSON fields cost what they hold, the input included.
        expect(job.json_bytes).toBeGreaterThan(JSON.stringify(long).length);
        const lease = await claimOne();
        expect(lease.job.input).toEqual(long);
        expect((await store.report(lease.token, { progress: 40, message: 'half' }))?.input).toEqual(long);
        expect(await store.heartbeat(lease.token, 30_000)).toBe(true);
        const done = await store.finish(lease.token, 'completed', { output: { ok: true } });
        expect(done).toMatchObject({ status: 'completed', input: long, output: { ok: true } });
        expect((await store.get(T, job.id))?.input).toEqual(long);
        expect(
          (await store.changedSince({ since: 0, limit: 10 })).find((j) => j.id === job.id)?.input,
        ).toEqual(long);

        const other = { text: 'y'.repeat(2 * LIST_FIELD_MAX_BYTES) };
        const queued = await created({ input: other });
        const canceled = await store.cancel(T, queued.id);
        expect(canceled).toMatchObject({ outcome: 'canceled', job: { input: other } });
        const deleted = await store.delete(T, queued.id);
        expect(deleted).toMatchObject({ outcome: 'deleted', job: { input: other } });
        expect(await store.get(T, queued.id)).toBeNull();
      });

      it('gives queued jobs their place in the queue', async () => {
        const a = await created();
        const b = await created();
        const c = await created();
        expect((await store.get(T, a.id))?.queue_position).toBe(0);
        expect((await store.get(T, b.id))?.queue_position).toBe(1);
        expect((await store.get(T, c.id))?.queue_position).toBe(2);
        await claimOne();
        expect((await store.get(T, a.id))?.queue_position).toBeNull();
        expect((await store.get(T, c.id))?.queue_position).toBe(1);
      });
    });

    describe('queues', () => {
      const claim = (over: Partial<Parameters<JobStore['claim']>[0]> = {}) =>
        store.claim({ queue: Q, owner: 'w', leaseMs: 60_000, limit: 1, ...over });

      it('claims by priority, then age: 100 jobs of mixed priorities', async () => {
        const made: { id: string; priority: number; at: number }[] = [];
        for (let i = 0; i < 100; i++) {
          const priority = [0, 10, -5, 100, -100, 3][(i * 7) % 6]!;
          const job = await created({ priority, now: 1_000 + i });
          made.push({ id: job.id, priority, at: i });
        }
        const order: string[] = [];
        for (const limit of [1, 7, 30, 100]) {
          for (const l of await claim({ limit, now: 5_000 })) order.push(l.job.id);
        }
        const expected = [...made].sort((a, b) => b.priority - a.priority || a.at - b.at).map((j) => j.id);
        // Within one claim the leases start together: compare the sets of each claim, in turn.
        const chunks = [1, 7, 30, 62];
        let at = 0;
        for (const size of chunks) {
          expect(new Set(order.slice(at, at + size))).toEqual(new Set(expected.slice(at, at + size)));
          at += size;
        }
      });

      it('lets tenants take turns: a small tenant waits behind no more than one job of a big one', async () => {
        for (let i = 0; i < 50; i++) await created({ tenant: 'big', now: 1_000 + i });
        const small = await created({ tenant: 'small', now: 2_000 });
        const [first] = await claim({ now: 5_000 });
        expect(first!.job.tenant).toBe('big');
        const [second] = await claim({ now: 5_000 });
        expect(second!.job.id).toBe(small.id);
      });

      it('keeps a job queued until its run_at, and shows when it will run', async () => {
        const later = await created({ runAt: 10_000, now: 1_000 });
        expect(later.run_at).toBe(new Date(10_000).toISOString());
        expect(await claim({ now: 9_999 })).toEqual([]);
        expect(await store.nextRunAt(Q)).toBe(10_000);
        const [lease] = await claim({ now: 10_000 });
        expect(lease!.job.id).toBe(later.id);
        expect(lease!.job.run_at).toBeNull();
      });

      it('claims nothing from a paused queue, until it is resumed', async () => {
        await created();
        await store.setPaused(Q, true);
        expect(await store.pausedQueues()).toEqual([Q]);
        expect(await claim()).toEqual([]);
        await store.setPaused(Q, false);
        expect(await store.pausedQueues()).toEqual([]);
        expect(await claim()).toHaveLength(1);
      });

      it('never runs more than the global limit of a queue, nor a tenant past its limit', async () => {
        for (let i = 0; i < 6; i++) await created({ tenant: 'a' });
        for (let i = 0; i < 6; i++) await created({ tenant: 'b' });
        expect(await claim({ limit: 10, globalLimit: 3 })).toHaveLength(3);
        expect(await claim({ limit: 10, globalLimit: 3 })).toEqual([]);
        const more = await claim({ limit: 10, globalLimit: 8, tenantLimit: 4 });
        expect(more).toHaveLength(5);
        const running = await store.queueCounts({});
        expect(running.find((c) => c.queue === Q)?.running).toBe(8);
        const byTenant = await Promise.all(['a', 'b'].map((tenant) => store.queueCounts({ tenant })));
        expect(byTenant.map((c) => c[0]?.running).sort()).toEqual([4, 4]);
      });

      it('counts each queue: queued, scheduled, running, the oldest wait and the last minute', async () => {
        const now = Date.now();
        await created({ now: now - 5_000 });
        await created({ now: now - 1_000 });
        await created({ runAt: now + 60_000, now });
        await created({ queue: 'other', now });
        const [lease] = await claim({ queue: 'other', now });
        await store.finish(lease!.token, 'completed', { output: {}, now });
        const counts = await store.queueCounts({ now });
        expect(counts).toEqual([
          { queue: 'other', queued: 0, scheduled: 0, running: 0, oldestDueAt: null, finishedLastMinute: 1 },
          { queue: Q, queued: 2, scheduled: 1, running: 0, oldestDueAt: now - 5_000, finishedLastMinute: 0 },
        ]);
        expect(await store.queueCounts({ tenant: 'nobody', now })).toEqual([]);
        expect(await store.queueCounts({ queue: Q, now })).toEqual([counts[1]]);
      });

      it('puts a job behind the other tenants in turns, not behind all of their jobs', async () => {
        for (let i = 0; i < 20; i++) await created({ tenant: 'big', now: 1_000 + i });
        const small = await created({ tenant: 'small', now: 2_000 });
        const urgent = await created({ tenant: 'small', priority: 10, now: 3_000 });
        expect((await store.get('small', urgent.id))!.queue_position).toBe(0);
        // Behind its own urgent job and one turn of big's.
        expect((await store.get('small', small.id))!.queue_position).toBe(2);
      });
    });

    describe('claims and leases', () => {
      it('claims the oldest runnable job under a new lease', async () => {
        const a = await created();
        await created();
        const now = Date.now();
        const lease = await claimOne({ owner: 'host:1:x', leaseMs: 5000, now });
        expect(lease.job).toMatchObject({
          id: a.id,
          status: 'running',
          attempt: 1,
          version: 2,
          lease_owner: 'host:1:x',
          lease_expires_at: now + 5000,
          queue_position: null,
        });
        expect(lease.job.started_at).not.toBeNull();
        expect(lease.job.logs.at(-1)).toMatch(/attempt 1 of 3 started/);
        expect(typeof lease.token).toBe('string');
        expect(lease.token.length).toBeGreaterThanOrEqual(16);
      });

      it('claims only from the queue asked for, up to the limit', async () => {
        await created({ queue: 'other' });
        await created();
        await created();
        const leases = await store.claim({ queue: Q, owner: 'w', leaseMs: 1000, limit: 5 });
        expect(leases.map((l) => l.job.queue)).toEqual([Q, Q]);
        expect(await store.claim({ queue: 'none', owner: 'w', leaseMs: 1000, limit: 5 })).toEqual([]);
        expect(await store.claim({ queue: 'other', owner: 'w', leaseMs: 1000, limit: 0 })).toEqual([]);
        expect(await store.claim({ queue: 'other', owner: 'w', leaseMs: 1000, limit: 5 })).toHaveLength(1);
      });

      it('gives every job to exactly one of many racing claimers', async () => {
        for (let i = 0; i < 30; i++) await created();
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.claim({ queue: Q, owner: `w${i}`, leaseMs: 1000, limit: 5 }),
          ),
        );
        const ids = results.flat().map((l) => l.job.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBe(30);
      });

      it('property: N workers racing for M jobs claim each job exactly once', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 1, max: 6 }),
            fc.integer({ min: 0, max: 25 }),
            fc.integer({ min: 1, max: 4 }),
            async (workers, jobs, batch) => {
              const tenant = `prop-${n++}`;
              for (let i = 0; i < jobs; i++) await store.insert(newJob({ tenant }));
              const claimed: string[] = [];
              await Promise.all(
                Array.from({ length: workers }, async (_, w) => {
                  for (;;) {
                    const leases = await store.claim({
                      queue: Q,
                      owner: `w${w}`,
                      leaseMs: 60_000,
                      limit: batch,
                    });
                    const mine = leases.filter((l) => l.job.tenant === tenant);
                    claimed.push(...mine.map((l) => l.job.id));
                    for (const l of leases) await store.finish(l.token, 'completed', { output: {} });
                    if (leases.length === 0) break;
                  }
                }),
              );
              expect(claimed.length).toBe(jobs);
              expect(new Set(claimed).size).toBe(jobs);
            },
          ),
          { numRuns: 15 },
        );
      });

      it('renews a lease on heartbeat only for the holder', async () => {
        await created();
        const lease = await claimOne({ leaseMs: 1000 });
        expect(await store.heartbeat(lease.token, 60_000)).toBe(true);
        expect((await store.get(T, lease.job.id))?.lease_expires_at).toBeGreaterThan(Date.now() + 30_000);
        expect(await store.heartbeat('not-a-token', 60_000)).toBe(false);
        await store.cancel(T, lease.job.id);
        expect(await store.heartbeat(lease.token, 60_000)).toBe(false);
      });

      it('shows a renewed lease in the changes written after it', async () => {
        await created();
        const lease = await claimOne({ leaseMs: 1000 });
        expect(await store.heartbeat(lease.token, 60_000)).toBe(true);
        const reported = await store.report(lease.token, { progress: 10 });
        expect(reported?.lease_expires_at).toBeGreaterThan(Date.now() + 30_000);
        expect(await store.heartbeatMany([lease.token], 120_000)).toEqual(new Set([lease.token]));
        const again = await store.report(lease.token, { progress: 20 });
        expect(again?.lease_expires_at).toBeGreaterThan(Date.now() + 90_000);
        expect(again?.lease_expires_at).toBe((await store.get(T, lease.job.id))?.lease_expires_at);
      });

      it('renews many leases at once, only those still held', async () => {
        for (let i = 0; i < 3; i++) await created();
        const leases = await store.claim({ queue: Q, owner: 'w1', leaseMs: 1000, limit: 3 });
        expect(leases).toHaveLength(3);
        await store.cancel(T, leases[1]!.job.id);
        const held = await store.heartbeatMany([...leases.map((l) => l.token), 'not-a-token'], 60_000);
        expect(held).toEqual(new Set([leases[0]!.token, leases[2]!.token]));
        for (const l of [leases[0]!, leases[2]!]) {
          expect((await store.get(T, l.job.id))?.lease_expires_at).toBeGreaterThan(Date.now() + 30_000);
        }
        expect(await store.heartbeatMany([], 60_000)).toEqual(new Set());
      });

      it('lists the owners of current leases', async () => {
        await created();
        await created();
        await claimOne({ owner: 'a' });
        await claimOne({ owner: 'b' });
        expect((await store.leaseOwners()).sort()).toEqual(['a', 'b']);
      });
    });

    describe('reports from the lease holder', () => {
      it('moves progress up only, sets stage, message and eta, and bumps the version once', async () => {
        await created();
        const lease = await claimOne();
        const eta = Date.now() + 10_000;
        const a = await store.report(lease.token, { progress: 40, stage: 'rendering', message: 'half', eta });
        expect(a).toMatchObject({
          progress: 40,
          stage: 'rendering',
          message: 'half',
          version: lease.job.version + 1,
        });
        expect(a?.eta).toBe(new Date(eta).toISOString());
        const b = await store.report(lease.token, { progress: 10 });
        expect(b).toMatchObject({ progress: 40, stage: 'rendering', version: lease.job.version + 2 });
        const c = await store.report(lease.token, { progress: 250 });
        expect(c?.progress).toBe(100);
      });

      it('appends log lines, keeps the newest 50 on the job, and pages them all', async () => {
        const job = await created();
        const lease = await claimOne();
        const lines = Array.from({ length: 120 }, (_, i) => `line ${i}`);
        await store.report(lease.token, { logs: lines.slice(0, 70) });
        const after = await store.report(lease.token, { logs: lines.slice(70) });
        expect(after?.logs).toHaveLength(50);
        expect(after?.logs.at(-1)).toBe('line 119');
        const first = await store.logs(T, job.id, { limit: 100 });
        const rest = await store.logs(T, job.id, { after: first!.at(-1)!.seq, limit: 100 });
        const all = [...first!, ...rest!];
        expect(all.map((l) => l.line).filter((l) => l.startsWith('line '))).toEqual(lines);
        expect(all.map((l) => l.seq)).toEqual(all.map((_, i) => i + 1));
        expect(await store.logs('tenant-b', job.id, { limit: 10 })).toBeNull();
      });

      it('gives each line its number and the time it was written, in the tail or out of it, page by page', async () => {
        const job = await created();
        const t0 = Date.now() + 1000;
        const lease = await claimOne({ now: t0 });
        // The claim's line, then 30 lines at each of two times, then the finish's: 62 lines, the
        // oldest 12 out of the tail of 50 (each change pushes out its own number of lines).
        await store.report(lease.token, { logs: Array.from({ length: 30 }, (_, i) => `a ${i}`) }, t0 + 1);
        await store.report(lease.token, { logs: Array.from({ length: 30 }, (_, i) => `b ${i}`) }, t0 + 2);
        const done = await store.finish(lease.token, 'completed', { output: {}, now: t0 + 3 });
        expect(done?.logs).toHaveLength(50);
        const at = (seq: number) => (seq === 1 ? t0 : seq <= 31 ? t0 + 1 : seq <= 61 ? t0 + 2 : t0 + 3);
        for (const limit of [1, 7, 12, 13, 50, 100]) {
          const read: LogLine[] = [];
          for (;;) {
            const page = (await store.logs(T, job.id, { after: read.at(-1)?.seq ?? 0, limit }))!;
            expect(page.length).toBeLessThanOrEqual(limit);
            read.push(...page);
            if (page.length < limit) break;
          }
          expect(read.map((l) => l.seq)).toEqual(Array.from({ length: 62 }, (_, i) => i + 1));
          expect(read.map((l) => l.timestamp)).toEqual(read.map((l) => new Date(at(l.seq)).toISOString()));
          expect(read.slice(1, 61).map((l) => l.line)).toEqual([
            ...Array.from({ length: 30 }, (_, i) => `a ${i}`),
            ...Array.from({ length: 30 }, (_, i) => `b ${i}`),
          ]);
          expect(read.slice(50).map((l) => l.line)).toEqual(done!.logs.slice(38));
        }
        // Lines after the last there is, and a job whose lines all fit in the tail.
        expect(await store.logs(T, job.id, { after: 62, limit: 10 })).toEqual([]);
        const small = await created();
        const first = await claimOne({ now: t0 });
        expect(first.job.id).toBe(small.id);
        expect(await store.logs(T, small.id, { limit: 10 })).toEqual([
          { seq: 1, timestamp: new Date(t0).toISOString(), line: first.job.logs[0] },
        ]);
      });

      it("puts the oldest line of a full tail in the log table when a retry's claim adds its own", async () => {
        const job = await created();
        const t0 = Date.now();
        const first = await claimOne({ now: t0 });
        // 1 + 49 lines: the tail is full.
        await store.report(first.token, { logs: Array.from({ length: 49 }, (_, i) => `x ${i}`) }, t0 + 1);
        await store.finish(first.token, 'failed', {
          error: { code: 'boom', message: 'boom' },
          retryAt: t0 + 2,
          now: t0 + 2,
        });
        const second = await claimOne({ now: t0 + 3 });
        expect(second.job.id).toBe(job.id);
        expect(second.job.logs).toHaveLength(50);
        const lines = (await store.logs(T, job.id, { limit: 100 }))!;
        expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 52 }, (_, i) => i + 1));
        expect(lines[0]).toEqual({ seq: 1, timestamp: new Date(t0).toISOString(), line: first.job.logs[0] });
        expect(lines[1]).toEqual({ seq: 2, timestamp: new Date(t0 + 1).toISOString(), line: 'x 0' });
        expect(lines.at(-1)).toEqual({
          seq: 52,
          timestamp: new Date(t0 + 3).toISOString(),
          line: second.job.logs.at(-1),
        });
        expect(lines.slice(2).map((l) => l.line)).toEqual(second.job.logs);
      });

      it('keeps any text a processor reports, NUL characters replaced', async () => {
        await created();
        const lease = await claimOne();
        const odd = 'a\u0000b ünï 🎬 "q" \\ \n';
        const job = await store.report(lease.token, { stage: odd, message: odd, logs: [odd] });
        const clean = odd.replace('\u0000', '\uFFFD');
        expect(job).toMatchObject({ stage: clean, message: clean });
        expect(job!.logs.at(-1)).toBe(clean);
        const failed = await store.finish(lease.token, 'failed', {
          error: { code: 'processor_error', message: odd },
        });
        expect(failed?.error).toEqual({ code: 'processor_error', message: clean });
        expect(await store.get(T, lease.job.id)).toEqual(failed);
      });

      it('keeps input and metadata exactly as given, key order included', async () => {
        const input = { z: 1, a: [1, 2.5, null, 'x\u0000y'], m: { b: true, a: false }, e: {}, u: '\ud800' };
        const job = await created({ input, metadata: { second: '2', first: '1' } });
        const got = await store.get(T, job.id);
        expect(JSON.stringify(got?.input)).toBe(JSON.stringify(input));
        expect(JSON.stringify(got?.metadata)).toBe('{"second":"2","first":"1"}');
      });

      it('cuts very long log lines', async () => {
        await created();
        const lease = await claimOne();
        const job = await store.report(lease.token, { logs: ['x'.repeat(10_000)] });
        expect(job!.logs.at(-1)!.length).toBeLessThanOrEqual(2000);
      });

      it('ignores a report with a token that is not the current lease', async () => {
        await created();
        const lease = await claimOne();
        expect(await store.report('stale', { progress: 50 })).toBeNull();
        expect((await store.get(T, lease.job.id))?.version).toBe(lease.job.version);
      });
    });

    describe('finishing', () => {
      it('completes with output, progress 100, and the last report folded in', async () => {
        await created();
        const lease = await claimOne();
        const job = await store.finish(lease.token, 'completed', {
          output: { url: 'x' },
          report: { stage: 'done', logs: ['last words'] },
        });
        expect(job).toMatchObject({
          status: 'completed',
          progress: 100,
          output: { url: 'x' },
          stage: 'done',
          error: null,
        });
        expect(job?.finished_at).not.toBeNull();
        expect(job?.logs).toContain('last words');
        expect(job?.version).toBe(lease.job.version + 1);
        expect(job?.lease_owner).toBeNull();
      });

      it('fences: a finished lease cannot finish again, and a stale one cannot overwrite', async () => {
        await created();
        const lease = await claimOne();
        await store.finish(lease.token, 'completed', { output: { first: true } });
        expect(
          await store.finish(lease.token, 'failed', { error: { code: 'processor_error', message: 'late' } }),
        ).toBeNull();
        expect((await store.get(T, lease.job.id))?.output).toEqual({ first: true });
      });

      it('queues a retry while attempts remain, then fails for good', async () => {
        await created({ max_attempts: 2 });
        const first = await claimOne();
        const retryAt = Date.now() + 60_000;
        const queued = await store.finish(first.token, 'failed', {
          error: { code: 'processor_error', message: 'flaky' },
          retryAt,
        });
        expect(queued).toMatchObject({
          status: 'queued',
          attempt: 1,
          progress: 0,
          run_at: new Date(retryAt).toISOString(),
          error: null,
        });
        expect(await store.claim({ queue: Q, owner: 'w', leaseMs: 1000, limit: 1 })).toEqual([]);
        expect(await store.nextRunAt(Q)).toBe(retryAt);
        const second = await claimOne({ now: retryAt + 1 });
        expect(second.job.attempt).toBe(2);
        const failed = await store.finish(second.token, 'failed', {
          error: { code: 'processor_error', message: 'flaky again' },
          retryAt: retryAt + 1000,
        });
        expect(failed).toMatchObject({
          status: 'failed',
          attempt: 2,
          error: { code: 'processor_error', message: 'flaky again' },
        });
      });

      it('finishes a batch in order, a stale token refusing only its own job', async () => {
        for (let i = 0; i < 4; i++) await created({ max_attempts: 2 });
        const leases = await store.claim({ queue: Q, owner: 'w1', leaseMs: 30_000, limit: 4 });
        expect(leases).toHaveLength(4);
        // One lease lost to a cancel, one finished already: both stale in the batch.
        await store.cancel(T, leases[1]!.job.id);
        await store.finish(leases[3]!.token, 'completed', { output: { first: true } });
        const retryAt = Date.now() + 60_000;
        const results = await store.finishMany([
          {
            token: leases[0]!.token,
            outcome: 'completed',
            opts: { output: { n: 0 }, report: { logs: ['bye'] } },
          },
          { token: leases[1]!.token, outcome: 'completed', opts: { output: { n: 1 } } },
          {
            token: leases[2]!.token,
            outcome: 'failed',
            opts: { error: { code: 'processor_error', message: 'flaky' }, retryAt },
          },
          {
            token: leases[3]!.token,
            outcome: 'failed',
            opts: { error: { code: 'processor_error', message: 'late' } },
          },
          { token: 'not-a-token', outcome: 'completed', opts: { output: {} } },
        ]);
        expect(results.map((j) => j?.status ?? null)).toEqual(['completed', null, 'queued', null, null]);
        expect(results[0]).toMatchObject({ id: leases[0]!.job.id, output: { n: 0 }, progress: 100 });
        expect(results[0]!.logs).toContain('bye');
        expect(results[0]!.version).toBe(leases[0]!.job.version + 1);
        expect(results[2]).toMatchObject({
          id: leases[2]!.job.id,
          attempt: 1,
          run_at: new Date(retryAt).toISOString(),
        });
        expect(await store.get(T, leases[0]!.job.id)).toEqual(results[0]);
        expect((await store.get(T, leases[1]!.job.id))?.status).toBe('canceled');
        expect(await store.get(T, leases[3]!.job.id)).toMatchObject({
          status: 'completed',
          output: { first: true },
        });
        expect(await store.finishMany([])).toEqual([]);
      });

      it('finishes a batch in which one token appears twice only once', async () => {
        await created();
        const lease = await claimOne();
        const results = await store.finishMany([
          { token: lease.token, outcome: 'completed', opts: { output: { n: 1 } } },
          { token: lease.token, outcome: 'completed', opts: { output: { n: 2 } } },
        ]);
        expect(results.map((j) => j?.output ?? null)).toEqual([{ n: 1 }, null]);
        expect((await store.get(T, lease.job.id))?.output).toEqual({ n: 1 });
      });

      it('releases a job back to the queue without spending the attempt', async () => {
        await created();
        const lease = await claimOne();
        const released = await store.release(lease.token);
        expect(released).toMatchObject({ status: 'queued', attempt: 0, lease_owner: null });
        expect(await store.release(lease.token)).toBeNull();
        expect((await claimOne()).job.attempt).toBe(1);
      });
    });

    describe('cancel and delete', () => {
      it('cancels queued and running jobs, is idempotent, and refuses finished ones', async () => {
        const q = await created();
        const r1 = await store.cancel(T, q.id);
        expect(r1).toMatchObject({ outcome: 'canceled', job: { status: 'canceled' } });
        expect(await store.cancel(T, q.id)).toMatchObject({ outcome: 'already_canceled' });
        await created();
        const lease = await claimOne();
        expect(await store.cancel(T, lease.job.id)).toMatchObject({ outcome: 'canceled' });
        expect(await store.finish(lease.token, 'completed', { output: {} })).toBeNull();
        const { job: done } = await inState('completed');
        expect(await store.cancel(T, done.id)).toMatchObject({
          outcome: 'finished',
          job: { status: 'completed' },
        });
        expect(await store.cancel(T, 'missing')).toEqual({ outcome: 'not_found' });
        expect(await store.cancel('tenant-b', q.id)).toEqual({ outcome: 'not_found' });
      });

      it('lets a finish and a cancel race: one wins, and the log tells only its story', async () => {
        for (let i = 0; i < 15; i++) await created();
        const leases = await store.claim({ queue: Q, owner: 'w', leaseMs: 60_000, limit: 15 });
        expect(leases).toHaveLength(15);
        await Promise.all(
          leases.map((l) =>
            Promise.all([
              store.finish(l.token, 'completed', { output: {}, report: { logs: ['finishing'] } }),
              store.cancel(T, l.job.id),
            ]),
          ),
        );
        for (const l of leases) {
          const job = (await store.get(T, l.job.id))!;
          const lines = (await store.logs(T, l.job.id, { limit: 100 }))!;
          expect(lines.map((x) => x.seq)).toEqual(lines.map((_, i) => i + 1));
          const text = lines.map((x) => x.line);
          if (job.status === 'completed') {
            expect(text).toEqual(['attempt 1 of 3 started', 'finishing', 'attempt 1 completed']);
          } else {
            expect(job.status).toBe('canceled');
            expect(text).toEqual(['attempt 1 of 3 started', 'canceled while running']);
          }
          expect(job.version).toBe(3);
        }
      });

      it('deletes terminal jobs only', async () => {
        const q = await created();
        expect(await store.delete(T, q.id)).toEqual({ outcome: 'not_terminal' });
        await store.cancel(T, q.id);
        expect(await store.delete('tenant-b', q.id)).toEqual({ outcome: 'not_found' });
        expect((await store.delete(T, q.id)).outcome).toBe('deleted');
        expect(await store.get(T, q.id)).toBeNull();
        expect(await store.delete(T, q.id)).toEqual({ outcome: 'not_found' });
      });
    });

    describe('recovery and retention', () => {
      it('requeues expired leases, and fails them when no attempt is left', async () => {
        await created({ max_attempts: 2 });
        await created({ max_attempts: 1 });
        const now = Date.now();
        const a = await claimOne({ leaseMs: 1000, now });
        const b = await claimOne({ leaseMs: 1000, now });
        expect(await store.recover({ now: now + 500 })).toEqual([]);
        const recovered = await store.recover({ now: now + 2000 });
        const byId = new Map(recovered.map((j) => [j.id, j]));
        expect(byId.get(a.job.id)).toMatchObject({ status: 'queued', attempt: 1, lease_owner: null });
        expect(byId.get(b.job.id)).toMatchObject({ status: 'failed', error: { code: 'attempts_exhausted' } });
        expect(await store.heartbeat(a.token, 1000)).toBe(false);
        expect(await store.finish(a.token, 'completed', { output: {} })).toBeNull();
      });

      it('puts a job whose worker died back in its old place, ahead of jobs queued since', async () => {
        const now = Date.now();
        const first = await created({ now: now - 1000 });
        await claimOne({ owner: 'dead', now });
        const later = await created({ now: now + 10 });
        await store.recover({ owners: ['dead'], now: now + 20 });
        const next = await claimOne({ owner: 'next', now: now + 30 });
        expect(next.job.id).toBe(first.id);
        expect((await store.get(T, later.id))?.status).toBe('queued');
      });

      it("requeues the jobs of named owners at once, leaving others' alone", async () => {
        await created();
        await created();
        const dead = await claimOne({ owner: 'dead' });
        const alive = await claimOne({ owner: 'alive' });
        const recovered = await store.recover({ owners: ['dead'] });
        expect(recovered.map((j) => j.id)).toEqual([dead.job.id]);
        expect((await store.get(T, alive.job.id))?.status).toBe('running');
      });

      it('purges terminal jobs finished before the cutoff, never live ones', async () => {
        const { job: done } = await inState('completed');
        const { job: failed } = await inState('failed');
        const live = await created();
        const purged = await store.purge({ finishedBefore: Date.now() + 1000, limit: 100 });
        expect(purged.map((p) => p.id).sort()).toEqual([done.id, failed.id].sort());
        expect(await store.get(T, live.id)).not.toBeNull();
        expect(await store.get(T, done.id)).toBeNull();
        expect(await store.purge({ finishedBefore: 0, limit: 100 })).toEqual([]);
      });

      it('lists jobs changed since a time, oldest change first, paging by cursor', async () => {
        const t0 = Date.now() - 10_000;
        const a = await created({ now: t0 });
        const b = await created({ now: t0 + 1 });
        const c = await created({ now: t0 + 1 });
        const old = await created({ now: t0 - 5000 });
        await store.cancel(T, a.id, t0 + 2);
        const all = await store.changedSince({ since: t0, limit: 10 });
        expect(all.map((j) => j.id)).toEqual([b.id, c.id, a.id]);
        expect(all.at(-1)).toMatchObject({ status: 'canceled', version: 2 });
        const page1 = await store.changedSince({ since: t0, limit: 2 });
        const last = page1.at(-1)!;
        const page2 = await store.changedSince({
          since: t0,
          cursor: { updatedAt: Date.parse(last.updated_at), seq: last.seq },
          limit: 2,
        });
        expect([...page1, ...page2].map((j) => j.id)).toEqual([b.id, c.id, a.id]);
        expect((await store.changedSince({ since: t0 - 5000, limit: 10 })).map((j) => j.id)).toContain(
          old.id,
        );
        expect(await store.changedSince({ since: t0 + 3, limit: 10 })).toEqual([]);
      });

      it('lists running, retried and finished jobs changed since a time, and none finished before it', async () => {
        const t0 = Date.now() - 10_000;
        /** A job claimed at `claimAt`, then finished at `finishAt` as `outcome` (failed with a retry: queued again). */
        async function through(
          claimAt: number,
          outcome?: 'completed' | 'failed' | 'retried',
          finishAt = claimAt,
        ) {
          await created({ now: t0 - 9000, max_attempts: 2 });
          const lease = await claimOne({ now: claimAt });
          if (!outcome) return lease.job;
          const failed = outcome !== 'completed';
          const job = await store.finish(lease.token, failed ? 'failed' : 'completed', {
            now: finishAt,
            error: { code: 'processor_error', message: 'boom' },
            ...(outcome === 'retried' ? { retryAt: finishAt + 60_000 } : {}),
          });
          return job!;
        }
        const before = await through(t0 - 8000, 'completed', t0 - 3000);
        const running = await through(t0 + 1);
        const done = await through(t0 - 7000, 'completed', t0 + 2);
        const retried = await through(t0 - 6000, 'retried', t0 + 3);
        const failed = await through(t0 - 5000, 'failed', t0 + 4);
        expect(retried.status).toBe('queued');
        const changed = await store.changedSince({ since: t0, limit: 10 });
        expect(changed.map((j) => [j.id, j.status])).toEqual([
          [running.id, 'running'],
          [done.id, 'completed'],
          [retried.id, 'queued'],
          [failed.id, 'failed'],
        ]);
        const page = await store.changedSince({
          since: t0,
          cursor: { updatedAt: t0 + 2, seq: done.seq },
          limit: 10,
        });
        expect(page.map((j) => j.id)).toEqual([retried.id, failed.id]);
        expect((await store.changedSince({ since: t0 - 3000, limit: 10 })).map((j) => j.id)[0]).toBe(
          before.id,
        );
      });

      it('counts jobs by status', async () => {
        await inState('completed');
        await inState('canceled');
        await created();
        const counts = await store.countByStatus();
        expect(counts).toEqual({ queued: 1, running: 0, completed: 1, failed: 0, canceled: 1 });
      });
    });

    describe('uploaded files', () => {
      let f = 0;
      function newFile(over: Partial<NewFile> = {}): NewFile {
        f += 1;
        const now = Date.now();
        return {
          id: `file_${f}`,
          tenant: T,
          filename: `photo-${f}.png`,
          content_type: 'image/png',
          bytes: 1000 + f,
          sha256: 'ab'.repeat(32),
          createdAt: now,
          expiresAt: now + 60_000,
          ...over,
        };
      }

      it('records a file once per tenant and id, and reads it back field for field', async () => {
        const file = newFile({ bytes: 600 * 1024 * 1024 * 10 });
        expect(await store.insertFile(file)).toBe(true);
        expect(await store.insertFile({ ...file, filename: 'other' })).toBe(false);
        expect(await store.insertFile({ ...file, tenant: 'tenant-b' })).toBe(true);
        const got = await store.getFile(T, file.id);
        expect(got).toEqual({
          id: file.id,
          tenant: T,
          filename: file.filename,
          content_type: 'image/png',
          bytes: 600 * 1024 * 1024 * 10,
          sha256: file.sha256,
          created_at: new Date(file.createdAt).toISOString(),
          expires_at: new Date(file.expiresAt).toISOString(),
          seq: expect.any(Number),
        });
        expect(await store.getFile('tenant-c', file.id)).toBeNull();
      });

      it("lists a tenant's files newest first, paging by seq, never another tenant's", async () => {
        const mine = [newFile(), newFile(), newFile()];
        for (const file of mine) await store.insertFile(file);
        await store.insertFile(newFile({ tenant: 'tenant-b' }));
        const page1 = await store.listFiles({ tenant: T, limit: 2 });
        expect(page1.map((x) => x.id)).toEqual([mine[2]!.id, mine[1]!.id]);
        const page2 = await store.listFiles({ tenant: T, limit: 2, beforeSeq: page1.at(-1)!.seq });
        expect(page2.map((x) => x.id)).toEqual([mine[0]!.id]);
        expect(await store.listFiles({ tenant: 'nobody', limit: 10 })).toEqual([]);
      });

      it("deletes a tenant's file and says what it was; another tenant's stays", async () => {
        const file = newFile();
        await store.insertFile(file);
        await store.insertFile({ ...file, tenant: 'tenant-b' });
        expect(await store.deleteFile('tenant-c', file.id)).toBeNull();
        expect((await store.deleteFile(T, file.id))?.id).toBe(file.id);
        expect(await store.getFile(T, file.id)).toBeNull();
        expect(await store.deleteFile(T, file.id)).toBeNull();
        expect(await store.getFile('tenant-b', file.id)).not.toBeNull();
      });

      it('takes expired files once, oldest expiry first, and leaves the rest', async () => {
        const now = Date.now();
        const a = newFile({ expiresAt: now - 2000 });
        const b = newFile({ expiresAt: now - 1000 });
        const live = newFile({ expiresAt: now + 60_000 });
        for (const file of [b, live, a]) await store.insertFile(file);
        const first = await store.takeExpiredFiles({ now, limit: 1 });
        expect(first.map((x) => x.id)).toEqual([a.id]);
        const rest = await store.takeExpiredFiles({ now, limit: 10 });
        expect(rest.map((x) => x.id)).toEqual([b.id]);
        expect(await store.takeExpiredFiles({ now, limit: 10 })).toEqual([]);
        expect(await store.getFile(T, a.id)).toBeNull();
        expect(await store.getFile(T, live.id)).not.toBeNull();
      });
    });

    describe('remote workers', () => {
      let w = 0;
      function newWorker(over: Partial<WorkerRecord> = {}): WorkerRecord {
        w += 1;
        const now = Date.now();
        return {
          id: `wrk_${w}`,
          name: `box-${w}`,
          keyId: null,
          types: ['acme.upscale'],
          registeredAt: now,
          lastSeenAt: now,
          ...over,
        };
      }
      function declared(type: string, over: Partial<RemoteType> = {}): RemoteType {
        return {
          type,
          description: `does ${type}`,
          inputSchema: { type: 'object' },
          queue: type,
          declaredAt: Date.now(),
          ...over,
        };
      }

      it('registers a worker and its types, and reads them back field for field', async () => {
        const schema = {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: { url: { type: 'string' }, factor: { type: 'integer', default: 2 } },
        };
        const upscale = declared('acme.upscale', {
          inputSchema: schema,
          queue: 'gpu',
          declaredAt: 1_700_000,
        });
        const blur = declared('acme.blur', { description: '' });
        const worker = newWorker({ keyId: 'key-1', types: ['acme.upscale', 'acme.blur'] });
        await store.registerWorker(worker, [upscale, blur]);
        expect(await store.getWorker(worker.id)).toEqual(worker);
        expect(await store.listWorkers()).toEqual([worker]);
        const types = await store.remoteTypes();
        expect(types).toEqual([blur, upscale]);
        // The schema as the worker wrote it, key order included.
        expect(JSON.stringify(types[1]!.inputSchema)).toBe(JSON.stringify(schema));
        expect(await store.getWorker('wrk_unknown')).toBeNull();
      });

      it('lists declared types in name order, byte by byte', async () => {
        const names = ['zeta', 'alpha', 'a_b', 'Alpha', 'a.b'];
        await store.registerWorker(
          newWorker({ types: names }),
          names.map((t) => declared(t)),
        );
        expect((await store.remoteTypes()).map((t) => t.type)).toEqual([
          'Alpha',
          'a.b',
          'a_b',
          'alpha',
          'zeta',
        ]);
      });

      it('replaces name, key and types when a worker registers again, keeping its first registered_at', async () => {
        const t0 = Date.now() - 10_000;
        const first = newWorker({ types: ['one'], registeredAt: t0, lastSeenAt: t0 });
        await store.registerWorker(first, [declared('one')]);
        const again = {
          ...first,
          name: 'renamed',
          keyId: 'key-2',
          types: ['two', 'three'],
          registeredAt: t0 + 1000,
          lastSeenAt: t0 + 1000,
        };
        await store.registerWorker(again, [declared('two'), declared('three')]);
        expect(await store.getWorker(first.id)).toEqual({ ...again, registeredAt: t0 });
        // A registration that carries an older sighting does not move last_seen back.
        await store.registerWorker({ ...again, lastSeenAt: t0 + 500 }, []);
        expect((await store.getWorker(first.id))?.lastSeenAt).toBe(t0 + 1000);
        expect(await store.listWorkers()).toHaveLength(1);
        // Types are kept whoever declared them: the one the worker no longer serves stays.
        expect((await store.remoteTypes()).map((t) => t.type)).toEqual(['one', 'three', 'two']);
      });

      it('keeps the latest declaration of a type, whichever worker made it', async () => {
        const t0 = Date.now();
        const a = newWorker({ types: ['shared'] });
        const b = newWorker({ types: ['shared'] });
        await store.registerWorker(a, [
          declared('shared', {
            description: 'first',
            inputSchema: { type: 'object', title: 'v1' },
            queue: 'q1',
            declaredAt: t0,
          }),
        ]);
        const latest = declared('shared', {
          description: 'second',
          inputSchema: { type: 'object', title: 'v2' },
          queue: 'q2',
          declaredAt: t0 + 1,
        });
        await store.registerWorker(b, [latest]);
        expect(await store.remoteTypes()).toEqual([latest]);
        // A type named twice in one registration: the later declaration is the one kept.
        const last = declared('shared', { description: 'third', declaredAt: t0 + 2 });
        await store.registerWorker(a, [
          declared('shared', { description: 'dropped', declaredAt: t0 + 2 }),
          last,
        ]);
        expect(await store.remoteTypes()).toEqual([last]);
        // And it outlives both workers.
        await store.removeWorker(a.id);
        await store.removeWorker(b.id);
        expect(await store.remoteTypes()).toEqual([last]);
      });

      it('records a sighting of a known worker only, and never moves last_seen back', async () => {
        const t0 = Date.now();
        const worker = newWorker({ registeredAt: t0, lastSeenAt: t0 });
        await store.registerWorker(worker, [declared('acme.upscale')]);
        expect(await store.touchWorker('wrk_unknown', t0)).toBe(false);
        expect(await store.getWorker('wrk_unknown')).toBeNull();
        expect(await store.touchWorker(worker.id, t0 + 100)).toBe(true);
        expect(await store.getWorker(worker.id)).toEqual({ ...worker, lastSeenAt: t0 + 100 });
        expect(await store.touchWorker(worker.id, t0 + 50)).toBe(true);
        expect((await store.getWorker(worker.id))?.lastSeenAt).toBe(t0 + 100);
      });

      it('lists workers most recently seen first', async () => {
        const t0 = Date.now();
        const a = newWorker({ lastSeenAt: t0 });
        const b = newWorker({ lastSeenAt: t0 + 2 });
        const c = newWorker({ lastSeenAt: t0 + 1 });
        for (const worker of [a, b, c]) await store.registerWorker(worker, []);
        expect((await store.listWorkers()).map((x) => x.id)).toEqual([b.id, c.id, a.id]);
        await store.touchWorker(a.id, t0 + 5);
        expect((await store.listWorkers()).map((x) => x.id)).toEqual([a.id, b.id, c.id]);
      });

      it('forgets a removed worker, once', async () => {
        const gone = newWorker();
        const stays = newWorker();
        await store.registerWorker(gone, [declared('acme.upscale')]);
        await store.registerWorker(stays, [declared('acme.upscale')]);
        expect(await store.removeWorker(gone.id)).toBe(true);
        expect(await store.getWorker(gone.id)).toBeNull();
        expect(await store.removeWorker(gone.id)).toBe(false);
        expect(await store.removeWorker('wrk_unknown')).toBe(false);
        expect(await store.touchWorker(gone.id, Date.now())).toBe(false);
        expect((await store.listWorkers()).map((x) => x.id)).toEqual([stays.id]);
      });

      it('purges workers last seen before the cutoff, counts them, and keeps the rest', async () => {
        const t0 = Date.now();
        const oldest = newWorker({ lastSeenAt: t0 - 2000 });
        const old = newWorker({ lastSeenAt: t0 - 1000 });
        const recent = newWorker({ lastSeenAt: t0 });
        for (const worker of [recent, oldest, old]) await store.registerWorker(worker, []);
        expect(await store.purgeWorkers(t0 - 1000)).toBe(1);
        expect((await store.listWorkers()).map((x) => x.id)).toEqual([recent.id, old.id]);
        expect(await store.purgeWorkers(t0)).toBe(1);
        expect(await store.purgeWorkers(t0)).toBe(0);
        expect((await store.listWorkers()).map((x) => x.id)).toEqual([recent.id]);
        expect(await store.getWorker(recent.id)).toEqual(recent);
      });

      it('gives the job a token holds while it runs, and nothing once the lease ended', async () => {
        for (let i = 0; i < 5; i++) await created();
        const finished = await claimOne();
        expect(await store.leased(finished.token)).toEqual(await store.get(T, finished.job.id));
        await store.report(finished.token, { progress: 40, logs: ['working'] });
        const reported = await store.leased(finished.token);
        expect(reported).toMatchObject({
          status: 'running',
          progress: 40,
          version: finished.job.version + 1,
        });
        expect(reported).toEqual(await store.get(T, finished.job.id));
        await store.finish(finished.token, 'completed', { output: {} });
        expect(await store.leased(finished.token)).toBeNull();

        const canceled = await claimOne();
        await store.cancel(T, canceled.job.id);
        expect(await store.leased(canceled.token)).toBeNull();

        const released = await claimOne();
        await store.release(released.token);
        expect(await store.leased(released.token)).toBeNull();

        const now = Date.now();
        const expired = await claimOne({ leaseMs: 1000, now });
        expect((await store.leased(expired.token))?.id).toBe(expired.job.id);
        await store.recover({ now: now + 2000 });
        expect(await store.leased(expired.token)).toBeNull();

        expect(await store.leased('no-such-token')).toBeNull();
      });

      it('lists the running jobs of an owner prefix, oldest attempt first, taking % and _ literally', async () => {
        const t0 = Date.now() - 60_000;
        for (let i = 0; i < 6; i++) await created({ now: t0 });
        // Each of the others would match 'wrk_a%' as a LIKE pattern (or, with SQLite's LIKE, by case).
        const later = await claimOne({ owner: 'wrk_a%/y', now: t0 + 2000 });
        const earlier = await claimOne({ owner: 'wrk_a%/x', now: t0 + 1000 });
        await claimOne({ owner: 'wrk_ab/z', now: t0 + 1000 });
        await claimOne({ owner: 'wrkXa%/w', now: t0 + 1000 });
        await claimOne({ owner: 'WRK_A%/v', now: t0 + 1000 });
        const mine = await store.runningOf('wrk_a%');
        expect(mine).toEqual([
          { owner: 'wrk_a%/x', tenant: T, id: earlier.job.id, type: 'simulate', startedAt: t0 + 1000 },
          { owner: 'wrk_a%/y', tenant: T, id: later.job.id, type: 'simulate', startedAt: t0 + 2000 },
        ]);
        expect((await store.runningOf('wrk_a%/y')).map((h) => h.id)).toEqual([later.job.id]);
        expect(await store.runningOf('nobody')).toEqual([]);
        await store.finish(earlier.token, 'completed', { output: {} });
        expect((await store.runningOf('wrk_a%')).map((h) => h.id)).toEqual([later.job.id]);
        // A queued job has no owner: the sixth is not anyone's.
        expect(await store.runningOf('')).toHaveLength(4);
      });
    });

    describe('webhook outbox', () => {
      const URL_A = 'https://hooks.example/a';
      const ALL = ['job.started', 'job.progress', 'job.completed', 'job.failed', 'job.canceled'] as const;

      it('writes one delivery per event the webhook asks for, with the job as the change left it', async () => {
        const job = await created({ webhook: { url: URL_A, events: [...ALL] } });
        expect(job.webhook).toEqual({ url: URL_A, events: [...ALL] });
        expect((await store.get(T, job.id))?.webhook).toEqual({ url: URL_A, events: [...ALL] });
        const quiet = await created();
        expect(quiet.webhook).toBeNull();
        const lease = await claimOne();
        expect(lease.job.id).toBe(job.id);
        const reported = await store.report(lease.token, { progress: 40 });
        await store.report(lease.token, { stage: 'same progress' });
        const done = await store.finish(lease.token, 'completed', { output: { ok: 1 } });
        const deliveries = (await store.listDeliveries(T, job.id))!;
        expect(deliveries.map((d) => d.event)).toEqual(['job.started', 'job.progress', 'job.completed']);
        expect(new Set(deliveries.map((d) => d.id)).size).toBe(3);
        for (const d of deliveries) {
          expect(d).toMatchObject({ tenant: T, job_id: job.id, url: URL_A, status: 'pending', attempts: 0 });
          expect(d.id).toMatch(/^msg_[0-9a-f]{32}$/);
          expect(d.history).toEqual([]);
          expect(d.job).not.toHaveProperty('tenant');
          expect(d.job).not.toHaveProperty('lease_token');
        }
        expect(deliveries[0]!.job).toMatchObject({
          status: 'running',
          version: lease.job.version,
          attempt: 1,
        });
        expect(deliveries[1]!.job).toMatchObject({ progress: 40, version: reported!.version });
        expect(deliveries[2]!.job).toMatchObject({
          status: 'completed',
          output: { ok: 1 },
          version: done!.version,
          logs: done!.logs,
          input: done!.input,
        });
        expect(await store.listDeliveries(T, quiet.id)).toEqual([]);
        expect(await store.listDeliveries('tenant-b', job.id)).toBeNull();
        expect(await store.listDeliveries(T, 'no-such-job')).toBeNull();
      });

      it('sends only what the webhook asks for: cancel, lost leases and retries', async () => {
        const canceled = await created({ webhook: { url: URL_A, events: ['job.canceled', 'job.failed'] } });
        await store.cancel(T, canceled.id);
        expect((await store.listDeliveries(T, canceled.id))!.map((d) => d.event)).toEqual(['job.canceled']);

        const lost = await created({
          max_attempts: 2,
          webhook: { url: URL_A, events: ['job.completed', 'job.failed'] },
        });
        const first = await claimOne({ leaseMs: 10 });
        await store.finish(first.token, 'failed', {
          error: { code: 'processor_error', message: 'x' },
          retryAt: 0,
        });
        expect(await store.listDeliveries(T, lost.id)).toEqual([]); // a retry is no event
        await claimOne({ leaseMs: 10 });
        await store.recover({ now: Date.now() + 60_000 });
        const [failed] = (await store.listDeliveries(T, lost.id))!;
        expect(failed).toMatchObject({ event: 'job.failed' });
        expect(failed!.job.error?.code).toBe('attempts_exhausted');
      });

      it('leaves a long input out of every delivery, as lists do, and keeps a short one', async () => {
        const long = { text: 'x'.repeat(LIST_FIELD_MAX_BYTES + 1) };
        const job = await created({ input: long, webhook: { url: URL_A, events: [...ALL] } });
        const lease = await claimOne();
        expect(lease.job.id).toBe(job.id);
        await store.report(lease.token, { progress: 50 });
        await store.finish(lease.token, 'completed', { output: { ok: 1 } });
        const deliveries = (await store.listDeliveries(T, job.id))!;
        expect(deliveries.map((d) => d.event)).toEqual(['job.started', 'job.progress', 'job.completed']);
        const bytes = Buffer.byteLength(JSON.stringify(long));
        for (const d of deliveries) expect(d.job.input).toEqual(omittedField(bytes));
        expect((await store.get(T, job.id))?.input).toEqual(long);

        const short = await created({
          input: { text: 'y'.repeat(100) },
          webhook: { url: URL_A, events: ['job.started'] },
        });
        await claimOne();
        const [started] = (await store.listDeliveries(T, short.id))!;
        expect(started?.job.input).toEqual({ text: 'y'.repeat(100) });
      });

      it('leases each due delivery to one claimer, and fences the outcome by the lease', async () => {
        const job = await created({ webhook: { url: URL_A, events: ['job.started'] } });
        const t = Date.now();
        await claimOne({ now: t });
        expect(await store.nextDeliveryAt()).toBe(t);
        const [lease] = await store.claimDeliveries({ leaseMs: 1000, limit: 10, now: t });
        expect(lease?.delivery).toMatchObject({ job_id: job.id, event: 'job.started' });
        expect(await store.claimDeliveries({ leaseMs: 1000, limit: 10, now: t + 999 })).toEqual([]);
        // The holder vanished: after the lease the delivery is due again, under a new token.
        const [again] = await store.claimDeliveries({ leaseMs: 1000, limit: 10, now: t + 1000 });
        expect(again?.delivery.id).toBe(lease!.delivery.id);
        expect(again!.token).not.toBe(lease!.token);
        const attempt = { at: t, status_code: 500, error: 'HTTP 500', duration_ms: 3 };
        expect(await store.recordDelivery(lease!.token, attempt, { outcome: 'delivered' })).toBe(false);
        expect(
          await store.recordDelivery(again!.token, attempt, { outcome: 'retry', nextAttemptAt: t + 5000 }),
        ).toBe(true);
        expect(await store.recordDelivery(again!.token, attempt, { outcome: 'delivered' })).toBe(false);
        let [d] = (await store.listDeliveries(T, job.id))!;
        expect(d).toMatchObject({
          status: 'pending',
          attempts: 1,
          next_attempt_at: t + 5000,
          last_status: 500,
        });
        expect(d!.history).toEqual([attempt]);
        expect(await store.claimDeliveries({ leaseMs: 1000, limit: 10, now: t + 4999 })).toEqual([]);
        const [third] = await store.claimDeliveries({ leaseMs: 1000, limit: 10, now: t + 5000 });
        const ok = { at: t + 5000, status_code: 204, error: null, duration_ms: 1 };
        expect(await store.recordDelivery(third!.token, ok, { outcome: 'delivered' })).toBe(true);
        [d] = (await store.listDeliveries(T, job.id))!;
        expect(d).toMatchObject({
          status: 'delivered',
          attempts: 2,
          next_attempt_at: null,
          last_status: 204,
        });
        expect(d!.history).toEqual([attempt, ok]);
        expect(await store.nextDeliveryAt()).toBeNull();
      });

      it('gives each delivery to exactly one of many racing dispatchers', async () => {
        for (let i = 0; i < 12; i++) await created({ webhook: { url: URL_A, events: ['job.canceled'] } });
        const jobs = await store.list({ tenant: T, limit: 100 });
        for (const job of jobs) await store.cancel(T, job.id);
        const t = Date.now() + 10;
        const claims = await Promise.all(
          Array.from({ length: 6 }, () => store.claimDeliveries({ leaseMs: 60_000, limit: 3, now: t })),
        );
        const ids = claims.flat().map((l) => l.delivery.id);
        expect(ids.length).toBe(12);
        expect(new Set(ids).size).toBe(12);
      });

      it('stops every delivery to a URL that answered 410 for that job, now and later', async () => {
        const job = await created({ webhook: { url: URL_A, events: [...ALL] } });
        const lease = await claimOne();
        await store.report(lease.token, { progress: 10 });
        const t = Date.now() + 10;
        const [first] = await store.claimDeliveries({ leaseMs: 60_000, limit: 1, now: t });
        const gone = { at: t, status_code: 410, error: 'HTTP 410', duration_ms: 1 };
        expect(await store.recordDelivery(first!.token, gone, { outcome: 'gone' })).toBe(true);
        await store.report(lease.token, { progress: 20 });
        await store.finish(lease.token, 'completed', {});
        const deliveries = (await store.listDeliveries(T, job.id))!;
        expect(deliveries.map((d) => [d.event, d.status])).toEqual([
          ['job.started', 'stopped'],
          ['job.progress', 'stopped'],
        ]);
        expect(await store.nextDeliveryAt()).toBeNull();
      });

      it('retries a delivery on request, in its own tenant only', async () => {
        const job = await created({ webhook: { url: URL_A, events: ['job.canceled'] } });
        await store.cancel(T, job.id);
        const t = Date.now() + 10;
        const [lease] = await store.claimDeliveries({ leaseMs: 60_000, limit: 1, now: t });
        const attempt = { at: t, status_code: 500, error: 'HTTP 500', duration_ms: 1 };
        await store.recordDelivery(lease!.token, attempt, { outcome: 'failed' });
        const id = lease!.delivery.id;
        expect((await store.listDeliveries(T, job.id))![0]).toMatchObject({
          status: 'failed',
          next_attempt_at: null,
        });
        expect(await store.retryDelivery('tenant-b', job.id, id, t + 1)).toBeNull();
        expect(await store.retryDelivery(T, job.id, 'msg_nope', t + 1)).toBeNull();
        const retried = await store.retryDelivery(T, job.id, id, t + 1);
        expect(retried).toMatchObject({ id, status: 'pending', next_attempt_at: t + 1, attempts: 1 });
        const [again] = await store.claimDeliveries({ leaseMs: 60_000, limit: 1, now: t + 1 });
        expect(again?.delivery.id).toBe(id);
      });

      it('deletes a job with its deliveries, by hand and by retention', async () => {
        const a = await created({ webhook: { url: URL_A, events: ['job.canceled'] } });
        const b = await created({ webhook: { url: URL_A, events: ['job.canceled'] } });
        await store.cancel(T, a.id);
        await store.cancel(T, b.id);
        expect(await store.nextDeliveryAt()).not.toBeNull();
        await store.delete(T, a.id);
        expect(await store.listDeliveries(T, a.id)).toBeNull();
        await store.purge({ finishedBefore: Date.now() + 60_000, limit: 10 });
        expect(await store.listDeliveries(T, b.id)).toBeNull();
        expect(await store.nextDeliveryAt()).toBeNull();
        expect(await store.claimDeliveries({ leaseMs: 1000, limit: 10, now: Date.now() + 60_000 })).toEqual(
          [],
        );
      });
    });

    describe('every operation from every state', () => {
      type Op = { name: string; run: (job: StoredJob, token: string | null) => Promise<unknown> };
      const ops: Op[] = [
        { name: 'claim', run: () => store.claim({ queue: Q, owner: 'w', leaseMs: 1000, limit: 10 }) },
        { name: 'complete', run: (_j, t) => store.finish(t ?? 'none', 'completed', { output: {} }) },
        {
          name: 'fail',
          run: (_j, t) =>
            store.finish(t ?? 'none', 'failed', { error: { code: 'processor_error', message: 'x' } }),
        },
        {
          name: 'retry',
          run: (_j, t) =>
            store.finish(t ?? 'none', 'failed', {
              error: { code: 'processor_error', message: 'x' },
              retryAt: 0,
            }),
        },
        { name: 'release', run: (_j, t) => store.release(t ?? 'none') },
        { name: 'cancel', run: (j) => store.cancel(T, j.id) },
        { name: 'recover', run: () => store.recover({ now: Date.now() + 3_600_000 }) },
      ];
      for (const from of ALL_STATES) {
        for (const op of ops) {
          it(`${op.name} on a ${from} job moves it only along the transition table`, async () => {
            const { job, token } = await inState(from);
            const before = (await store.get(T, job.id))!;
            await op.run(before, token);
            const after = (await store.get(T, job.id))!;
            if (after.status === before.status) {
              // Nothing moved, or a same-state change (none exist): the version tells.
              expect(after.version).toBe(before.version);
            } else {
              expect(canTransition(before.status, after.status)).toBe(true);
              expect(after.version).toBe(before.version + 1);
            }
          });
        }
      }
    });
  });
}
