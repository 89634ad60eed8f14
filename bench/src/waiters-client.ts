/**
 * A child process of the waiters scenario: opens `count` SSE streams on one
 * job, tells the parent when every stream has its first event, and reports
 * when (wall clock) each stream received the terminal event.
 *
 *   node waiters-client.js <events-url> <count>
 */
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
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

function open(): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url!, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        failed += 1;
        res.resume();
        resolve();
        report();
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      let first = true;
      let done = false;
      res.on('data', (chunk: string) => {
        buffer += chunk;
        if (first && buffer.includes('event: job')) {
          first = false;
          connected += 1;
          resolve();
          if (connected === count) process.send?.({ type: 'connected' });
        }
        if (!done && /"status":"(completed|failed|canceled)"/.test(buffer)) {
          done = true;
          received.push(wallNow());
          report();
        }
        // Keep only a tail long enough to hold a status split across chunks.
        if (buffer.length > 4096) buffer = buffer.slice(-256);
      });
      res.on('error', () => {});
    });
    req.on('error', () => {
      failed += 1;
      resolve();
      report();
    });
    req.end();
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
