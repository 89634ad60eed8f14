import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** A canned answer the proxy gives instead of forwarding. */
export interface Fault {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * An HTTP reverse proxy on 127.0.0.1 in front of one server, for the faults
 * that clients meet between them and a server: proxies that refuse event
 * streams or strip parameters, bursts of 5xx and 429, reset connections.
 */
export interface FaultProxy {
  port: number;
  url: string;
  /** While on, requests that accept `text/event-stream` get a 403 text page, as from a filtering proxy. */
  refuseSse(on: boolean): void;
  /** Remove these query parameters before forwarding (a proxy that does not let requests be held). */
  dropQuery(names: string[]): void;
  /** Only forward paths matching this; others get a 404 JSON error. null forwards everything. */
  onlyPaths(pattern: RegExp | null): void;
  /** Answer the next `count` requests with `fault` instead of forwarding them. */
  failNext(count: number, fault: Fault): void;
  /** Hold each of the next `count` requests `ms` before forwarding it (a slow network or an overloaded proxy). */
  delayNext(count: number, ms: number): void;
  /** Close the connection of each of the next `count` requests without an answer. */
  dropNext(count: number): void;
  /** Destroy every connection open now (in both directions), mid-response or idle. */
  reset(): void;
  /** Every request seen, in order, with what the client got. */
  readonly log: ReadonlyArray<{ method: string; path: string; status: number }>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let refusingSse = false;
  let dropped: string[] = [];
  let allowed: RegExp | null = null;
  const faults: Fault[] = [];
  const delays: number[] = [];
  let drops = 0;
  const log: Array<{ method: string; path: string; status: number }> = [];
  const sockets = new Set<Socket>();

  const answer = (res: ServerResponse, entry: { status: number }, fault: Fault) => {
    entry.status = fault.status;
    res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers });
    res.end(fault.body ?? '');
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const entry = { method: req.method ?? 'GET', path: url.pathname + url.search, status: 0 };
    log.push(entry);
    if (drops > 0) {
      drops -= 1;
      req.socket.destroy();
      return;
    }
    const fault = faults.shift();
    if (fault) return answer(res, entry, fault);
    const delay = delays.shift();
    if (delay !== undefined) {
      const timer = setTimeout(() => forward(req, res, url, entry), delay);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    forward(req, res, url, entry);
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    entry: { method: string; path: string; status: number },
  ) => {
    if (allowed && !allowed.test(url.pathname)) {
      return answer(res, entry, {
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: { code: 'route_not_found', message: 'Not offered here.' } }),
      });
    }
    if (refusingSse && String(req.headers.accept ?? '').includes('text/event-stream')) {
      return answer(res, entry, { status: 403, body: 'Event streams are not allowed through this proxy.' });
    }
    for (const name of dropped) url.searchParams.delete(name);
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: url.pathname + url.search,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        entry.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on('error', () => res.destroy());
      },
    );
    out.on('error', () => {
      if (!res.headersSent) answer(res, entry, { status: 502, body: 'The server cannot be reached.' });
      else res.destroy();
    });
    res.on('close', () => out.destroy());
    req.pipe(out);
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    refuseSse: (on) => {
      refusingSse = on;
    },
    dropQuery: (names) => {
      dropped = names;
    },
    onlyPaths: (pattern) => {
      allowed = pattern;
    },
    failNext: (count, fault) => {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    delayNext: (count, ms) => {
      for (let i = 0; i < count; i++) delays.push(ms);
    },
    dropNext: (count) => {
      drops += count;
    },
    reset: () => {
      for (const socket of sockets) socket.destroy();
    },
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
