import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';

useCleanup();

describe('while draining', () => {
  it('a request still arriving on an open connection gets 503 shutting_down in the documented shape', async () => {
    const t = await startApp({ argv: ['--role', 'api'] });
    const { hostname, port } = new URL(t.url);
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    // Half the headers now: the connection is busy, so closing does not cut it.
    socket.write('POST /v1/jobs HTTP/1.1\r\nHost: x\r\n');
    let text = '';
    socket.on('data', (d) => {
      text += d;
    });
    const ended = new Promise((resolve) => socket.once('close', resolve));
    const closed = t.close();
    await new Promise((r) => setTimeout(r, 100));
    socket.write('Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
    await ended;
    await closed;
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).error.code).toBe('shutting_down');
  });
});
