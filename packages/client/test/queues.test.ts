import { type LongrunServer, startServer } from '@longrun/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { afterThisFile, afterThisTest, useCleanup } from '../../server/test/helpers/cleanup.js';
import {
  Longrun,
  NotFoundError,
  PermissionDeniedError,
  type Queue,
  UnprocessableEntityError,
} from '../src/index.js';

/** `client.queues` and the queue fields of `jobs.create` against server processes (port 0). */

useCleanup();

const OPERATOR_KEY = 'queues-operator-key';
const TENANT_KEY = 'queues-tenant-key';

let open: LongrunServer;
let client: Longrun;
/** The queue simulate jobs run in by default. */
let simulate: Queue;

beforeAll(async () => {
  open = await startServer(['--simulate-error-rate', '0']);
  afterThisFile(() => open.close());
  client = new Longrun({ baseUrl: open.url });
  simulate = (await client.queues.list()).find((q) => q.types.includes('simulate'))!;
  expect(simulate).toBeDefined();
}, 60_000);

const served = async (path: string) => (await fetch(`${open.url}${path}`)).json();

describe('client.queues against a server', () => {
  it('lists the queues the server lists, sorted by name, with their counts', async () => {
    const queues = await client.queues.list();
    expect(queues).toEqual((await served('/v1/queues')).data);
    const names = queues.map((q) => q.name);
    expect(names).toEqual([...names].sort());
    for (const q of queues) {
      expect(q.kind === 'cpu' || q.kind === 'waiting').toBe(true);
      expect(q.scope).toBe('all');
      for (const n of [q.queued, q.scheduled, q.running, q.finished_last_minute, q.concurrency])
        expect(Number.isInteger(n)).toBe(true);
    }
  });

  it('gets one queue, and an unknown name is a NotFoundError with queue_not_found', async () => {
    expect(await client.queues.get(simulate.name)).toMatchObject({
      name: simulate.name,
      types: simulate.types,
    });
    const missing = await client.queues.get('no-such-queue').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 'queue_not_found' });
    await expect(client.queues.pause('no-such-queue')).rejects.toMatchObject({ code: 'queue_not_found' });
  });

  it('pauses a queue, whose new jobs then wait, and resumes it, which runs them', async () => {
    afterThisTest(() => client.queues.resume(simulate.name));
    const paused = await client.queues.pause(simulate.name);
    expect(paused).toMatchObject({ name: simulate.name, paused: true });
    expect(await client.queues.get(simulate.name)).toMatchObject({ paused: true });
    // Pausing a paused queue leaves it paused.
    expect(await client.queues.pause(simulate.name)).toMatchObject({ paused: true });

    const job = await client.jobs.create({
      type: 'simulate',
      input: { duration_seconds: 0.2, error_rate: 0 },
    });
    expect(job).toMatchObject({ status: 'queued', queue: simulate.name });
    expect((await client.queues.get(simulate.name)).queued).toBeGreaterThanOrEqual(1);

    const resumed = await client.queues.resume(simulate.name);
    expect(resumed).toMatchObject({ name: simulate.name, paused: false });
    expect(await client.queues.get(simulate.name)).toMatchObject({ paused: false });
    expect(await client.jobs.wait(job, { timeoutMs: 30_000 })).toMatchObject({ status: 'completed' });
  });
});

describe('jobs.create with a queue, a priority and a time to run', () => {
  it('sends queue and priority, and a Date as run_at in ISO 8601; the job waits as scheduled', async () => {
    const runAt = new Date(Date.now() + 3_600_000);
    const job = await client.jobs.create({
      type: 'simulate',
      input: { duration_seconds: 0.1 },
      queue: simulate.name,
      priority: 7,
      run_at: runAt,
    });
    expect(job).toMatchObject({ status: 'queued', queue: simulate.name, priority: 7 });
    expect(Date.parse(job.run_at!)).toBe(runAt.getTime());
    expect((await client.queues.get(simulate.name)).scheduled).toBeGreaterThanOrEqual(1);
    await client.jobs.cancel(job.id);
  });

  it('takes run_at as a string and run_in_seconds as a delay from now', async () => {
    const at = new Date(Date.now() + 7_200_000).toISOString();
    const byString = await client.jobs.create({ type: 'simulate', run_at: at });
    expect(Date.parse(byString.run_at!)).toBe(Date.parse(at));
    const before = Date.now();
    const byDelay = await client.jobs.create({ type: 'simulate', run_in_seconds: 600 });
    expect(byDelay.status).toBe('queued');
    expect(Date.parse(byDelay.run_at!)).toBeGreaterThanOrEqual(before + 600_000 - 1000);
    expect(byDelay.priority).toBe(0);
    await Promise.all([client.jobs.cancel(byString.id), client.jobs.cancel(byDelay.id)]);
  });

  it('run() passes the queue fields on', async () => {
    const job = await client.run(
      'simulate',
      { duration_seconds: 0.1, error_rate: 0 },
      { queue: simulate.name, priority: -3, timeoutMs: 30_000 },
    );
    expect(job).toMatchObject({ status: 'completed', queue: simulate.name, priority: -3, run_at: null });
  });

  it('turns the 422s into UnprocessableEntityError with their codes', async () => {
    const refused = async (fields: Record<string, unknown>) => {
      const err = await client.jobs.create({ type: 'simulate', ...fields }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnprocessableEntityError);
      return (err as UnprocessableEntityError).code;
    };
    expect(await refused({ queue: 'no-such-queue' })).toBe('unknown_queue');
    expect(await refused({ priority: 101 })).toBe('invalid_priority');
    expect(await refused({ run_at: 'next tuesday' })).toBe('invalid_run_at');
    // An invalid Date reaches the server as it prints, and is refused there like any bad time.
    expect(await refused({ run_at: new Date(Number.NaN) })).toBe('invalid_run_at');
  });

  it('refuses a queue of another kind than the type runs in (queue_not_allowed)', async () => {
    const other = (await client.queues.list()).find((q) => q.kind !== simulate.kind);
    if (!other) return; // every queue is of one kind on this server: nothing to refuse
    const err = await client.jobs.create({ type: 'simulate', queue: other.name }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnprocessableEntityError);
    expect(err).toMatchObject({ status: 422, code: 'queue_not_allowed' });
  });
});

describe('client.queues on a server with keys', () => {
  it("lets only an operator's key pause and resume; a tenant's key is a PermissionDeniedError", async () => {
    const keyed = await startServer([
      '--api-keys',
      `${TENANT_KEY}:team`,
      '--operator-keys',
      `${OPERATOR_KEY}:ops`,
    ]);
    afterThisTest(() => keyed.close());
    const tenant = new Longrun({ baseUrl: keyed.url, apiKey: TENANT_KEY });
    const operator = new Longrun({ baseUrl: keyed.url, apiKey: OPERATOR_KEY });
    const [name] = (await operator.queues.list()).map((q) => q.name);
    const denied = await tenant.queues.pause(name!).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect(denied).toMatchObject({ status: 403, code: 'forbidden' });
    await expect(tenant.queues.resume(name!)).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(await operator.queues.get(name!)).toMatchObject({ paused: false });

    afterThisTest(() => operator.queues.resume(name!));
    expect(await operator.queues.pause(name!)).toMatchObject({ paused: true });
    expect(await operator.queues.resume(name!)).toMatchObject({ paused: false });
    // A tenant reads the queues with its own counts.
    for (const q of await tenant.queues.list()) expect(q.scope).toBe('tenant');
    for (const q of await operator.queues.list()) expect(q.scope).toBe('all');
  });
});
