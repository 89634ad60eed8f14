import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DiskArtifactStorage } from '../../src/artifacts/storage.js';
import { defaultConfig } from '../../src/config.js';
import { LocalFeed } from '../../src/feed/local-feed.js';
import { backoff } from '../../src/internal/backoff.js';
import type { StoredJob } from '../../src/jobs/model.js';
import { JobService } from '../../src/jobs/service.js';
import { isTerminal } from '../../src/jobs/states.js';
import { JobFailure, UnrecoverableError } from '../../src/processors/errors.js';
import { defaultRegistry } from '../../src/processors/index.js';
import type { Processor } from '../../src/processors/processor.js';
import { SqliteJobStore } from '../../src/store/sqlite/store.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { Maintenance } from '../../src/worker/maintenance.js';
import { JobStopped, WorkerPool, type WorkerPoolOptions } from '../../src/worker/pool.js';
import { tempDir } from '../helpers/app.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';
import { watchPool } from '../helpers/pools.js';

useCleanup();

const T = 'default';
const settings = defaultConfig();

async function setup(...processors: Processor<any>[]) {
  const dir = tempDir();
  const store = new SqliteJobStore({
    filename: join(dir, 'db.sqlite'),
    synchronous: settings.sqliteSynchronous,
  });
  await store.migrate();
  const registry = defaultRegistry();
  for (const p of processors) registry.register(p);
  const feed = new LocalFeed();
  const artifacts = new DiskArtifactStorage(join(dir, 'artifacts'));
  const service = new JobService({
    store,
    feed,
    registry,
    artifacts,
    simulateErrorRate: 0,
    defaultMaxAttempts: settings.maxAttempts,
  });
  const pools: WorkerPool[] = [];
  afterThisTest(async () => {
    for (const p of pools) await p.stop({ graceMs: 0 });
    await store.close();
  });
  const pool = (opts: Partial<WorkerPoolOptions> = {}) => {
    const p = new WorkerPool({
      service,
      registry,
      tempRoot: join(dir, 'tmp'),
      retry: { baseMs: 10, maxMs: 50 },
      concurrency: 2,
      leaseMs: settings.leaseMs,
      jobTimeoutMs: settings.jobTimeoutMs,
      node: settings.nodeName,
      ...opts,
    });
    pools.push(p);
    return watchPool(p);
  };
  /** Resolve when the job reaches a terminal state (or `until` says so), listening on the feed. */
  const until = (id: string, pred: (j: StoredJob) => boolean = (j) => isTerminal(j.status)) =>
    new Promise<StoredJob>((resolve) => {
      const stop = feed.subscribe(T, id, (j) => {
        if (pred(j)) {
          stop();
          resolve(j);
        }
      });
      store.get(T, id).then((j) => {
        if (j && pred(j)) {
          stop();
          resolve(j);
        }
      });
    });
  const submit = async (type: string, input: object = {}, extra: object = {}) =>
    (await service.create(T, { type, input: input as Record<string, unknown>, ...extra })).job;
  /** A service with a feed of its own, as another process would have: no change made through `service` reaches it. */
  const isolatedService = () =>
    new JobService({
      store,
      feed: new LocalFeed(),
      registry,
      artifacts,
      simulateErrorRate: 0,
      defaultMaxAttempts: settings.maxAttempts,
    });
  return { dir, store, registry, artifacts, service, pool, until, submit, isolatedService };
}

/** `n` jobs of type `quick`, each submitted once the one before has completed; the queue they ran in. */
async function oneAtATime(
  submit: (type: string) => Promise<StoredJob>,
  until: (id: string) => Promise<StoredJob>,
  n: number,
): Promise<string> {
  let queue = '';
  for (let i = 0; i < n; i++) {
    const job = await submit('quick');
    queue = job.queue;
    expect((await until(job.id)).status).toBe('completed');
  }
  return queue;
}

function processor(type: string, run: Processor['run'], extra: Partial<Processor> = {}): Processor {
  return { type, description: type, inputSchema: { type: 'object' }, run, ...extra };
}

