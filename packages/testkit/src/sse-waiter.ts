import { setTimeout as sleep } from 'node:timers/promises';
import { sseBlocks } from './sse.js';

/**
 * The states that end a job. A copy: the server's table is jobs/states.ts, which testkit does
 * not import (the server's tests import testkit); a test holds the two equal.
 */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'canceled']);

export interface SseWaited {
  id: string;
  /** The job in its terminal event. */
  terminal: { status: string; attempt: number; version: number } & Record<string, unknown>;
  /** Terminal events seen, over every connection: exactly one is right. */
  terminalEvents: number;
  reconnects: number;
  /** Date.now() when the terminal event arrived. */
  at: number;
}

export interface SseWaitOptions {
  /** Date.now() by which the job must be terminal, else the wait rejects. */
  deadline: number;
  headers?: Record<string, string>;
  /** Pause before reconnecting after a dropped stream or an error answer. @default 100 */
  reconnectDelayMs?: number;
}

/**
 * Wait for a job's terminal event by SSE on `/v1/jobs/{id}/events`, as a
 * client would: on a dropped stream or an error answer, reconnect with
 * Last-Event-ID. Rejects at the deadline: a waiter left hanging.
 */
export async function waitBySse(
  base: string,
  id: string,
  { deadline, headers = {}, reconnectDelayMs = 100 }: SseWaitOptions,
): Promise<SseWaited> {
  let lastId: string | undefined;
  let reconnects = 0;
  let terminalEvents = 0;
  let terminal: SseWaited['terminal'] | undefined;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/v1/jobs/${encodeURIComponent(id)}/events`, {
        headers: lastId ? { ...headers, 'last-event-id': lastId } : headers,
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
      if (res.status !== 200 || !res.body) {
        await res.body?.cancel();
        throw new Error(`status ${res.status}`);
      }
      for await (const e of sseBlocks(res.body)) {
        if (e.id !== undefined) lastId = e.id;
        if (!e.data) continue;
        const job = JSON.parse(e.data) as SseWaited['terminal'];
        if (TERMINAL_STATUSES.has(job.status)) {
          terminalEvents += 1;
          terminal = job;
        }
      }
      if (terminal) return { id, terminal, terminalEvents, reconnects, at: Date.now() };
    } catch {
      // A dropped stream or an error answer: reconnect below, as a client would.
    }
    reconnects += 1;
    await sleep(reconnectDelayMs);
  }
  throw new Error(`the waiter for job ${id} was left hanging (last event id ${lastId ?? 'none'})`);
}
