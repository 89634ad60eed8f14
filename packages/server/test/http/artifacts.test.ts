import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { call, eventually, startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';

useCleanup();

/** Put a file where the job's artifacts live, as an attempt that never finished leaves it. */
function leaveFile(dataDir: string, id: string, name: string): void {
  const dir = join(dataDir, 'artifacts', 'default', id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), 'left by an attempt that did not complete');
}

describe('artifacts of unfinished attempts', () => {
  it('are not served while the job runs, nor when it completed without listing them', async () => {
    const app = await startApp({ argv: ['--simulate-error-rate', '0'] });
    const running = await call(app.url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 60 } },
    });
    const id = running.body.id;
    await eventually(async () => (await call(app.url, 'GET', `/v1/jobs/${id}`)).body.status === 'running');
    leaveFile(app.dataDir, id, 'video.mp4');
    const early = await call(app.url, 'GET', `/v1/jobs/${id}/artifacts/video.mp4`);
    expect([early.status, early.body.error.code]).toEqual([404, 'artifact_not_found']);
    await call(app.url, 'POST', `/v1/jobs/${id}/cancel`);
    const canceled = await call(app.url, 'GET', `/v1/jobs/${id}/artifacts/video.mp4`);
    expect([canceled.status, canceled.body.error.code]).toEqual([404, 'artifact_not_found']);

    const done = await call(app.url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 0 } },
      headers: { prefer: 'wait=10' },
    });
    expect(done.body.status).toBe('completed');
    leaveFile(app.dataDir, done.body.id, 'video.mp4');
    const unlisted = await call(app.url, 'GET', `/v1/jobs/${done.body.id}/artifacts/video.mp4`);
    expect([unlisted.status, unlisted.body.error.code]).toEqual([404, 'artifact_not_found']);
  });
});
