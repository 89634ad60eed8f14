import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Above this many buffered bytes a stream counts as slow: events then wait,
 * and a newer event with the same key replaces the one waiting (a job's
 * newest snapshot is all a slow reader needs).
 */
const HIGH_WATER = 64 * 1024;
/**
 * The most a slow stream may hold waiting, in bytes, beyond one event: a
 * firehose reader that falls behind on thousands of different jobs is cut
 * off (it reconnects and lists what it missed) rather than held in memory.
 * A single waiting event is always kept, however large: that is the newest
 * snapshot of a job, and a reader of one job's stream never holds more.
 */
export const MAX_PENDING_BYTES = 4 * 1024 * 1024;

/**
 * The last event encoded. A change fans out to every stream watching the job
 * one after another with the same event, id and (cached) data, so they all
 * share one buffer instead of each encoding the job's JSON again.
 */
let last: { event: string; id: string | number | undefined; data: string; chunk: Buffer } | null = null;

function encode(event: string, id: string | number | undefined, data: string): Buffer {
  if (last && last.data === data && last.event === event && last.id === id) return last.chunk;
  const chunk = Buffer.from(`event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${data}\n\n`);
  last = { event, id, data, chunk };
  return chunk;
}

export interface SseStream {
  /** Send an event now, or, when the client is slow, keep only the newest of each key until it drains. */
  send(event: { event: string; id?: string | number; data: string; key?: string }): void;
  end(): void;
  readonly closed: boolean;
  /** Resolves when the client goes away or the stream is ended. */
  readonly done: Promise<void>;
}

/**
 * Take over the reply and open a Server-Sent Events stream with comment pings
 * every `keepaliveMs`. Open streams are tracked so shutdown can end them.
 */
export function openSse(
  reply: FastifyReply,
  { keepaliveMs, open }: { keepaliveMs: number; open: Set<SseStream> },
): SseStream {
  reply.hijack();
  const res: ServerResponse = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...(reply.getHeaders() as Record<string, string>),
  });
  res.write('retry: 1000\n\n');
  let closed = false;
  const pending = new Map<string, Buffer>();
  let pendingBytes = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const ping = setInterval(() => {
    if (!closed && res.writableLength < HIGH_WATER) res.write(': ping\n\n');
  }, keepaliveMs);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(ping);
    open.delete(stream);
    resolveDone();
  };
  // Writes of one tick leave in one syscall: a terminal event and the end of the
  // stream that follows it are one write per stream when a job fans out to many.
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  const write = (chunk: string | Buffer) => {
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(uncork);
    }
    res.write(chunk);
  };
  const flush = () => {
    for (const chunk of pending.values()) write(chunk);
    pending.clear();
    pendingBytes = 0;
  };
  res.on('drain', () => {
    if (!closed) flush();
  });
  res.on('close', close);
  res.on('error', close);

  const stream: SseStream = {
    send({ event, id, data, key = '' }) {
      if (closed) return;
      const chunk = encode(event, id, data);
      if (pending.size > 0 || res.writableLength > HIGH_WATER) {
        const replaced = pending.get(key);
        pending.delete(key); // keep arrival order: the replaced event moves to the end
        pending.set(key, chunk);
        pendingBytes += chunk.length - (replaced?.length ?? 0);
        if (pending.size > 1 && pendingBytes > MAX_PENDING_BYTES) {
          // Too far behind to catch up from memory: drop the connection and what waits for it.
          pending.clear();
          pendingBytes = 0;
          close();
          res.destroy();
        }
      } else write(chunk);
    },
    end() {
      if (closed) return;
      flush();
      close();
      res.end();
    },
    get closed() {
      return closed;
    },
    done,
  };
  open.add(stream);
  return stream;
}
