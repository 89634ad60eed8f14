import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LongrunServer, startServer } from '@longrun/testkit';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The built SDK loaded as plain ES modules by headless Chromium, from a page on
 * another origin than the server (CORS), waiting on every transport.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI) throw new Error(`the client browser test needs Chromium at ${CHROMIUM}`);
  console.warn(`client browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
}

/** Serves the SDK's dist folder and an empty page. */
async function startPageServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>client</title>');
      return;
    }
    const file = normalize(join(DIST, path.replace(/^\/dist\//, '')));
    if (!path.startsWith('/dist/') || !file.startsWith(DIST) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const type = extname(file) === '.js' ? 'text/javascript' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

describe.runIf(haveChromium)('@longrun/client in a browser', () => {
  let browser: Browser;
  let page: Awaited<ReturnType<typeof startPageServer>>;
  let api: LongrunServer;

  beforeAll(async () => {
    page = await startPageServer();
    api = await startServer(['--simulate-error-rate', '0', '--cors-origins', page.url]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await new Promise((resolve) => page?.server.close(resolve));
  });

  it('creates jobs and waits over SSE, long-poll and polling; errors keep their classes', async () => {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(page.url);
    await tab.addScriptTag({
      type: 'module',
      content: "import * as sdk from '/dist/index.js'; window.sdk = sdk;",
    });
    await tab.waitForFunction(() => 'sdk' in window);
    const result = await tab.evaluate(async (baseUrl) => {
      const sdk = (window as any).sdk;
      const client = new sdk.Longrun({ baseUrl });
      const out: Record<string, unknown> = {};
      for (const strategy of ['auto', 'long-poll', 'poll'] as const) {
        const used: string[] = [];
        const created = await client.jobs.create({
          type: 'simulate',
          input: { duration_seconds: 0.5, error_rate: 0 },
        });
        const done = await client.jobs.wait(created, { strategy, onTransport: (t: string) => used.push(t) });
        out[strategy] = { status: done.status, transport: used };
      }
      const err = await client.jobs.get('no-such-job').catch((e: unknown) => e);
      out.notFound = {
        isNotFound: err instanceof sdk.NotFoundError,
        isLongrunError: err instanceof sdk.LongrunError,
        code: (err as { code?: string }).code,
      };
      const failed = await client
        .run('simulate', { duration_seconds: 0.2, error_rate: 1 })
        .catch((e: unknown) => e);
      out.failed = failed instanceof sdk.JobFailedError ? (failed as { code: string }).code : String(failed);
      return out;
    }, api.url);
    expect(errors).toEqual([]);
    expect(result).toEqual({
      auto: { status: 'completed', transport: ['sse'] },
      'long-poll': { status: 'completed', transport: ['long-poll'] },
      poll: { status: 'completed', transport: ['poll'] },
      notFound: { isNotFound: true, isLongrunError: true, code: 'job_not_found' },
      failed: 'simulated_error',
    });
    await tab.close();
  });
});
