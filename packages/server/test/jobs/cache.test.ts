import { describe, expect, it } from 'vitest';
import { ByteBoundedMap } from '../../src/internal/byte-bounded-map.js';
import { cachedJobBytes, JobCache } from '../../src/jobs/cache.js';
import type { StoredJob } from '../../src/jobs/model.js';

const job = (version: number, status: StoredJob['status'] = 'running', json_bytes = 100) =>
  ({ tenant: 't', id: 'j', version, status, json_bytes }) as StoredJob;

describe('JobCache', () => {
  /** `job` kept as a read of the store, with nothing heard meanwhile, would keep it. */
  const read = (cache: JobCache, j: StoredJob) => cache.fill(j, cache.epoch);

  it('keeps a job once it is read, then follows its changes', () => {
    const cache = new JobCache();
    cache.changed(job(2));
    expect(cache.get('t', 'j')).toBeUndefined();
    read(cache, job(2));
    expect(cache.get('t', 'j')?.version).toBe(2);
    cache.changed(job(3, 'completed'));
    expect(cache.get('t', 'j')?.version).toBe(3);
    expect(cache.get('t', 'j')?.status).toBe('completed');
  });

  it('keeps the newest version: a slow read cannot undo a newer write', () => {
    const cache = new JobCache();
    read(cache, job(3));
    read(cache, job(2));
    cache.changed(job(2));
    expect(cache.get('t', 'j')?.version).toBe(3);
    cache.changed(job(4, 'completed'));
    expect(cache.get('t', 'j')?.version).toBe(4);
  });

  it('does not keep a read begun before a change or a deletion it may have missed', () => {
    const cache = new JobCache();
    let epoch = cache.epoch;
    cache.changed(job(2));
    cache.fill(job(1), epoch);
    expect(cache.get('t', 'j')).toBeUndefined();
    epoch = cache.epoch;
    cache.delete('t', 'j');
    cache.fill(job(2), epoch);
    expect(cache.get('t', 'j')).toBeUndefined();
    cache.fill(job(2), cache.epoch);
    expect(cache.get('t', 'j')?.version).toBe(2);
  });

  it('never keeps a queued job, whose queue position moves on its own', () => {
    const cache = new JobCache();
    read(cache, job(1, 'queued'));
    expect(cache.get('t', 'j')).toBeUndefined();
    read(cache, job(1, 'running'));
    cache.changed(job(2, 'queued'));
    expect(cache.get('t', 'j')).toBeUndefined();
  });

  it('forgets deleted jobs and the least recently written beyond its byte budget', () => {
    const cache = new JobCache({ maxBytes: 2 * cachedJobBytes(job(1)), maxJobBytes: 1e6 });
    read(cache, { ...job(1), id: 'a' });
    read(cache, { ...job(1), id: 'b' });
    read(cache, { ...job(1), id: 'c' });
    expect(cache.get('t', 'a')).toBeUndefined();
    expect(cache.get('t', 'c')).toBeDefined();
    cache.delete('t', 'c');
    expect(cache.get('t', 'c')).toBeUndefined();
    expect(cache.bytes).toBe(cachedJobBytes(job(1)));
  });

  it('holds no more than its budget however large the jobs: 1,000 jobs of 1 MiB fit in 64 MiB', () => {
    const maxBytes = 64 * 1024 * 1024;
    const cache = new JobCache({ maxBytes, maxJobBytes: maxBytes / 8 });
    for (let i = 0; i < 1000; i++) read(cache, { ...job(1, 'canceled', 1024 * 1024), id: `j${i}` });
    expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
    expect(cache.get('t', 'j999')).toBeDefined();
    expect(cache.get('t', 'j0')).toBeUndefined();
  });

  it('does not keep a job over its share of the budget, nor an older snapshot of it', () => {
    const cache = new JobCache({ maxBytes: 64 * 1024 * 1024 });
    read(cache, job(1, 'running', 1000));
    expect(cache.get('t', 'j')?.version).toBe(1);
    // The job grows past 1 MiB (a large output): its reads go to the store, never to the stale version.
    cache.changed(job(2, 'completed', 600 * 1024));
    expect(cache.get('t', 'j')).toBeUndefined();
    expect(cache.bytes).toBe(0);
    for (let i = 0; i < 100; i++) read(cache, { ...job(1, 'canceled', 1024 * 1024), id: `big${i}` });
    expect(cache.bytes).toBe(0);
  });
});

describe('ByteBoundedMap', () => {
  it('keeps the newest entries within the budget and refuses one over the entry limit', () => {
    const map = new ByteBoundedMap<string, number>({ maxBytes: 100, maxEntryBytes: 40 });
    expect(map.set('a', 1, 30)).toBe(true);
    expect(map.set('b', 2, 30)).toBe(true);
    expect(map.set('c', 3, 30)).toBe(true);
    expect(map.set('d', 4, 30)).toBe(true);
    expect(map.get('a')).toBeUndefined();
    expect(map.size).toBe(3);
    expect(map.bytes).toBe(90);
    // Rewriting a key makes it the newest, at its new cost.
    expect(map.set('b', 5, 10)).toBe(true);
    expect(map.bytes).toBe(70);
    expect(map.set('e', 6, 40)).toBe(true);
    expect(map.get('c')).toBeUndefined();
    expect(map.get('b')).toBe(5);
    expect(map.set('d', 7, 41)).toBe(false);
    expect(map.get('d')).toBeUndefined();
    expect(map.bytes).toBe(50);
  });

  it('gives up the oldest left after deletes from either end and the middle', () => {
    const map = new ByteBoundedMap<string, number>({ maxBytes: 40 });
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) map.set(key, i, 10);
    map.delete('b');
    map.delete('a');
    map.delete('d');
    map.set('e', 4, 10);
    map.set('f', 5, 10);
    map.set('g', 6, 10);
    // c, e, f, g: 40 bytes, nothing given up yet.
    expect([map.get('c'), map.size, map.bytes]).toEqual([2, 4, 40]);
    map.set('h', 7, 20);
    expect(['c', 'e', 'f', 'g', 'h'].map((key) => map.get(key))).toEqual([undefined, undefined, 5, 6, 7]);
    map.delete('h');
    map.delete('f');
    map.delete('g');
    expect([map.size, map.bytes]).toEqual([0, 0]);
    map.set('i', 8, 40);
    expect(map.get('i')).toBe(8);
  });
});
