import { describe, expect, it } from 'vitest';
import {
  APIUserAbortError,
  type Job,
  JobFailedError,
  Longrun,
  NotFoundError,
  type Transport,
  UnknownStatusError,
  WaitTimeoutError,
} from '../src/index.js';
import { type Call, hang, job, json, scriptedFetch } from './helpers.js';

const base = 'http://127.0.0.1:1';

/** An event-stream reply with these events; `open` leaves it hanging after them. */
function sse(events: Array<Record<string, unknown>>, { open = false } = {}) {
  return (_call: Call, signal: AbortSignal | undefined) => {
    const text = `retry: 1000\n\n${events.map((j) => `event: job\nid: ${j.version}\ndata: ${JSON.stringify(j)}\n\n`).join('')}`;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        if (!open) controller.close();
        signal?.addEventListener('abort', () => controller.error(signal.reason));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
  };
}

function transports() {
  const used: Transport[] = [];
  return { used, onTransport: (t: Transport) => used.push(t) };
}

describe('wait', () => {
  it('over SSE: one request, onProgress on each new version, resolves with the terminal job', async () => {
    const { fetch, calls } = scriptedFetch([
      sse([job({ version: 1 }), job({ version: 2, progress: 50 }), job({ version: 3, status: 'completed' })]),
    ]);
    const progress: number[] = [];
    const t = transports();
    const done = await new Longrun({ baseUrl: base, fetch }).jobs.wait('j1', {
      onProgress: (j) => progress.push(j.version),
      onTransport: t.onTransport,
    });
    expect(done.status).toBe('completed');
    expect(progress).toEqual([1, 2, 3]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers.accept).toBe('text/event-stream');
    expect(t.used).toEqual(['sse']);
  });

  it('resumes a dropped stream with Last-Event-ID', async () => {
    const { fetch, calls } = scriptedFetch([
      sse([job({ version: 4 })]),
      sse([job({ version: 5, status: 'failed', error: { code: 'simulated_error', message: 'x' } })]),
    ]);
    const done = await new Longrun({ baseUrl: base, fetch }).jobs.wait('j1');
    expect(done.status).toBe('failed');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.headers['last-event-id']).toBeUndefined();
    expect(calls[1]!.headers['last-event-id']).toBe('4');
  });

  it('events(): a stream gone silent (no pings) is reopened after idleTimeoutMs with Last-Event-ID', async () => {
    const { fetch, calls } = scriptedFetch([
      sse([job({ version: 2 })], { open: true }),
      sse([job({ version: 3, status: 'completed' })]),
    ]);
    const seen: number[] = [];
    for await (const j of new Longrun({ baseUrl: base, fetch }).jobs.events('j1', { idleTimeoutMs: 50 })) {
      seen.push(j.version);
    }
    expect(seen).toEqual([2, 3]);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers['last-event-id']).toBe('2');
  });

  it('auto: a proxy refusing event streams -> one long-poll held until the end', async () => {
    const { fetch, calls } = scriptedFetch([
      new Response('event streams are not allowed here', {
        status: 403,
        headers: { 'content-type': 'text/plain' },
      }),
      json(200, job({ version: 9, status: 'completed' })),
    ]);
    const t = transports();
    const done = await new Longrun({ baseUrl: base, fetch }).jobs.wait('j1', { onTransport: t.onTransport });
    expect(done.version).toBe(9);
    expect(t.used).toEqual(['sse', 'long-poll']);
    const url = new URL(calls[1]!.url);
    expect(url.pathname).toBe('/v1/jobs/j1');
    expect(url.searchParams.get('until')).toBe('terminal');
    expect(Number(url.searchParams.get('wait'))).toBeGreaterThan(50);
  });

  it('long-poll with onProgress holds a second at most, so progress shows while the end comes at once', async () => {
    const held =
      (version: number, status = 'running') =>
      () =>
        new Promise<Response>((resolve) =>
          setTimeout(() => resolve(json(200, job({ version, status }))), 1000),
        );
    const { fetch, calls } = scriptedFetch([
      held(2),
      held(5),
      json(200, job({ version: 7, status: 'completed' })),
    ]);
    const progress: number[] = [];
    const done = await new Longrun({ baseUrl: base, fetch }).jobs.wait('j1', {
      strategy: 'long-poll',
      onProgress: (j) => progress.push(j.version),
    });
    expect(done.version).toBe(7);
    expect(progress).toEqual([2, 5, 7]);
    for (const call of calls) {
      const url = new URL(call.url);
      expect(url.searchParams.get('wait')).toBe('1');
      expect(url.searchParams.get('until')).toBe('terminal');
    }
    expect(new URL(calls[1]!.url).searchParams.get('since')).toBe('2');
  });

  it('auto: a reply that is not an event stream counts as SSE blocked too', async () => {
    const { fetch } = scriptedFetch([json(200, job()), json(200, job({ version: 2, status: 'completed' }))]);
    const t = transports();
    await new Longrun({ baseUrl: base, fetch }).jobs.wait('j1', { onTransport: t.onTransport });
    expect(t.used).toEqual(['sse', 'long-poll']);
  });

  it('auto: a server that answers ?wait at once -> adaptive polling, following Poll-After-Ms', async () => {
    const { fetch, calls } = scriptedFetch([
      json(404, { error: { code: 'route_not_found', message: 'no' } }),
      json(200, job({ version: 1 }), { 'poll-after-ms': '5' }),
      json(200, job({ version: 1 }), { 'poll-after-ms': '5' }),
      json(200, job({ version: 2, status: 'completed' })),
    ]);
    const t = transports();
    const done = await new Longrun({ baseUrl: base, fetch }).jobs.wait('j1', { onTransport: t.onTransport });
    expect(done.status).toBe('completed');
    expect(t.used).toEqual(['sse', 'long-poll', 'poll']);
    expect(new URL(calls[3]!.url).search).toBe('');
  });

  it('a job that does not exist ends the wait with NotFoundError, without fallbacks', async () => {
    const { fetch, calls } = scriptedFetch([
      json(404, { error: { code: 'job_not_found', message: 'No job' } }),
    ]);
    await expect(new Longrun({ baseUrl: base, fetch }).jobs.wait('nope')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(calls).toHaveLength(1);
  });

  it('an unknown status ends the wait with UnknownStatusError, on every transport', async () => {
    for (const strategy of ['sse', 'long-poll', 'poll'] as const) {
      const odd = job({ status: 'paused' });
      const { fetch } = scriptedFetch([strategy === 'sse' ? sse([odd]) : json(200, odd)]);
      const err = await new Longrun({ baseUrl: base, fetch }).jobs.wait('j1', { strategy }).catch((e) => e);
      expect(err).toBeInstanceOf(UnknownStatusError);
      expect(err.value).toBe('paused');
    }
  });

  it('the deadline ends a wait with WaitTimeoutError carrying the last job seen', async () => {
    const { fetch } = scriptedFetch([sse([job({ version: 3, progress: 30 })], { open: true })]);
    const err = await new Longrun({ baseUrl: base, fetch }).jobs
      .wait('j1', { timeoutMs: 150 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err.last as Job).version).toBe(3);
  });

  it('polling at the deadline makes one last check and then gives up', async () => {
    const { fetch, calls } = scriptedFetch([
      json(200, job({ version: 1 }), { 'poll-after-ms': '60000' }),
      json(200, job({ version: 2 }), { 'poll-after-ms': '60000' }),
    ]);
    const err = await new Longrun({ baseUrl: base, fetch }).jobs
      .wait('j1', { strategy: 'poll', timeoutMs: 200 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.last.version).toBe(2);
    expect(calls).toHaveLength(2);
  });

  it('abort ends the wait at once with APIUserAbortError', async () => {
    for (const strategy of ['sse', 'long-poll', 'poll'] as const) {
      const { fetch } = scriptedFetch([
        strategy === 'poll' ? json(200, job(), { 'poll-after-ms': '60000' }) : hang,
      ]);
      const controller = new AbortController();
      const pending = new Longrun({ baseUrl: base, fetch }).jobs.wait('j1', {
        strategy,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 20);
      await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    }
  });

  it('from a snapshot in hand: no request for a finished job, and polling waits before its first request', async () => {
    const { fetch, calls } = scriptedFetch([json(200, job({ version: 3, status: 'completed' }))]);
    const client = new Longrun({ baseUrl: base, fetch });
    const finished = job({ version: 2, status: 'canceled' }) as Job;
    expect(await client.jobs.wait(finished)).toBe(finished);
    expect(calls).toHaveLength(0);
    const progress: number[] = [];
    const sent: number[] = [];
    const started = Date.now();
    const timed: typeof fetch = (input, init) => {
      sent.push(Date.now() - started);
      return fetch(input, init);
    };
    const done = await new Longrun({ baseUrl: base, fetch: timed }).jobs.wait(
      job({ status: 'queued' }) as Job,
      {
        strategy: 'poll',
        onProgress: (j) => progress.push(j.version),
      },
    );
    expect(done.version).toBe(3);
    expect(calls).toHaveLength(1);
    expect(sent[0]).toBeGreaterThanOrEqual(40);
    expect(progress).toEqual([3]);
  });

  it('run() creates, waits, and throws JobFailedError when the job fails', async () => {
    const failed = job({ version: 6, status: 'failed', error: { code: 'simulated_error', message: 'boom' } });
    const { fetch, calls } = scriptedFetch([json(202, job({ status: 'queued' })), sse([failed])]);
    const err = await new Longrun({ baseUrl: base, fetch })
      .run('simulate', { duration_seconds: 1 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(JobFailedError);
    expect(err.code).toBe('simulated_error');
    expect(err.job.version).toBe(6);
    expect(calls.map((c) => c.method)).toEqual(['POST', 'GET']);
  });
});
