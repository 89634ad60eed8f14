import { describe, expect, it } from 'vitest';
import { JobCache } from '../../src/jobs/cache.js';
import type { StoredJob } from '../../src/jobs/model.js';

const job = (version: number, status: StoredJob['status'] = 'running') =>
  ({ tenant: 't', id: 'j', version, status }) as StoredJob;

describe('JobCache', () => {
  it('keeps the newest version: a slow read cannot undo a newer write', () => {
    const cache = new JobCache();
    cache.put(job(3));
    cache.put(job(2));
    expect(cache.get('t', 'j')?.version).toBe(3);
    cache.put(job(4, 'completed'));
    expect(cache.get('t', 'j')?.version).toBe(4);
  });

  it('never keeps a queued job, whose queue position moves on its own', () => {
    const cache = new JobCache();
    cache.put(job(1, 'running'));
    cache.put(job(2, 'queued'));
    expect(cache.get('t', 'j')).toBeUndefined();
  });

  it('forgets deleted jobs and the least recently written beyond its size', () => {
    const cache = new JobCache(2);
    cache.put({ ...job(1), id: 'a' });
    cache.put({ ...job(1), id: 'b' });
    cache.put({ ...job(1), id: 'c' });
    expect(cache.get('t', 'a')).toBeUndefined();
    expect(cache.get('t', 'c')).toBeDefined();
    cache.delete('t', 'c');
    expect(cache.get('t', 'c')).toBeUndefined();
  });
});
