import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterThisTest } from './cleanup.js';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed body. */
  json: { type: string; timestamp: string; data: { id: string; status: string; [k: string]: unknown } };
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** What to answer each request with ('hold': never answer); the request is recorded first. @default 204 */
  respond: (r: Received, n: number) => { status: number; headers?: Record<string, string> } | 'hold';
  /** Stop listening (a receiver that is down: connections are refused). */
  down: () => Promise<void>;
  /** Listen again on the same port. */
  up: () => Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 that records every webhook it gets, stopped after the test. */
export async function startReceiver(port = 0): Promise<Receiver> {
  let server: Server | null = null;
  const r: Receiver = {
    url: '',
    port,
    received: [],
    respond: () => ({ status: 204 }),
    down: async () => {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    up: async () => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const got: Received = { headers: req.headers, body, json: JSON.parse(body) };
          r.received.push(got);
          const answer = r.respond(got, r.received.length);
          if (answer === 'hold') return;
          res.writeHead(answer.status, answer.headers ?? {}).end();
        });
      });
      await new Promise<void>((resolve) => s.listen(r.port, '127.0.0.1', () => resolve()));
      r.port = (s.address() as AddressInfo).port;
      r.url = `http://127.0.0.1:${r.port}/hook`;
      server = s;
    },
  };
  afterThisTest(r.down);
  await r.up();
  return r;
}

/** Headers as the standardwebhooks package's verify() takes them. */
export function webhookHeaders(h: IncomingHttpHeaders): Record<string, string> {
  return {
    'webhook-id': String(h['webhook-id']),
    'webhook-timestamp': String(h['webhook-timestamp']),
    'webhook-signature': String(h['webhook-signature']),
  };
}
