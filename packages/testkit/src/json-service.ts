import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A canned answer given instead of the real one. */
export interface ServiceFault {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A request a service saw, with what it answered. */
export interface ServiceRequest {
  method: string;
  path: string;
  /** When it arrived (Date.now()). */
  at: number;
  body: string;
  status: number;
}

/** The faults a test can make a service show, and what it saw. */
export interface ServiceControls {
  port: number;
  /** Answer each of the next `count` requests with `fault` instead. */
  failNext(count: number, fault: ServiceFault): void;
  /** Hold each of the next `count` requests `ms` before answering (less if the client gives up). */
  delayNext(count: number, ms: number): void;
  /** Stop listening and drop every connection: clients get "connection refused" until {@link up}. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  readonly requests: ReadonlyArray<ServiceRequest>;
  close(): Promise<void>;
}

export type JsonHandler = (req: {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}) => { status: number; json: unknown };

/** An HTTP service on 127.0.0.1 (port 0) that answers with `handle`, with faults on demand. */
export async function startJsonService(handle: JsonHandler): Promise<ServiceControls> {
  const faults: ServiceFault[] = [];
  const delays: number[] = [];
  const requests: ServiceRequest[] = [];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://service');
      const entry: ServiceRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        at: Date.now(),
        body,
        status: 0,
      };
      requests.push(entry);
      const answer = () => {
        const fault = faults.shift();
        if (fault) {
          entry.status = fault.status;
          res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
          res.end(fault.body ?? '');
          return;
        }
        const { status, json } = handle({
          method: entry.method,
          path: entry.path,
          headers: req.headers,
          body,
        });
        entry.status = status;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      const delay = delays.shift();
      if (delay === undefined) return answer();
      const timer = setTimeout(answer, delay);
      res.on('close', () => clearTimeout(timer));
    });
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const port = await listen(0);
  return {
    port,
    failNext(count, fault) {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    delayNext(count, ms) {
      for (let i = 0; i < count; i++) delays.push(ms);
    },
    down: stop,
    async up() {
      await listen(port);
    },
    requests,
    close: stop,
  };
}

/** A request body as JSON, or undefined when it is not JSON. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
