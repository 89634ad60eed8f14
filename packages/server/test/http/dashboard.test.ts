import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { type LongrunServer, startServer } from '@longrun/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = new URL('../../../../test-output/dashboard/', import.meta.url);
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI)
    throw new Error(`the dashboard test needs Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium)`);
  console.warn(
    `dashboard browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

type WatchedPage = Page & { errors: string[]; requested: string[] };

describe.runIf(haveChromium)('dashboard in headless Chromium, against a server process', () => {
  let browser: Browser;
  const servers: LongrunServer[] = [];
  const shot = (page: Page, name: string) => page.screenshot({ path: new URL(name, OUT).pathname });

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function serve(args: string[]): Promise<LongrunServer> {
    const server = await startServer(args);
    servers.push(server);
    return server;
  }

  async function open(url: string): Promise<WatchedPage> {
    const page = (await browser.newPage({ viewport: { width: 1400, height: 900 } })) as WatchedPage;
    page.errors = [];
    page.requested = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') page.errors.push(m.text());
    });
    page.on('request', (r) => page.requested.push(`${r.method()} ${new URL(r.url()).pathname}`));
    await page.goto(url);
    return page;
  }

  const row = (page: Page, id: string) => page.locator(`tr[data-id="${id}"]`);
  const listReads = (page: WatchedPage) => page.requested.filter((r) => r === 'GET /v1/jobs').length;

  it('submits a job from the form and shows its bar moving to 100%, cancels another, and shows a log', async () => {
    const { url } = await serve([
      '--simulate-error-rate',
      '0',
      '--concurrency',
      '4',
      '--wait-concurrency',
      '4',
    ]);
    const page = await open(url);
    await page.locator('#live.on').waitFor();
    expect(page.requested).toContain('GET /v1/events');
    expect(page.requested).toContain('GET /v1/types');
    const readsBefore = listReads(page);

    // The form is built from GET /v1/types: every registered type is offered.
    const types = (await call(url, 'GET', '/v1/types')).body.data.map((t: { type: string }) => t.type);
    expect(
      await page.locator('#submit-type option').evaluateAll((os) => os.map((o) => o.getAttribute('value'))),
    ).toEqual(types);

    await page.selectOption('#submit-type', 'simulate');
    await page.fill('#fields input[name="duration_seconds"]', '3');
    await page.fill('#fields input[name="error_rate"]', '0');
    await page.click('#submit-form button[type="submit"]');
    await expect.poll(() => page.locator('#detail-id').textContent()).toMatch(/^[0-9a-f-]{36}$/);
    const submittedId = (await page.locator('#detail-id').textContent())!;
    const pct = row(page, submittedId).locator('.pct');
    const seen = new Set<string>();
    for (let i = 0; i < 400 && !seen.has('100%'); i++) {
      seen.add((await pct.textContent()) ?? '');
      if (i === 20) await shot(page, 'running.png');
      await page.waitForTimeout(50);
    }
    expect(seen.has('100%')).toBe(true);
    // It moved: at least one value strictly between 0 and 100 was on screen.
    expect([...seen].some((p) => p !== '0%' && p !== '100%')).toBe(true);
    await expect.poll(() => row(page, submittedId).getAttribute('data-status')).toBe('completed');
    await expect.poll(() => page.locator('#log').textContent()).toMatch(/attempt 1 completed/);
    // Every change came over the event stream: the list was not read again while the bar moved.
    expect(listReads(page)).toBe(readsBefore);
    await shot(page, 'completed.png');

    // A long job, submitted elsewhere, appears live; cancel it from its view.
    const long = (
      await call(url, 'POST', '/v1/jobs', {
        body: { type: 'simulate', input: { duration_seconds: 120, error_rate: 0 } },
      })
    ).body;
    await row(page, long.id).waitFor();
    await expect.poll(() => row(page, long.id).getAttribute('data-status')).toBe('running');
    await row(page, long.id).click();
    await expect.poll(() => page.locator('#detail-id').textContent()).toBe(long.id);
    await page.click('#cancel');
    await expect.poll(() => row(page, long.id).getAttribute('data-status')).toBe('canceled');
    await expect.poll(() => page.locator('#log').textContent()).toMatch(/canceled while running/);
    expect(await page.locator('#cancel').isDisabled()).toBe(true);
    await shot(page, 'canceled.png');

    // Opening another job shows its own log, read from /logs.
    await row(page, submittedId).click();
    await expect.poll(() => page.locator('#detail-id').textContent()).toBe(submittedId);
    await expect.poll(() => page.locator('#log').textContent()).toMatch(/attempt 1 completed/);
    expect(await page.locator('#log').textContent()).not.toMatch(/canceled while running/);

    // Filters narrow the table to one status, and a job that leaves the status leaves the table.
    const other = (
      await call(url, 'POST', '/v1/jobs', {
        body: { type: 'simulate', input: { duration_seconds: 3, error_rate: 0 } },
      })
    ).body;
    const failing = (
      await call(url, 'POST', '/v1/jobs', {
        body: { type: 'simulate', input: { duration_seconds: 0.5, error_rate: 1 }, max_attempts: 1 },
      })
    ).body;
    await expect.poll(() => row(page, failing.id).getAttribute('data-status')).toBe('failed');
    await expect.poll(() => row(page, other.id).getAttribute('data-status')).toBe('running');
    await shot(page, 'overview.png');
    await page.selectOption('#filter-status', 'running');
    await row(page, other.id).waitFor();
    await row(page, other.id).waitFor({ state: 'detached' });
    await page.selectOption('#filter-status', 'canceled');
    await expect.poll(() => page.locator('#rows tr').count()).toBe(1);
    await expect.poll(() => row(page, long.id).count()).toBe(1);
    await page.selectOption('#filter-status', '');
    await page.selectOption('#filter-type', 'simulate');
    await expect.poll(() => page.locator('#rows tr').count()).toBe(4);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('links the artifacts of a finished job, and the link downloads the file', async () => {
    const { url } = await serve(['--concurrency', '2', '--wait-concurrency', '2']);
    const types = (await call(url, 'GET', '/v1/types')).body.data as { type: string; available: boolean }[];
    const textToVideo = types.find((t) => t.type === 'text.to_video');
    if (!textToVideo?.available) {
      if (process.env.CI) throw new Error('text.to_video is unavailable: ffmpeg or espeak-ng is missing');
      console.warn('dashboard artifact test skipped: text.to_video is unavailable here');
      return;
    }
    const page = await open(url);
    await page.locator('#live.on').waitFor();
    const job = (
      await call(url, 'POST', '/v1/jobs', {
        body: { type: 'text.to_video', input: { text: 'Hello.', width: 160, height: 90 } },
      })
    ).body;
    await row(page, job.id).click();
    await expect
      .poll(() => row(page, job.id).getAttribute('data-status'), { timeout: 60_000 })
      .toBe('completed');
    const link = page.locator('#artifacts a', { hasText: 'video.mp4' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toMatch(new RegExp(`/v1/jobs/${job.id}/artifacts/video\\.mp4$`));
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/\.mp4$/);
    const saved = new URL('video.mp4', OUT).pathname;
    await download.saveAs(saved);
    const head = readFileSync(saved).subarray(4, 8).toString('latin1');
    expect(head).toBe('ftyp');
    await shot(page, 'artifacts.png');
    expect(page.errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('keeps the newer version when the read of a selected job answers after the stream moved on', async () => {
    const { url } = await serve(['--simulate-error-rate', '0']);
    const page = await open(url);
    await page.locator('#live.on').waitFor();
    const job = (
      await call(url, 'POST', '/v1/jobs', {
        body: { type: 'simulate', input: { duration_seconds: 2, error_rate: 0 } },
      })
    ).body;
    await row(page, job.id).waitFor();
    // The read of the job is answered only after the stream has shown it completed,
    // with what the server said while it still ran.
    const logReads = () => page.requested.filter((r) => r.startsWith(`GET /v1/jobs/${job.id}/logs`)).length;
    let staleStatus: string | undefined;
    let logReadsBefore = Number.POSITIVE_INFINITY;
    await page.route(`**/v1/jobs/${job.id}`, async (route) => {
      const stale = await route.fetch();
      const body = await stale.json();
      staleStatus = body.status;
      await expect
        .poll(() => row(page, job.id).getAttribute('data-status'), { timeout: 20_000 })
        .toBe('completed');
      logReadsBefore = logReads();
      await route.fulfill({ response: stale, json: body });
    });
    await row(page, job.id).click();
    // The view renders the answer, then reads the log: once that read is seen, the answer is shown.
    await expect.poll(() => logReads() > logReadsBefore, { timeout: 20_000 }).toBe(true);
    expect(staleStatus).toMatch(/^(queued|running)$/);
    expect(await page.locator('dd[data-field="status"]').textContent()).toBe('completed');
    expect(await page.locator('dd[data-field="progress"]').textContent()).toBe('100%');
    expect(await row(page, job.id).getAttribute('data-status')).toBe('completed');
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('uploads a PNG from the submit form through /v1/files and fills the URL field with its id', async () => {
    // API role: the job stays queued, with its input as the form sent it.
    const { url } = await serve(['--role', 'api']);
    const page = await open(url);
    await page.locator('#live.on').waitFor();
    await page.selectOption('#submit-type', 'image.to_video');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3, 4]);
    await page
      .locator('#fields input[type="file"][aria-label="Upload a file for image_url"]')
      .setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: png });
    const field = page.locator('#fields [name="image_url"]');
    await expect.poll(() => field.inputValue()).toMatch(/^file_[0-9a-f]{24}$/);
    const id = await field.inputValue();
    expect((await call(url, 'GET', `/v1/files/${id}`)).body).toMatchObject({
      filename: 'tiny.png',
      content_type: 'image/png',
      bytes: png.length,
    });
    expect(page.requested).toContain('POST /v1/files');
    await page.click('#submit-form button[type="submit"]');
    await expect.poll(() => page.locator('#detail-id').textContent()).toMatch(/.+/);
    const jobId = (await page.locator('#detail-id').textContent())!;
    expect((await call(url, 'GET', `/v1/jobs/${jobId}`)).body.input.image_url).toBe(id);
    await shot(page, 'upload.png');
    expect(page.errors).toEqual([]);
    await page.close();
  });

  const queueRow = (page: Page, name: string) => page.locator(`#queue-rows tr[data-queue="${name}"]`);
  // The view reads the queues every 2 s: what it shows may take that long to change.
  const live = { timeout: 10_000 };

  it('lists the queues with their counts, and pauses and resumes one with its button', async () => {
    const { url } = await serve(['--simulate-error-rate', '0']);
    const page = await open(url);
    const queues = (await call(url, 'GET', '/v1/queues')).body.data as { name: string; types: string[] }[];
    await expect
      .poll(() => page.locator('#queue-rows tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.queue)))
      .toEqual(queues.map((q) => q.name));
    const name = queues.find((q) => q.types.includes('simulate'))!.name;
    const row = queueRow(page, name);
    expect(await row.getAttribute('data-paused')).toBe('false');

    await row.locator('button', { hasText: 'Pause' }).click();
    await expect.poll(() => row.getAttribute('data-paused')).toBe('true');
    expect(await row.locator('td.state').textContent()).toBe('paused');
    expect((await call(url, 'GET', `/v1/queues/${name}`)).body).toMatchObject({ paused: true });

    // A job submitted elsewhere waits in the paused queue, and the count shows it.
    const job = (
      await call(url, 'POST', '/v1/jobs', {
        body: { type: 'simulate', input: { duration_seconds: 0.2, error_rate: 0 } },
      })
    ).body;
    await expect.poll(() => row.locator('td.queued').textContent(), live).toBe('1');
    await shot(page, 'queues-paused.png');

    await row.locator('button', { hasText: 'Resume' }).click();
    await expect.poll(() => row.getAttribute('data-paused')).toBe('false');
    expect((await call(url, 'GET', `/v1/queues/${name}`)).body).toMatchObject({ paused: false });
    // Resumed, the queue runs the job, and the count goes back to 0.
    await expect
      .poll(async () => (await call(url, 'GET', `/v1/jobs/${job.id}`)).body.status, live)
      .toBe('completed');
    await expect.poll(() => row.locator('td.queued').textContent(), live).toBe('0');
    expect(page.requested.filter((r) => r === 'GET /v1/queues').length).toBeGreaterThan(1);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("shows the server's 403 when a key that is not an operator's pauses a queue", async () => {
    const { url } = await serve([
      '--api-keys',
      'dash-tenant-1234:team',
      '--operator-keys',
      'dash-operator-1234:ops',
    ]);
    const page = await open(url);
    await page.fill('#key-input', 'dash-tenant-1234');
    await page.click('#key-form button');
    const name = (await call(url, 'GET', '/v1/queues', { headers: { 'x-api-key': 'dash-tenant-1234' } })).body
      .data[0].name as string;
    const row = queueRow(page, name);
    // A tenant's counts are its own jobs', and the view says so.
    await page.locator('#queues-scope').waitFor({ state: 'visible' });
    await row.locator('button', { hasText: 'Pause' }).click();
    const refused = await call(url, 'POST', `/v1/queues/${name}/pause`, {
      headers: { 'x-api-key': 'dash-tenant-1234' },
    });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    await expect
      .poll(() => page.locator('#queues-error').textContent())
      .toBe(`Pause ${name}: ${refused.body.error.message}`);
    expect(await row.getAttribute('data-paused')).toBe('false');
    expect(
      (await call(url, 'GET', `/v1/queues/${name}`, { headers: { 'x-api-key': 'dash-operator-1234' } })).body,
    ).toMatchObject({ paused: false });
    await shot(page, 'queues-forbidden.png');
    await page.close();
  });

  it('asks for an API key when the server has keys, and keeps it in the browser', async () => {
    const { url } = await serve(['--role', 'api', '--api-keys', 'dash-key-1234:team']);
    await call(url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', id: 'keyed-job' },
      headers: { 'x-api-key': 'dash-key-1234' },
    });
    const page = await open(url);
    await page.locator('#key-form').waitFor({ state: 'visible' });
    expect(await row(page, 'keyed-job').count()).toBe(0);
    await page.fill('#key-input', 'dash-key-1234');
    await page.click('#key-form button');
    await row(page, 'keyed-job').waitFor();
    await page.locator('#live.on').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('longrun.apiKey'))).toBe('dash-key-1234');
    // The key never travels in a URL, only in a header.
    expect(page.requested.some((r) => r.includes('dash-key'))).toBe(false);
    await shot(page, 'with-key.png');
    await page.close();
  });
});