describe('worker pool', () => {
  it('retries a retryable failure with back-off, then succeeds', async () => {
    let calls = 0;
    const { pool, submit, until } = await setup(
      processor('flaky', async () => {
        calls += 1;
        if (calls < 3) throw new JobFailure('processor_error', `try ${calls} failed`);
        return { calls };
      }),
    );
    await pool().start();
    const job = await until((await submit('flaky')).id);
    expect(job).toMatchObject({ status: 'completed', attempt: 3, output: { calls: 3 } });
    expect(job.logs.filter((l) => /retrying in/.test(l))).toHaveLength(2);
  });

  it('writes an outcome again while the store cannot be reached, never turning it into a failure', async () => {
    const { store, pool, submit, until } = await setup(processor('fine', async () => ({ done: true })));
    const finish = store.finish.bind(store);
    let refused = 0;
    store.finish = async (...args) => {
      if (refused < 2) {
        refused += 1;
        throw new StoreUnavailableError('PostgreSQL cannot be reached: connect ECONNREFUSED');
      }
      return finish(...args);
    };
    await pool().start();
    const job = await until((await submit('fine')).id);
    expect(refused).toBe(2);
    expect(job).toMatchObject({ status: 'completed', attempt: 1, output: { done: true } });
    expect(job.logs.filter((l) => /^attempt \d+ (completed|failed)/.test(l))).toEqual([
      'attempt 1 completed',
    ]);
  });

  it('fails for good after max_attempts with the last error', async () => {
    const { pool, submit, until } = await setup(
      processor('broken', async () => {
        throw new Error('always');
      }),
    );
    await pool().start();
    const job = await until((await submit('broken', {}, { max_attempts: 2 })).id);
    expect(job).toMatchObject({
      status: 'failed',
      attempt: 2,
      error: { code: 'processor_error', message: 'always' },
    });
  });

  it('does not retry an UnrecoverableError, and normalises thrown non-errors', async () => {
    const { pool, submit, until } = await setup(
      processor('final', async () => {
        throw new UnrecoverableError('invalid_image', 'not an image');
      }),
      processor('weird', async () => {
        throw { some: 'object' };
      }),
    );
    await pool().start();
    expect(await until((await submit('final')).id)).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { code: 'invalid_image', message: 'not an image' },
    });
    const weird = await until((await submit('weird', {}, { max_attempts: 1 })).id);
    expect(weird.error).toEqual({
      code: 'processor_error',
      message: 'A non-error was thrown: {"some":"object"}',
    });
  });

  it('stops an attempt at its timeout, even when the processor ignores its signal', async () => {
    const { pool, submit, until } = await setup(
      processor('stuck', () => new Promise(() => {}), { timeoutMs: () => 100 }),
    );
    await pool().start();
    const job = await until((await submit('stuck', {}, { max_attempts: 2 })).id);
    expect(job).toMatchObject({ status: 'failed', attempt: 2, error: { code: 'job_timeout' } });
  });

  it('writes nothing a processor reports after its attempt ended, though it had reported nothing before', async () => {
    let late: (() => void) | undefined;
    const { pool, submit, until, service } = await setup(
      processor(
        'late',
        (ctx) =>
          new Promise(() => {
            late = () => {
              ctx.progress(50);
              ctx.log('too late');
            };
          }),
        { timeoutMs: () => 100 },
      ),
    );
    await pool().start();
    const job = await until((await submit('late', {}, { max_attempts: 1 })).id);
    expect(job).toMatchObject({ status: 'failed', error: { code: 'job_timeout' } });
    const report = vi.spyOn(service, 'report');
    late!();
    await new Promise((r) => setTimeout(r, 300));
    expect(report).not.toHaveBeenCalled();
    expect((await service.get(T, job.id)).version).toBe(job.version);
  });

  it("caps a type's own timeout estimate at the pool's job timeout (--job-timeout)", async () => {
    // The type asks for an hour per attempt; the operator allows 100 ms.
    const { pool, submit, until } = await setup(
      processor('estimates-long', () => new Promise(() => {}), { timeoutMs: () => 3_600_000 }),
    );
    await pool({ jobTimeoutMs: 100 }).start();
    const job = await until((await submit('estimates-long', {}, { max_attempts: 1 })).id);
    expect(job).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'job_timeout' } });
  });

  it('hands a processor a context it can pass on as a copy ({ ...ctx, input }), job and signal included', async () => {
    let copy: Record<string, unknown> = {};
    const { pool, submit, until } = await setup(
      processor('wrapped', async (ctx) => {
        copy = { ...ctx, input: { wrapped: true } };
        return {};
      }),
    );
    await pool().start();
    const job = await submit('wrapped');
    expect((await until(job.id)).status).toBe('completed');
    expect((copy.job as StoredJob).id).toBe(job.id);
    expect(copy.signal).toBeInstanceOf(AbortSignal);
    expect(typeof copy.progress).toBe('function');
  });

  it('fires the AbortSignal when a running job is canceled', async () => {
    let reason: unknown;
    const { pool, submit, until, service } = await setup(
      processor('long', (ctx) => {
        ctx.progress(1);
        return new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason;
            reject(ctx.signal.reason);
          });
        });
      }),
    );
    const p = pool();
    await p.start();
    const job = await submit('long');
    await until(job.id, (j) => j.progress === 1);
    await service.cancel(T, job.id);
    await new Promise((r) => setTimeout(r, 50));
    expect(reason).toBeInstanceOf(JobStopped);
    expect((reason as JobStopped).reason).toBe('canceled');
    expect(p.active).toBe(0);
    expect((await service.get(T, job.id)).status).toBe('canceled');
  });

  it('on stop, lets short jobs finish and puts long ones back in the queue without spending an attempt', async () => {
    const { pool, submit, until, service } = await setup(
      processor('short', async () => {
        await new Promise((r) => setTimeout(r, 100));
        return { ok: true };
      }),
      processor(
        'endless',
        (ctx) =>
          new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
      ),
    );
    const p = pool({ concurrency: 2 });
    await p.start();
    const short = await submit('short');
    const endless = await submit('endless');
    await until(endless.id, (j) => j.status === 'running');
    await until(short.id, (j) => j.status === 'running');
    await p.stop({ graceMs: 400 });
    expect((await service.get(T, short.id)).status).toBe('completed');
    expect(await service.get(T, endless.id)).toMatchObject({ status: 'queued', attempt: 0 });
  });

  it('refuses the result of a worker that lost its lease; the job is finished by another', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let first = true;
    const { pool, submit, until, service } = await setup(
      processor('slow', async () => {
        if (first) {
          first = false;
          await gate; // ignores its signal, like a worker whose event loop was blocked
          return { by: 'stale' };
        }
        return { by: 'fresh' };
      }),
    );
    const a = pool({ concurrency: 1 });
    await a.start();
    const job = await submit('slow');
    await until(job.id, (j) => j.status === 'running');
    // Pretend A's process is gone: its lease is taken back and the job queued again.
    await service.recover({ owners: [a.owner] });
    const b = pool({ concurrency: 1 });
    await b.start();
    const done = await until(job.id);
    release();
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toMatchObject({ status: 'completed', output: { by: 'fresh' }, attempt: 2 });
    expect((await service.get(T, job.id)).output).toEqual({ by: 'fresh' });
  });

  it('renews every running lease with one write per beat, and stops a job whose lease was taken unseen', async () => {
    const stopped: string[] = [];
    const { pool, submit, until, store, isolatedService } = await setup(
      processor('hold', async ({ signal }) => {
        await new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            stopped.push(String((signal.reason as JobStopped).reason));
            resolve();
          });
        });
        return {};
      }),
    );
    const many = store.heartbeatMany.bind(store);
    const beats: number[] = [];
    store.heartbeatMany = async (tokens, leaseMs, now) => {
      beats.push(tokens.length);
      return many(tokens, leaseMs, now);
    };
    // The pool's changes are published on a feed of its own, so the job's lease is
    // taken back with no word to it: only its heartbeat can find out.
    const isolated = isolatedService();
    const p = pool({ service: isolated, concurrency: 3, heartbeatMs: 40 });
    await p.start();
    const jobs = [await submit('hold'), await submit('hold'), await submit('hold')];
    for (const job of jobs) {
      while ((await store.get(T, job.id))?.status !== 'running') await new Promise((r) => setTimeout(r, 10));
    }
    while (!beats.some((n) => n === 3)) await new Promise((r) => setTimeout(r, 10));
    expect(beats.every((n) => n <= 3)).toBe(true);
    await store.cancel(T, jobs[0]!.id);
    while (stopped.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(stopped).toEqual(['lease_lost']);
    expect((await until(jobs[0]!.id)).status).toBe('canceled');
    expect((await store.get(T, jobs[1]!.id))?.status).toBe('running');
  });

  it('the fence refuses the outcome of a worker that heard nothing of losing its lease, and it says so', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { pool, submit, until, service, store, isolatedService } = await setup(
      processor('stale', async ({ job }) => {
        if (job.attempt === 1) await gate; // a process stopped past its lease (SIGSTOP, a blocked event loop)
        return { attempt: job.attempt };
      }),
    );
    // A is in another process in effect: its own service and feed, so no change made by B reaches it.
    const isolated = isolatedService();
    const warnings: string[] = [];
    const a = pool({
      service: isolated,
      concurrency: 1,
      heartbeatMs: 60_000,
      logger: { info() {}, warn: (_o, msg) => warnings.push(msg ?? ''), error() {} },
    });
    await a.start();
    const job = await submit('stale');
    // A's claim is published on its own feed only: look in the store.
    while ((await store.get(T, job.id))?.status !== 'running') await new Promise((r) => setTimeout(r, 10));
    await service.recover({ owners: [a.owner] });
    const b = pool({ concurrency: 1 });
    await b.start();
    expect(await until(job.id)).toMatchObject({ status: 'completed', output: { attempt: 2 } });
    release();
    await a.stop({ graceMs: 5_000 });
    expect(
      warnings.filter((w) => /outcome of an attempt that lost its lease was refused/.test(w)),
    ).toHaveLength(1);
    expect(await service.get(T, job.id)).toMatchObject({
      status: 'completed',
      output: { attempt: 2 },
      attempt: 2,
    });
  });

  it('coalesces progress: a processor reporting constantly makes about ten writes a second', async () => {
    const { pool, submit, until } = await setup(
      processor('chatty', async (ctx) => {
        const end = Date.now() + 500;
        let i = 0;
        while (Date.now() < end) {
          i += 1;
          ctx.progress(Math.min(99, i));
          await new Promise((r) => setImmediate(r));
        }
        return {};
      }),
    );
    await pool().start();
    const job = await until((await submit('chatty')).id);
    // claim + at most ~6 coalesced writes in 500 ms + finish; each bumps the version once.
    expect(job.version).toBeLessThanOrEqual(1 + 1 + 8 + 1);
    expect(job.status).toBe('completed');
  });

  it('never runs more jobs at once than its concurrency', async () => {
    let running = 0;
    let peak = 0;
    const { pool, submit, until } = await setup(
      processor('count', async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        running -= 1;
        return {};
      }),
    );
    await pool({ concurrency: 3 }).start();
    const jobs = await Promise.all(Array.from({ length: 15 }, () => submit('count')));
    await Promise.all(jobs.map((j) => until(j.id)));
    expect(peak).toBe(3);
  });

  it('starts the next waiting job while an outcome is written, holding back once three times as many outcomes wait as it has slots', async () => {
    let started = 0;
    const { store, pool, submit, until } = await setup(
      processor('quick', async () => {
        started += 1;
        return {};
      }),
    );
    // Outcomes are held unwritten until the test lets them go.
    const finish = store.finish.bind(store);
    const held: (() => void)[] = [];
    store.finish = (...args) =>
      new Promise<void>((r) => held.push(r)).then(() => finish(...args)) as ReturnType<typeof finish>;
    const jobs = await Promise.all(Array.from({ length: 10 }, () => submit('quick')));
    await pool({ concurrency: 2 }).start();
    // Two slots: two processors, then two more at a time while the outcomes are written, then
    // no more while six outcomes wait (and the last two processors, done, make eight).
    await vi.waitFor(() => expect(held).toHaveLength(8));
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toBe(8);
    expect(held).toHaveLength(8);
    // Each outcome written lets one more job start.
    held.shift()!();
    await vi.waitFor(() => expect(started).toBe(9));
    await vi.waitFor(() => expect(held).toHaveLength(8));
    store.finish = finish;
    for (const release of held.splice(0)) release();
    for (const job of await Promise.all(jobs.map((j) => until(j.id)))) expect(job.status).toBe('completed');
  });

  it('gives the room of outcomes written together to one claim, not a claim of one and the rest after it', async () => {
    const { store, pool, submit, until } = await setup(processor('quick', async () => ({})));
    const finish = store.finish.bind(store);
    const held: (() => void)[] = [];
    store.finish = (...args) =>
      new Promise<void>((r) => held.push(r)).then(() => finish(...args)) as ReturnType<typeof finish>;
    const claim = vi.spyOn(store, 'claim');
    const jobs = await Promise.all(Array.from({ length: 16 }, () => submit('quick')));
    const { queue } = jobs[0]!;
    const limits = () =>
      claim.mock.calls.filter(([options]) => options.queue === queue).map(([o]) => o.limit);
    await pool({ concurrency: 2, idlePollMs: 60_000 }).start();
    // Two slots, and room for three times as many outcomes: eight jobs done, their outcomes unwritten.
    await vi.waitFor(() => expect(held).toHaveLength(8));
    const before = limits().length;
    // The eight outcomes go to the store at once and are written in one commit.
    store.finish = finish;
    for (const release of held.splice(0)) release();
    for (const job of await Promise.all(jobs.map((j) => until(j.id)))) expect(job.status).toBe('completed');
    // A claim on the first outcome written would take one job (1, 1, 2, …), and go on so.
    expect(limits().slice(before, before + 2)).toEqual([2, 2]);
  });

  it('claims once a job when jobs come one at a time: a finish on an empty queue claims nothing', async () => {
    const { store, pool, submit, until } = await setup(processor('quick', async () => ({})));
    const claim = vi.spyOn(store, 'claim');
    // No idle look in the test's time: every claim is one a start, a job or a finish asked for.
    await pool({ concurrency: 2, idlePollMs: 60_000 }).start();
    const queue = await oneAtATime(submit, until, 5);
    // The start's claim, then one per job; a claim after each finish would double it.
    expect(claim.mock.calls.filter(([options]) => options.queue === queue)).toHaveLength(6);
  });

  it("asks the queue's next due time once while jobs come due at once, and again when one is scheduled later", async () => {
    const { store, pool, submit, until } = await setup(processor('quick', async () => ({})));
    const nextRunAt = vi.spyOn(store, 'nextRunAt');
    await pool({ concurrency: 2, idlePollMs: 60_000 }).start();
    const queue = await oneAtATime(submit, until, 5);
    const asks = () => nextRunAt.mock.calls.filter(([q]) => q === queue).length;
    // The start's look, and none after each claim: nothing queued since could be due sooner.
    expect(asks()).toBe(1);
    // A job due later moves the due time: it is asked again, and the job starts when due,
    // though the idle look is a minute away.
    const later = await submit('quick', {}, { run_in_seconds: 0.3 });
    await vi.waitFor(() => expect(asks()).toBe(2));
    const done = await until(later.id);
    expect(done.status).toBe('completed');
    expect(Date.parse(done.started_at!)).toBeGreaterThanOrEqual(Date.parse(later.run_at!));
    expect(Date.parse(done.started_at!) - Date.parse(later.run_at!)).toBeLessThan(1000);
  });

  it('replaces the jobs of a claim that end together with one claim of as many', async () => {
    const { store, pool, submit, until } = await setup(processor('quick', async () => ({})));
    const claim = vi.spyOn(store, 'claim');
    const jobs = await Promise.all(Array.from({ length: 12 }, () => submit('quick')));
    const { queue } = jobs[0]!;
    await pool({ concurrency: 4, idlePollMs: 60_000 }).start();
    for (const job of await Promise.all(jobs.map((j) => until(j.id)))) expect(job.status).toBe('completed');
    // A claim on the first slot to free would take one job, and the rest after it: 1, 3, 1, 3, …
    const limits = claim.mock.calls.filter(([options]) => options.queue === queue).map(([o]) => o.limit);
    expect(limits).toEqual([4, 4, 4, 4]);
  });

  it('a job queued while every slot is taken starts as soon as one frees', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { pool, submit, until } = await setup(
      processor('held', async () => {
        await gate;
        return {};
      }),
      processor('quick', async () => ({})),
    );
    await pool({ concurrency: 1, idlePollMs: 60_000 }).start();
    const first = await submit('held');
    await until(first.id, (j) => j.status === 'running');
    const second = await submit('quick');
    // One queue, one slot: the second waits for the first.
    expect(second.queue).toBe(first.queue);
    release();
    // Found by the slot the first job frees, not by an idle look a minute later.
    expect((await until(second.id)).status).toBe('completed');
  });

  it('gives each attempt a scratch folder and removes it afterwards', async () => {
    let dir = '';
    const { pool, submit, until } = await setup(
      processor('scratch', async (ctx) => {
        dir = await ctx.tempDir();
        return {};
      }),
    );
    await pool().start();
    await until((await submit('scratch')).id);
    const { existsSync } = await import('node:fs');
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
  });

  it('requeues at once the jobs of a dead process on this host', async () => {
    const { store, service, submit } = await setup();
    const job = await submit('simulate', { duration_seconds: 1 });
    // A lease owner whose pid cannot exist: the process is gone, no need to wait for its lease to end.
    const dead = `${hostname()}:2147483646:deadbeef`;
    await store.claim({ queue: 'simulate', owner: dead, leaseMs: settings.leaseMs, limit: 1 });
    const m = new Maintenance({
      service,
      intervalMs: settings.maintenanceIntervalMs,
      node: settings.nodeName,
      retentionMs: 0,
    });
    expect(await m.runOnce()).toEqual({ recovered: 1, purged: 0, expiredFiles: 0 });
    expect(await service.get(T, job.id)).toMatchObject({ status: 'queued', attempt: 1 });
  });

  it('deletes terminal jobs past retention, with their artifacts', async () => {
    const { service, store, submit, pool, until, dir } = await setup();
    await pool().start();
    const job = await until((await submit('simulate', { duration_seconds: 0 })).id);
    const m = new Maintenance({
      service,
      intervalMs: settings.maintenanceIntervalMs,
      node: settings.nodeName,
      retentionMs: 1,
    });
    await new Promise((r) => setTimeout(r, 5));
    const { mkdirSync, existsSync } = await import('node:fs');
    mkdirSync(join(dir, 'artifacts', T, job.id), { recursive: true });
    expect((await m.runOnce()).purged).toBe(1);
    expect(await store.get(T, job.id)).toBeNull();
    expect(existsSync(join(dir, 'artifacts', T, job.id))).toBe(false);
  });
});

describe('retry back-off', () => {
  it('doubles from the base up to the cap, with jitter between half and all of it', () => {
    const retry = { baseMs: 1000, maxMs: 60_000 };
    expect(backoff(0, { ...retry, random: () => 0 })).toBe(500);
    expect(backoff(0, { ...retry, random: () => 1 })).toBe(1000);
    expect(backoff(2, { ...retry, random: () => 1 })).toBe(4000);
    expect(backoff(19, { ...retry, random: () => 1 })).toBe(60_000);
  });
});
