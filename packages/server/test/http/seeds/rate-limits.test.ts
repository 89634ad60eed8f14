import { describe, expect, it } from 'vitest';
import { call, startApp } from '../../helpers/app.js';
import { useCleanup } from '../../helpers/cleanup.js';

useCleanup();

describe('the seed APIs and the rate limits', () => {
  it('draw on the create budget to make jobs and on the read budget for the rest, answering 429 as {"error"}', async () => {
    const { url } = await startApp({
      argv: [
        ...['--role', 'api', '--api-keys', 'seed-key-1234:t'],
        ...['--rate-limit-create', '2', '--rate-limit-read', '3', '--rate-limit-window', '1h'],
      ],
    });
    const key = { 'x-api-key': 'seed-key-1234' };
    const generate = await call(url, 'POST', '/api/v1/generate', { body: { text: 'One.' }, headers: key });
    expect(generate.status).toBe(202);
    const convert = await call(url, 'POST', '/v1/image/convert/video', {
      body: { image_url: 'https://example.com/a.jpg' },
      headers: key,
    });
    expect(convert.status).toBe(202);
    const limited = await call(url, 'POST', '/api/v1/generate', { body: { text: 'Two.' }, headers: key });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: expect.stringMatching(/job submissions/) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const toolkitLimited = await call(url, 'POST', '/v1/image/convert/video', {
      body: { image_url: 'https://example.com/a.jpg' },
      headers: key,
    });
    expect(toolkitLimited.status).toBe(429);

    // Reads have their own budget, untouched by the submissions.
    expect((await call(url, 'GET', `/api/v1/status/${generate.body.job_id}`, { headers: key })).status).toBe(
      200,
    );
    const status = { body: { job_id: convert.body.job_id }, headers: key };
    expect((await call(url, 'POST', '/v1/toolkit/job/status', status)).status).toBe(200);
    expect((await call(url, 'GET', '/api/v1/jobs', { headers: key })).status).toBe(200);
    expect((await call(url, 'POST', '/v1/toolkit/job/status', status)).status).toBe(429);
  });
});
