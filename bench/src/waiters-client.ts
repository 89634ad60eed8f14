/**
 * A child process of the waiters scenario: opens `count` SSE streams on one
 * job, tells the parent when every stream has its first event, and reports
 * when (wall clock) each stream received the terminal event.
 *
 *   node waiters-client.js <events-url> <count>
 */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const target = new URL(url!);
const TERMINAL = /"status":"(completed|failed|canceled)"/;
/** Connections being opened at once, so the server's accept backlog never overflows. */
const OPENING = 64;

const wallNow = () => performance.timeOrigin + performance.now();
const received: number[] = [];
let connected = 0;
let failed = 0;

function report(): void {
  if (received.length + failed === count) {
    process.send?.({ type: 'done', times: received, failed }, () => process.exit(0));
  }
}

/**
 * One stream over a bare TCP socket: the request written by hand and the
 * response scanned as text, so the client's own cost (an HTTP response object
 * and stream per waiter) does not crowd the server on a small machine.
 */
function open(): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.hostname, port: Number(target.port) });
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    let buffer = '';
    let first = true;
    let done = false;
    const fail = () => {
      if (done) return;
      done = true;
      failed += 1;
      resolve();
      report();
    };
    socket.on('connect', () => {
      socket.write(
        `GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nAccept: text/event-stream\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (first) {
        if (!buffer.startsWith('HTTP/1.1 200')) return fail();
        if (!buffer.includes('event: job')) return;
        first = false;
        connected += 1;
        resolve();
        if (connected === count) process.send?.({ type: 'connected' });
      }
      if (!done && TERMINAL.test(buffer)) {
        done = true;
        received.push(wallNow());
        report();
        socket.destroy();
      }
      // Keep only a tail long enough to hold a status split across reads.
      if (buffer.length > 4096) buffer = buffer.slice(-256);
    });
    socket.on('error', fail);
    socket.on('close', fail);
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: Math.min(OPENING, count) }, async () => {
    while (next < count) {
      next += 1;
      await open();
    }
  }),
);
if (failed > 0) process.send?.({ type: 'failed', failed });
