import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startApp } from './helpers/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = new URL('../../../test-output/dashboard/', import.meta.url);
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI)
    throw new Error(`the dashboard test needs Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium)`);
  console.warn(
    `dashboard browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

describe.runIf(haveChromium)('dashboard in headless Chromium', () => {
  let browser: Browser;
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
  afterAll(async () => {
    await browser?.close();
  });

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(url);
    (page as Page & { errors: string[] }).errors = errors;
    return page;
  }

  const row = (page: Page, id: string) => page.locator(`tr[data-id="${id}"]`);

  it('submits a job from the form and shows its bar moving to 100%, cancels another, and shows a log', async () => {
    const { url } = await startApp({ argv: ['--simulate-error-rate', '0', '--concurrency', '4'] });
    const page = await open(url);
    await page.locator('#live.on').waitFor();
    await page.selectOption('#submit-type', 'simulate');
    await page.fill('#fields input[name="duration_seconds"]', '3');
    await page.fill('#fields input[name="error_rate"]', '0');
    await page.click('#submit-form button[type="submit"]');
    await expect.poll(() => page.locator('#detail-id').textContent()).toMatch(/^[0-9a-f-]{36}$/);
    const submittedId = await page.locator('#detail-id').textContent();
    const bar = row(page, submittedId!).locator('.pct');
    const seen = new Set<string>();
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length > 0);
    for (let i = 0; i < 200; i++) {
      seen.add((await bar.textContent()) ?? '');
      if (seen.has('100%')) break;
      if (i === 20) await page.screenshot({ path: new URL('running.png', OUT).pathname });
      await page.waitForTimeout(50);
    }
    expect(seen.has('100%')).toBe(true);
    // It moved: at least one value strictly between 0 and 100 was on screen.
    expect([...seen].some((p) => p !== '0%' && p !== '100%')).toBe(true);
    await expect.poll(() => row(page, submittedId!).getAttribute('data-status')).toBe('completed');
    await expect.poll(() => page.locator('#log').textContent()).toMatch(/attempt 1 completed/);
    await page.screenshot({ path: new URL('completed.png', OUT).pathname });

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
    await page.screenshot({ path: new URL('canceled.png', OUT).pathname });

    // Filters narrow the table to one status.
    await page.selectOption('#filter-status', 'canceled');
    await expect.poll(() => page.locator('#rows tr').count()).toBe(1);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('asks for an API key when the server has keys, and keeps it in the browser', async () => {
    const { url } = await startApp({ argv: ['--role', 'api', '--api-keys', 'dash-key-1234:team'] });
    await call(url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', id: 'keyed-job' },
      headers: { 'x-api-key': 'dash-key-1234' },
    });
    const page = await open(url);
    await page.locator('#key-form').waitFor({ state: 'visible' });
    await page.fill('#key-input', 'dash-key-1234');
    await page.click('#key-form button');
    await row(page, 'keyed-job').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('longrun.apiKey'))).toBe('dash-key-1234');
    await page.screenshot({ path: new URL('with-key.png', OUT).pathname });
    await page.close();
  });
});
