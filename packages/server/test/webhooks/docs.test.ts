import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { call, eventually, startApp } from '../helpers/app.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';

useCleanup();

const DOC = new URL('../../../../docs/webhooks.md', import.meta.url);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('docs/webhooks.md', () => {
  it('its receiver snippet verifies a real delivery and refuses a forged one', async () => {
    const blocks = [...readFileSync(DOC, 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(1);
    const snippet = blocks[0]!;
    expect(snippet.trim().split('\n').length).toBeLessThanOrEqual(15);
    // Inside the package, so that `standardwebhooks` resolves as it would in a user's project.
    const dir = mkdtempSync(join(new URL('../..', import.meta.url).pathname, '.snippet-'));
    afterThisTest(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'receiver.mjs'), snippet);

    const key = `whsec_${randomBytes(32).toString('base64')}`;
    const port = await freePort();
    const child = spawn(process.execPath, [join(dir, 'receiver.mjs')], {
      env: { ...process.env, LONGRUN_WEBHOOK_SECRET: key, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    afterThisTest(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await eventually(async () => out.includes('receiver ready'));

    const { url } = await startApp({
      argv: ['--webhook-secret', key, '--allow-private-urls', '--simulate-error-rate', '0'],
    });
    const job = await call(url, 'POST', '/v1/jobs', {
      body: {
        type: 'simulate',
        input: { duration_seconds: 0 },
        webhook: { url: `http://127.0.0.1:${port}/` },
      },
    });
    await eventually(async () => out.includes(`job.completed ${job.body.id} completed`));
    // The receiver prints before it answers; the server records the answer just after.
    const delivery = await eventually(async () => {
      const [d] = (await call(url, 'GET', `/v1/jobs/${job.body.id}/webhook-deliveries`)).body.data;
      return d?.status === 'delivered' ? d : null;
    });
    expect(delivery).toMatchObject({ last_status_code: 204, attempt_count: 1 });

    const forged = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': `v1,${randomBytes(32).toString('base64')}`,
      },
      body: JSON.stringify({ type: 'job.completed', timestamp: new Date().toISOString(), data: { id: 'x' } }),
    });
    expect(forged.status).toBe(400);
    expect(out).not.toContain('job.completed x');
  });
});
