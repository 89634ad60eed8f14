import { expect } from 'vitest';
import { call } from './app.js';

/**
 * POSTs `body` 20 times at once under one Idempotency-Key, to each of `urls`
 * in turn, and expects one job: one 202 that made it and 19 answers of 200
 * with that same job.
 */
export async function expectOneJobFromConcurrentPosts(
  urls: readonly string[],
  body: unknown,
  key: string,
): Promise<void> {
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      call(urls[i % urls.length]!, 'POST', '/v1/jobs', { body, headers: { 'idempotency-key': key } }),
    ),
  );
  expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
  expect(results.filter((r) => r.status === 202)).toHaveLength(1);
  expect(results.filter((r) => r.status === 200)).toHaveLength(19);
}
