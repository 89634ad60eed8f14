import { rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tempDir as makeTempDir, type SseEvent, sseBlocks } from '@longrun/testkit';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { type AppParts, buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { afterThisFile, afterThisTest } from './cleanup.js';
import { watchPool } from './pools.js';

export interface TestApp {
  app: FastifyInstance;
  url: string;
  config: Config;
  dataDir: string;
  close: () => Promise<void>;
}

/** A temporary dir, removed when the test file ends, whatever the test did with it. */
export function tempDir(prefix = 'longrun-test-'): string {
  const dir = makeTempDir(prefix);
  afterThisFile(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function testConfig(argv: string[] = [], dataDir = tempDir()): Config {
  return loadConfig({
    argv: [
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--log-level',
      'silent',
      '--concurrency',
      '4',
      '--wait-concurrency',
      '4',
      ...argv,
    ],
    env: {},
  });
}

/** A real server on 127.0.0.1 and a free port, closed (and its data dir removed) after the test. */
export async function startApp({
  argv = [],
  parts = {},
  dataDir = tempDir(),
  keepData = false,
}: {
  argv?: string[];
  parts?: AppParts;
  dataDir?: string;
  keepData?: boolean;
} = {}): Promise<TestApp> {
  const config = testConfig(argv, dataDir);
  const app = await buildApp(config, parts);
  watchPool(app.longrun.pool);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed = false;
  const t: TestApp = {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    dataDir,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  afterThisTest(t.close);
  return t;
}

/** JSON request helper: returns status, headers and parsed body. */
export async function call(
  base: string,
  method: string,
  path: string,
  { body, headers = {} }: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed };
}

/**
 * A request whose path is sent exactly as given: fetch resolves `..` and
 * `%2E%2E` segments and fixes bad percent-encodings before sending.
 */
export function rawCall(
  base: string,
  method: string,
  path: string,
  { body, headers = {} }: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: any }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Read an SSE stream to its end (or until `until` returns true), returning the events. */
export async function readSse(
  url: string,
  {
    headers = {},
    until,
    signal,
    body,
  }: {
    headers?: Record<string, string>;
    until?: (e: SseEvent) => boolean;
    signal?: AbortSignal;
    /** POSTed as JSON (a stream of many jobs). */
    body?: unknown;
  } = {},
): Promise<SseEvent[]> {
  const res = await fetch(url, {
    ...(body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }),
    headers: {
      accept: 'text/event-stream',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    signal: signal ?? null,
  });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: SseEvent[] = [];
  for await (const e of sseBlocks(res.body!)) {
    if (e.data || e.comment) events.push(e);
    if (until?.(e)) break;
  }
  return events;
}

/** Poll a condition (for things only observable by polling, never for timing assertions). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
