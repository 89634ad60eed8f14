import { setTimeout as sleep } from 'node:timers/promises';

const TERMINAL = new Set(['completed', 'failed', 'canceled']);

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
      const decoder = new TextDecoder();
      let buffer = '';
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut = buffer.indexOf('\n\n');
        while (cut !== -1) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf('\n\n');
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('');
          const idLine = block.split('\n').find((l) => l.startsWith('id: '));
          if (idLine) lastId = idLine.slice(4);
          if (!data) continue;
          const job = JSON.parse(data) as SseWaited['terminal'];
          if (TERMINAL.has(job.status)) {
            terminalEvents += 1;
            terminal = job;
          }
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
