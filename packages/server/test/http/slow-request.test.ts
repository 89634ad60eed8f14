import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';

useCleanup();

/** Send the headers and part of a body, then nothing: resolve with whatever the server answers before it closes. */
function trickle(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type":',
      );
    });
    let answer = '';
    socket.on('data', (d) => {
      answer += d;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** Write a whole request with an oversized body before reading anything, as a naive client does. */
function sendWhole(url: string, head: string, body: Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(head);
      socket.end(body);
    });
    let answer = '';
    socket.on('data', (d) => {
      answer += d;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', (err) =>
      reject(new Error(`${err.message} after ${JSON.stringify(answer.slice(0, 40))}`)),
    );
  });
}

describe('slow and malformed requests', () => {
  it('a body over the limit gets its 413 even when the client writes all of it first', async () => {
    const app = await startApp({ argv: ['--role', 'api'] });
    const body = Buffer.alloc(8 * 1024 * 1024, 'y');
    for (const head of [
      `POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    ]) {
      // Closing with the rest of the body unread would reset the connection and destroy the answer in flight.
      const chunked = head.includes('chunked');
      const payload = chunked
        ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')])
        : body;
      const answer = await sendWhole(app.url, head, payload);
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      // Said outright, so that no client sends another request on a connection about to close.
      expect(answer).toMatch(/\r\nConnection: close\r\n/i);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('payload_too_large');
    }
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('keeps a connection open after an error answered before the body was read (401, 429)', async () => {
    const app = await startApp({ argv: ['--api-keys', 'right-key-123:acme', '--role', 'api'] });
    const { hostname, port } = new URL(app.url);
    const body = JSON.stringify({ type: 'simulate', input: {} });
    const request = (key: string) =>
      `POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    // Three requests on one connection: the refused one must not take the connection with it.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(request('wrong-key-456') + request('right-key-123') + request('wrong-key-456'));
      });
      let text = '';
      socket.on('data', (d) => {
        text += d;
        if ((text.match(/HTTP\/1\.1 \d{3} /g) ?? []).length === 3) socket.end();
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect((answer.match(/HTTP\/1\.1 \d{3} /g) ?? []).map((l) => l.slice(9, 12))).toEqual([
      '401',
      '202',
      '401',
    ]);
  });

  it('bytes that are not HTTP get a 400 in the documented shape', async () => {
    const app = await startApp();
    const { hostname, port } = new URL(app.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write('GARBAGE \u0000\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('invalid_request');
  });

  it('are answered 408 and closed after --request-timeout', async () => {
    const app = await startApp({ argv: ['--request-timeout', '1s'] });
    const answer = await trickle(app.url);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('request_timeout');
    // The server is unharmed.
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('--request-timeout takes a duration of at least 1 s', () => {
    expect(loadConfig({ argv: [], env: {} }).requestTimeoutMs).toBe(30_000);
    expect(() => loadConfig({ argv: ['--request-timeout', '500ms'], env: {} })).toThrow(/at least 1s/);
  });
});
