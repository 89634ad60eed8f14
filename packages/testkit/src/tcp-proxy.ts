import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 for fault injection: it can refuse new
 * connections, freeze the current ones (they stay open but carry nothing,
 * like a half-open connection behind a dead NAT), or drop everything, open
 * and new (a network partition).
 */
export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** While on, new connections are closed at once. */
  refuse(on: boolean): void;
  /**
   * The connections open now (those `which` picks, or all) stop carrying data
   * in both directions; new ones work. Returns how many were frozen.
   */
  freeze(which?: (connection: ProxiedConnection) => boolean): number;
  /**
   * While on, every connection, open or new, carries nothing (a partition:
   * packets dropped, not refused). When turned off, the connections it held
   * are closed, as a peer whose state a router lost meanwhile resets them, and
   * new ones work. Returns how many connections it holds (on) or closed (off).
   */
  blackhole(on: boolean): number;
  /** The connections open now. */
  connections(): ProxiedConnection[];
  /** Connections open now through the proxy. */
  readonly open: number;
  close(): Promise<void>;
}

/** One connection through the proxy, by its ports (to match it with what the upstream server reports). */
export interface ProxiedConnection {
  /** The client's port on its side of the proxy. */
  clientPort: number;
  /** The proxy's own port on its connection to the target: the client port the target sees. */
  upstreamPort: number;
  frozen: boolean;
}

/** A port that was free a moment ago on 127.0.0.1 (for programs that must be told their port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let refusing = false;
  let holing = false;
  const pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  const holed = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream, frozen: holing };
    pairs.add(pair);
    if (holing) holed.add(pair);
    client.on('data', (d) => {
      if (!pair.frozen) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!pair.frozen) client.write(d);
    });
    const end = () => {
      pairs.delete(pair);
      holed.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const describe = (pair: { client: Socket; upstream: Socket; frozen: boolean }): ProxiedConnection => ({
    clientPort: pair.client.remotePort ?? 0,
    upstreamPort: pair.upstream.localPort ?? 0,
    frozen: pair.frozen,
  });
  return {
    port,
    via(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    refuse(on: boolean) {
      refusing = on;
    },
    freeze(which = () => true) {
      let frozen = 0;
      for (const pair of pairs) {
        if (pair.frozen || !which(describe(pair))) continue;
        pair.frozen = true;
        frozen += 1;
      }
      return frozen;
    },
    blackhole(on: boolean) {
      holing = on;
      if (on) {
        for (const pair of pairs) {
          pair.frozen = true;
          holed.add(pair);
        }
        return holed.size;
      }
      const closed = holed.size;
      for (const pair of [...holed]) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      holed.clear();
      return closed;
    },
    connections() {
      return [...pairs].map(describe);
    },
    get open() {
      return pairs.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy();
          pair.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
