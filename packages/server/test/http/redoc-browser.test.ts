import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';

useCleanup();

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI) throw new Error(`the Redoc page test needs Chromium at ${CHROMIUM}`);
  console.warn(
    `Redoc browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

describe.runIf(haveChromium)('the Redoc page in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders every API of the document from this server alone, within its Content-Security-Policy', async () => {
    const { url } = await startApp();
    const page = await browser.newPage();
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));

    const local = (u: string) => u.startsWith(url) || u.startsWith('blob:') || u.startsWith('data:');
    page.on('requestfinished', (r) => {
      if (!local(r.url())) elsewhere.push(r.url());
    });
    page.on('requestfailed', (r) => {
      if (!local(r.url()) && r.failure()?.errorText !== 'csp')
        elsewhere.push(`${r.url()} ${r.failure()?.errorText}`);
    });
    await page.goto(`${url}/redoc`);
    // Redoc writes each operation's summary as a heading in its middle panel.
    for (const text of ['Create a job', 'Start a text-to-video job', 'Start an image-to-video job']) {
      await page.locator('h2', { hasText: text }).first().waitFor({ timeout: 60_000 });
    }
    // Redoc's sidebar footer asks for its logo from a CDN; the page's policy refuses it before any
    // request is made, and Redoc then hides the image. The browser's own favicon.ico asks 404.
    const expected = [
      /^Loading the image 'https:\/\/cdn\.redoc\.ly\/.*Content Security Policy/,
      /status of 404/,
    ];
    expect(problems.filter((p) => !expected.some((re) => re.test(p)))).toEqual([]);
    expect(elsewhere).toEqual([]);
    await page.close();
  }, 120_000);
});
