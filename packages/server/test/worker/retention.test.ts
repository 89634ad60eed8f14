import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/processors/index.js';
import type { Processor } from '../../src/processors/processor.js';
import { call, eventually, startApp, tempDir } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';
import { reportProcessor } from '../helpers/processors.js';
import { startReceiver } from '../helpers/receiver.js';

useCleanup();

/** A job type that leaves a file, so retention has files to remove. */
const report = reportProcessor(randomBytes(2048));

/** A job type that runs until canceled. */
const forever: Processor = {
  type: 'test.forever',
  description: 'Runs until canceled.',
  inputSchema: { type: 'object' },
  run: (ctx) =>
    new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    }),
};

function filesUnder(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
}

describe('retention', () => {
  it('keeps rows and files bounded over many jobs, and never deletes queued or running ones', async () => {
    const registry = defaultRegistry();
    registry.register(report);
    registry.register(forever);
    const receiver = await startReceiver();
    const { url, app, dataDir, config } = await startApp({
      argv: [
        ...[
          '--retention',
          '200ms',
          '--maintenance-interval',
          '100ms',
          '--concurrency',
          '4',
          '--wait-concurrency',
          '4',
        ],
        ...['--webhook-secret', `whsec_${randomBytes(32).toString('base64')}`, '--allow-private-urls'],
      ],
      parts: { registry },
    });
    const running = (await call(url, 'POST', '/v1/jobs', { body: { type: 'test.forever' } })).body.id;
    // A queued job in a queue no worker here serves: it stays queued for as long as the test runs.
    const queued = await app.longrun.store.insert({
      id: 'never-claimed',
      tenant: 'default',
      type: 'nobody.runs.this',
      queue: 'nobody.serves.this',
      priority: 0,
      input: {},
      metadata: {},
      max_attempts: 1,
    });
    expect(queued.outcome).toBe('created');
    await eventually(async () => (await call(url, 'GET', `/v1/jobs/${running}`)).body.status === 'running');

    const db = new Database(join(dataDir, 'longrun.db'), { readonly: true });
    const count = (table: string) =>
      (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const WAVES = 8;
    const PER_WAVE = 12;
    let peakJobs = 0;
    let peakFiles = 0;
    let peakDeliveries = 0;
    for (let wave = 0; wave < WAVES; wave++) {
      const ids = await Promise.all(
        Array.from({ length: PER_WAVE }, async () => {
          const r = await call(url, 'POST', '/v1/jobs', {
            body: { type: 'test.report', webhook: { url: receiver.url } },
          });
          expect(r.status).toBe(202);
          return r.body.id as string;
        }),
      );
      await Promise.all(ids.map((id) => call(url, 'GET', `/v1/jobs/${id}?wait=30`)));
      peakJobs = Math.max(peakJobs, count('jobs'));
      peakFiles = Math.max(peakFiles, filesUnder(config.artifactsDir));
      peakDeliveries = Math.max(peakDeliveries, count('webhook_deliveries'));
      // Each wave is gone, rows, logs, deliveries and files, before the next one starts.
      await eventually(async () => {
        const left = await Promise.all(
          ids.map(async (id) => (await call(url, 'GET', `/v1/jobs/${id}`)).status),
        );
        return left.every((s) => s === 404);
      });
    }
    expect(receiver.received.length).toBeGreaterThan(0);
    // Many more jobs ran than were ever kept at once.
    expect(peakJobs).toBeLessThanOrEqual(PER_WAVE + 2);
    expect(peakDeliveries).toBeLessThanOrEqual(PER_WAVE);
    expect(peakFiles).toBeLessThanOrEqual(PER_WAVE);
    expect(peakFiles).toBeGreaterThan(0);
    await eventually(async () => count('jobs') === 2 && filesUnder(config.artifactsDir) === 0);
    expect(count('webhook_deliveries')).toBe(0);
    const logsLeft = db
      .prepare('SELECT COUNT(*) AS n FROM job_logs WHERE job_seq NOT IN (SELECT seq FROM jobs)')
      .get() as { n: number };
    expect(logsLeft.n).toBe(0);
    // The live jobs are still there, whatever their age.
    expect((await call(url, 'GET', `/v1/jobs/${running}`)).body.status).toBe('running');
    expect((await call(url, 'GET', '/v1/jobs/never-claimed')).body.status).toBe('queued');
    db.close();
    await call(url, 'POST', `/v1/jobs/${running}/cancel`);
  });
});

describe('uploaded files past --file-retention', () => {
  it('are deleted by the maintenance sweep, record and bytes, leaving files not yet expired', async () => {
    const { url, dataDir, config } = await startApp({ argv: ['--maintenance-interval', '100ms'] });
    const up = async (text: string) =>
      (await (await fetch(`${url}/v1/files`, { method: 'POST', body: text })).json()) as { id: string };
    const old = await up('old');
    const fresh = await up('fresh');
    // No clock to wind: the old file's expiry is moved into the past in the database itself.
    const db = new Database(join(dataDir, 'longrun.db'));
    db.prepare('UPDATE files SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, old.id);
    db.close();
    // The record goes first and the bytes after it, so both are waited for.
    await eventually(
      async () =>
        (await call(url, 'GET', `/v1/files/${old.id}`)).status === 404 && filesUnder(config.filesDir) === 1,
    );
    expect((await call(url, 'GET', `/v1/files/${fresh.id}`)).status).toBe(200);
  });
  it('removes what an upload cut short by a crash left behind, once nothing has written to it for an hour', async () => {
    const dataDir = tempDir();
    const filesDir = join(dataDir, 'files');
    const tenantDir = join(filesDir, 'default');
    mkdirSync(tenantDir, { recursive: true });
    const abandoned = join(tenantDir, '.upload-left-by-a-crash');
    const recent = join(tenantDir, '.upload-under-way');
    writeFileSync(abandoned, 'half a body');
    writeFileSync(recent, 'half a body');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(abandoned, twoHoursAgo, twoHoursAgo);
    await startApp({ dataDir, argv: ['--maintenance-interval', '100ms'] });
    await eventually(async () => !existsSync(abandoned));
    expect(existsSync(recent)).toBe(true);
  });
});
