import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchInput } from '../../src/media/fetch-input.js';
import { nonPublicRange } from '../../src/net/address.js';
import { checkAddress, connectOptions, guardedLookup, UrlNotAllowedError } from '../../src/net/ssrf.js';
import { JobFailure } from '../../src/processors/errors.js';

describe('nonPublicRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared address space'],
    ['0.0.0.0', 'this network'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'unspecified, loopback or IPv4-compatible'],
    ['::', 'unspecified, loopback or IPv4-compatible'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd12:3456::1', 'unique local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:c0a8:0101::1', 'private'],
    ['not-an-ip', 'not an IP address'],
  ])('refuses %s (%s)', (ip, why) => {
    expect(nonPublicRange(ip)).toBe(why);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:0808:0808::1',
  ])('allows the public address %s', (ip) => {
    expect(nonPublicRange(ip)).toBeNull();
  });
});

describe('checkAddress and connectOptions', () => {
  it('refuses a private address unless private URLs are allowed or the address is listed', () => {
    expect(() => checkAddress('h', '10.0.0.1')).toThrow(UrlNotAllowedError);
    expect(() => checkAddress('h', '10.0.0.1', { allowPrivate: true })).not.toThrow();
    expect(() => checkAddress('h', '10.0.0.1', { allowAddresses: ['10.0.0.1'] })).not.toThrow();
    expect(() => checkAddress('h', '10.0.0.2', { allowAddresses: ['10.0.0.1'] })).toThrow(
      /--allow-private-urls/,
    );
  });

  it('checks literal IP hosts at once, since connecting to them skips the lookup', () => {
    expect(() => connectOptions(new URL('http://127.0.0.1:9/'))).toThrow(UrlNotAllowedError);
    expect(() => connectOptions(new URL('http://[::1]:9/'))).toThrow(UrlNotAllowedError);
    // The URL parser turns these spellings of 127.0.0.1 into the dotted form first.
    expect(() => connectOptions(new URL('http://2130706433/'))).toThrow(UrlNotAllowedError);
    expect(() => connectOptions(new URL('http://0x7f.1/'))).toThrow(UrlNotAllowedError);
    expect(() => connectOptions(new URL('http://8.8.8.8/'))).not.toThrow();
  });

  it('resolves a name and refuses it when an address it has is private', async () => {
    const lookup = guardedLookup({});
    const err = await new Promise<Error | null>((resolve) =>
      lookup('localhost', { all: true }, (e) => resolve(e as Error | null)),
    );
    expect(err).toBeInstanceOf(UrlNotAllowedError);
    const allowed = await new Promise<unknown>((resolve, reject) =>
      guardedLookup({ allowPrivate: true })('localhost', { all: true }, (e, addresses) =>
        e ? reject(e) : resolve(addresses),
      ),
    );
    expect(allowed).toEqual(
      expect.arrayContaining([expect.objectContaining({ address: expect.any(String) })]),
    );
  });
});

describe('fetchInput', () => {
  let server: http.Server;
  let base: string;
  let dir: string;
  const requests: string[] = [];
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'longrun-fetch-'));
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      const port = (server.address() as AddressInfo).port;
      switch (req.url) {
        case '/img.png':
          res.writeHead(200, { 'content-type': 'image/png' }).end(png);
          return;
        case '/to-other-loopback':
          // 127.0.0.2 is loopback too, but not the one address the test allows.
          res.writeHead(302, { location: `http://127.0.0.2:${port}/img.png` }).end();
          return;
        case '/to-img':
          res.writeHead(301, { location: '/img.png' }).end();
          return;
        case '/loop':
          res.writeHead(302, { location: '/loop' }).end();
          return;
        case '/html':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
          return;
        case '/big':
          res.writeHead(200, { 'content-type': 'image/png' });
          res.end(Buffer.alloc(64 * 1024));
          return;
        case '/slow':
          res.writeHead(200, { 'content-type': 'image/png' });
          res.write(png.subarray(0, 8));
          return; // never ends
        case '/missing':
          res.writeHead(404).end();
          return;
        default:
          res.writeHead(503).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, opts: { allowPrivate?: boolean; maxBytes?: number; timeoutMs?: number } = {}) =>
    fetchInput(url, {
      dest: join(dir, `f-${Math.random()}`),
      signal: new AbortController().signal,
      policy: { allowPrivate: opts.allowPrivate ?? true },
      accept: (t) => t.startsWith('image/'),
      field: 'image_url',
      ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    });

  const failure = async (p: Promise<unknown>): Promise<JobFailure> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JobFailure);
    return err as JobFailure;
  };

  it('fetches an image into the file, following a redirect', async () => {
    const got = await get(`${base}/to-img`);
    expect(got.mediaType).toBe('image/png');
    expect(readFileSync(got.path)).toEqual(png);
  });

  it('refuses a loopback URL without the flag, before any request is made', async () => {
    const before = requests.length;
    const err = await failure(get(`${base}/img.png`, { allowPrivate: false }));
    expect(err.code).toBe('url_not_allowed');
    expect(err.retryable).toBe(false);
    expect(requests.length).toBe(before);
  });

  it('refuses a redirect to a private address, and a name that resolves to one', async () => {
    const port = new URL(base).port;
    const policyAllowingOnlyFirst = fetchInput(`${base}/to-other-loopback`, {
      dest: join(dir, 'redirect'),
      signal: new AbortController().signal,
      policy: { allowAddresses: ['127.0.0.1'] },
      accept: () => true,
      field: 'image_url',
    });
    expect((await failure(policyAllowingOnlyFirst)).code).toBe('url_not_allowed');
    expect((await failure(get(`http://localhost:${port}/img.png`, { allowPrivate: false }))).code).toBe(
      'url_not_allowed',
    );
  });

  it('fails on a wrong media type, a body over the limit, a 404, a redirect loop and a stall', async () => {
    const html = await failure(get(`${base}/html`));
    expect([html.code, html.retryable, html.message]).toEqual([
      'input_fetch_failed',
      false,
      expect.stringMatching(/text\/html/),
    ]);
    const big = await failure(get(`${base}/big`, { maxBytes: 1024 }));
    expect([big.code, big.message]).toEqual(['input_fetch_failed', expect.stringMatching(/larger than/)]);
    const missing = await failure(get(`${base}/missing`));
    expect([missing.code, missing.retryable]).toEqual(['input_fetch_failed', false]);
    const unavailable = await failure(get(`${base}/unavailable`));
    expect([unavailable.code, unavailable.retryable]).toEqual(['input_fetch_failed', true]);
    expect((await failure(get(`${base}/loop`))).message).toMatch(/redirected more than 5 times/);
    const slow = await failure(get(`${base}/slow`, { timeoutMs: 300 }));
    expect([slow.code, slow.retryable, slow.message]).toEqual([
      'input_fetch_failed',
      true,
      expect.stringMatching(/longer than/),
    ]);
  });

  it('decodes data: URLs and checks their media type', async () => {
    const got = await get(`data:image/png;base64,${png.toString('base64')}`);
    expect(readFileSync(got.path)).toEqual(png);
    expect((await failure(get('data:text/plain,hello'))).code).toBe('input_fetch_failed');
  });

  it('stops at once when the job is canceled', async () => {
    const controller = new AbortController();
    const reason = new Error('canceled');
    const p = fetchInput(`${base}/slow`, {
      dest: join(dir, 'canceled'),
      signal: controller.signal,
      policy: { allowPrivate: true },
      accept: () => true,
      field: 'image_url',
    });
    setTimeout(() => controller.abort(reason), 50);
    await expect(p).rejects.toBe(reason);
  });
});
