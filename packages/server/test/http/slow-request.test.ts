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

describe('slow and malformed requests', () => {
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
