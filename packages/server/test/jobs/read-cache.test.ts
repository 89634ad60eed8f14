import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DiskArtifactStorage } from '../../src/artifacts/storage.js';
import { defaultConfig } from '../../src/config.js';
import { LocalFeed } from '../../src/feed/local-feed.js';
import { JobService } from '../../src/jobs/service.js';
import { defaultRegistry } from '../../src/processors/index.js';
import { SqliteJobStore } from '../../src/store/sqlite/store.js';
import { tempDir } from '../helpers/app.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';

useCleanup();

const T = 'default';

async function setup() {
  const dir = tempDir();
  const store = new SqliteJobStore({ filename: join(dir, 'db.sqlite'), synchronous: 'normal' });
  await store.migrate();
  afterThisTest(() => store.close());
  const service = new JobService({
    store,
    feed: new LocalFeed(),
    registry: defaultRegistry(),
    artifacts: new DiskArtifactStorage(join(dir, 'artifacts')),
    simulateErrorRate: 0,
    defaultMaxAttempts: defaultConfig().maxAttempts,
    readCache: true,
  });
  const reads = vi.spyOn(store, 'get');
  /** Create a job and start it: running, as a worker would leave it. */
  const running = async () => {
    const { job } = await service.create(T, { type: 'simulate', input: { duration_seconds: 60 } });
    const [lease] = await service.claim({ owner: 'test', leaseMs: 60_000, queue: job.queue, limit: 1 });
    return lease!;
  };
  return { service, reads, running };
}

describe('the read cache of a single-process store', () => {
  it('serves a job read once from memory, with every change made to it since', async () => {
    const { service, reads, running } = await setup();
    const { job, token } = await running();
    expect((await service.get(T, job.id)).status).toBe('running');
    expect(reads).toHaveBeenCalledTimes(1);
    expect((await service.get(T, job.id)).status).toBe('running');
    await service.finish(token, 'completed', { output: { done: true } });
    const finished = await service.get(T, job.id);
    expect(finished).toMatchObject({ status: 'completed', output: { done: true } });
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('keeps no job that no one has read: its first read goes to the store and gives its last change', async () => {
    const { service, reads, running } = await setup();
    const { job, token } = await running();
    await service.finish(token, 'completed', { output: { n: 1 } });
    expect(reads).not.toHaveBeenCalled();
    expect(await service.get(T, job.id)).toMatchObject({ status: 'completed', output: { n: 1 } });
    expect(reads).toHaveBeenCalledTimes(1);
    await service.get(T, job.id);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('does not keep a read that a change overtook, nor serve a deleted job', async () => {
    const { service, reads, running } = await setup();
    const { job, token } = await running();
    // The read is answered by the store before the finish, and heard of after it: it may be stale.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    reads.mockImplementationOnce(async function (this: SqliteJobStore, tenant, id) {
      const row = await SqliteJobStore.prototype.get.call(this, tenant, id);
      await gate;
      return row;
    });
    const slow = service.get(T, job.id);
    await service.finish(token, 'completed', { output: {} });
    release();
    expect((await slow).status).toBe('running');
    expect((await service.get(T, job.id)).status).toBe('completed');
    expect(reads).toHaveBeenCalledTimes(2);
    await service.delete(T, job.id);
    await expect(service.get(T, job.id)).rejects.toMatchObject({ code: 'job_not_found' });
  });
});
