import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { call, eventually, readSse, startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';

useCleanup();

const job = (seconds: number) => ({ type: 'simulate', input: { duration_seconds: seconds, error_rate: 0 } });

describe('GET /v1/jobs/{id}/events', () => {
  it('streams every change with its version as the event id, and ends after the terminal event', async () => {
    const { url } = await startApp();
    const { body: created } = await call(url, 'POST', '/v1/jobs', { body: job(1) });
    const events = (await readSse(`${url}/v1/jobs/${created.id}/events`)).filter((e) => !e.comment);
    const jobs = events.map((e) => JSON.parse(e.data));
    expect(events.every((e) => e.event === 'job')).toBe(true);
    expect(events.map((e) => Number(e.id))).toEqual(jobs.map((j) => j.version));
    const versions = jobs.map((j) => j.version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
    expect(jobs.at(-1)).toMatchObject({ status: 'completed', progress: 100 });
    expect(jobs.some((j) => j.status === 'running' && j.progress > 0 && j.progress < 100)).toBe(true);
    const progress = jobs.filter((j) => j.status === 'running').map((j) => j.progress);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('resumes after Last-Event-ID without repeating what was seen', async () => {
    const { url } = await startApp();
    const { body: created } = await call(url, 'POST', '/v1/jobs', { body: job(0.5) });
    const first = await readSse(`${url}/v1/jobs/${created.id}/events`, {
      until: (e) => e.event === 'job' && Number(e.id) >= 3,
    });
    const lastId = first.filter((e) => e.event === 'job').at(-1)!.id!;
    const rest = (
      await readSse(`${url}/v1/jobs/${created.id}/events`, { headers: { 'last-event-id': lastId } })
    ).filter((e) => !e.comment);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((e) => Number(e.id) > Number(lastId))).toBe(true);
    expect(JSON.parse(rest.at(-1)!.data).status).toBe('completed');
  });

  it('sends a finished job once and ends; sends nothing when Last-Event-ID is already its version', async () => {
    const { url } = await startApp();
    const { body: done } = await call(url, 'POST', '/v1/jobs', {
      body: job(0),
      headers: { prefer: 'wait=10' },
    });
    const events = (await readSse(`${url}/v1/jobs/${done.id}/events`)).filter((e) => !e.comment);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.data).status).toBe('completed');
    const none = (
      await readSse(`${url}/v1/jobs/${done.id}/events`, {
        headers: { 'last-event-id': String(done.version) },
      })
    ).filter((e) => !e.comment);
    expect(none).toEqual([]);
  });

  it('pings with comments while nothing changes', async () => {
    const { url } = await startApp({ argv: ['--role', 'api', '--sse-keepalive', '100ms'] });
    const { body: created } = await call(url, 'POST', '/v1/jobs', { body: job(5) });
    const events = await readSse(`${url}/v1/jobs/${created.id}/events`, { until: (e) => e.comment });
    expect(events.some((e) => e.comment)).toBe(true);
  });

  it('answers 404 in the JSON error shape for an unknown job', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const r = await call(url, 'GET', '/v1/jobs/missing/events');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('job_not_found');
  });
});

describe('GET /v1/events', () => {
  it("streams every change of the caller's jobs, filtered by type and status", async () => {
    const { url } = await startApp();
    const controller = new AbortController();
    const seen = readSse(`${url}/v1/events?type=simulate&status=completed`, {
      signal: controller.signal,
      until: (e) => e.event === 'job' && JSON.parse(e.data).id === 'last',
    });
    await new Promise((r) => setTimeout(r, 100));
    await call(url, 'POST', '/v1/jobs', {
      body: {
        type: 'video.translate',
        input: {
          video_url: 'https://x.example/v.mp4',
          target_language: 'fr',
          duration_seconds: 0,
          error_rate: 0,
        },
      },
      headers: { prefer: 'wait=10' },
    });
    await call(url, 'POST', '/v1/jobs', { body: { ...job(0), id: 'first' }, headers: { prefer: 'wait=10' } });
    await call(url, 'POST', '/v1/jobs', { body: { ...job(0), id: 'last' }, headers: { prefer: 'wait=10' } });
    const events = (await seen).filter((e) => e.event === 'job').map((e) => JSON.parse(e.data));
    expect(events.map((j) => [j.id, j.status])).toEqual([
      ['first', 'completed'],
      ['last', 'completed'],
    ]);
  });

  it('cuts off a reader that falls megabytes behind on many jobs, rather than holding what it missed', async () => {
    const { url } = await startApp({ argv: ['--role', 'api', '--body-limit', '2m'] });
    const streams = async () =>
      Number(/^longrun_sse_streams (\d+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.write('GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(socket, 'data');
    // A reader that reads no more: what the server sends fills the socket buffers, then waits in memory.
    socket.pause();
    expect(await streams()).toBe(1);
    const image = `data:image/png;base64,${Buffer.alloc(300 * 1024, 7).toString('base64')}`;
    // 100 jobs of 400 KB: 40 MB of events, beyond the kernel's buffers and the stream's budget.
    for (let i = 0; i < 100 && (await streams()) > 0; i++) {
      const r = await call(url, 'POST', '/v1/jobs', {
        body: { type: 'image.to_video', input: { image_url: image }, run_in_seconds: 86_400 },
      });
      expect(r.status).toBe(202);
    }
    await eventually(async () => (await streams()) === 0);
    socket.destroy();
  });

  it('ends open streams when the server closes', async () => {
    const t = await startApp({ argv: ['--role', 'api'] });
    const stream = readSse(`${t.url}/v1/events`);
    await new Promise((r) => setTimeout(r, 100));
    await t.close();
    await expect(stream).resolves.toEqual(expect.any(Array));
  });
});

describe('HEAD on an event stream', () => {
  it('is answered at once (no route), not held open like the stream it would describe', async () => {
    const { url } = await startApp();
    const { body: created } = await call(url, 'POST', '/v1/jobs', { body: job(30) });
    for (const path of ['/v1/events', `/v1/jobs/${created.id}/events`]) {
      const res = await fetch(`${url}${path}`, { method: 'HEAD' });
      expect([path, res.status]).toEqual([path, 404]);
    }
    await call(url, 'POST', `/v1/jobs/${created.id}/cancel`);
  });
});

describe('POST /v1/jobs/events', () => {
  const data = (events: { event?: string; data: string }[], name: string) =>
    events.filter((e) => e.event === name).map((e) => JSON.parse(e.data));

  it("streams each job's snapshot and changes, tells of ids with no job, and ends once every job has", async () => {
    const { url } = await startApp();
    const done = await call(url, 'POST', '/v1/jobs', { body: job(0), headers: { prefer: 'wait=10' } });
    expect(done.body.status).toBe('completed');
    const short = await call(url, 'POST', '/v1/jobs', { body: job(0.3) });
    const canceled = await call(url, 'POST', '/v1/jobs', { body: { ...job(0), run_in_seconds: 3600 } });
    const ids = [done.body.id, short.body.id, 'no-such-job', canceled.body.id, short.body.id];
    const stream = readSse(`${url}/v1/jobs/events`, { body: { ids } });
    await new Promise((r) => setTimeout(r, 100));
    await call(url, 'POST', `/v1/jobs/${canceled.body.id}/cancel`);
    const events = (await stream).filter((e) => !e.comment);

    expect(events.at(-1)).toMatchObject({ event: 'end' });
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ jobs: 3, missing: 1 });
    expect(data(events, 'missing')).toEqual([{ id: 'no-such-job' }]);
    const jobs = data(events, 'job');
    // The finished job once, as it is; each job's snapshots in order of version, ending with its end.
    expect(jobs.filter((j) => j.id === done.body.id)).toEqual([done.body]);
    for (const [id, status] of [
      [short.body.id, 'completed'],
      [canceled.body.id, 'canceled'],
    ]) {
      const versions = jobs.filter((j) => j.id === id).map((j) => j.version);
      expect(versions.length).toBeGreaterThan(1);
      expect([...versions].sort((a, b) => a - b)).toEqual(versions);
      expect(new Set(versions).size).toBe(versions.length);
      expect(jobs.filter((j) => j.id === id).at(-1).status).toBe(status);
    }
    expect(events.every((e) => e.id === undefined)).toBe(true);
  });

  it('ends at once with the end event when every job has already ended', async () => {
    const { url } = await startApp();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(url, 'POST', '/v1/jobs', { body: job(0), headers: { prefer: 'wait=10' } });
      ids.push(r.body.id);
    }
    const events = (await readSse(`${url}/v1/jobs/events`, { body: { ids } })).filter((e) => !e.comment);
    expect(events.map((e) => e.event)).toEqual(['job', 'job', 'job', 'end']);
    expect(data(events, 'job').map((j) => [j.id, j.status])).toEqual(ids.map((id) => [id, 'completed']));
  });

  it('sends only the snapshots in the states asked for, and still ends once every job has', async () => {
    const { url } = await startApp();
    const a = await call(url, 'POST', '/v1/jobs', { body: job(0.3) });
    const b = await call(url, 'POST', '/v1/jobs', { body: job(0.1) });
    const events = (
      await readSse(`${url}/v1/jobs/events`, {
        body: { ids: [a.body.id, b.body.id], status: ['completed', 'failed', 'canceled'] },
      })
    ).filter((e) => !e.comment);
    expect(events.map((e) => e.event)).toEqual(['job', 'job', 'end']);
    expect(
      data(events, 'job')
        .map((j) => [j.id, j.status])
        .sort(),
    ).toEqual(
      [
        [a.body.id, 'completed'],
        [b.body.id, 'completed'],
      ].sort(),
    );
    const bad = await call(url, 'POST', '/v1/jobs/events', { body: { ids: [a.body.id], status: ['done'] } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
  });

  it('follows more jobs than it reads at once', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const jobs = Array.from({ length: 250 }, (_, i) => ({ ...job(0), id: `j-${i}`, run_in_seconds: 3600 }));
    const made = await call(url, 'POST', '/v1/jobs/batch', { body: { jobs } });
    expect(made.body.data.every((d: { status: number }) => d.status === 202)).toBe(true);
    const ids = [...jobs.map((j) => j.id), 'gone'];
    const stream = readSse(`${url}/v1/jobs/events`, { body: { ids } });
    await eventually(async () => {
      const all = await Promise.all(
        ids.slice(0, 250).map((id) => call(url, 'POST', `/v1/jobs/${id}/cancel`)),
      );
      return all.every((r) => r.status === 200);
    });
    const events = (await stream).filter((e) => !e.comment);
    const ended = data(events, 'job')
      .filter((j) => j.status === 'canceled')
      .map((j) => j.id);
    expect(ended.sort()).toEqual(ids.slice(0, 250).sort());
    expect(data(events, 'end')).toEqual([{ jobs: 250, missing: 1 }]);
  });

  it('refuses bad requests in the JSON error shape, before the stream begins', async () => {
    const { url } = await startApp({ argv: ['--role', 'api', '--max-batch-jobs', '3'] });
    const post = (body: unknown) => call(url, 'POST', '/v1/jobs/events', { body });
    for (const [body, status, code] of [
      [{ ids: [] }, 400, 'invalid_request'],
      [{ ids: [{ id: 'a' }] }, 400, 'invalid_request'],
      [{ ids: { a: 1 } }, 400, 'invalid_request'],
      [{}, 400, 'invalid_request'],
      [{ ids: ['a'], extra: 1 }, 400, 'invalid_request'],
      [{ ids: ['a', '../etc'] }, 400, 'invalid_job_id'],
      [{ ids: ['a', 'b', 'c', 'd'] }, 413, 'batch_too_large'],
    ] as const) {
      const r = await post(body);
      expect([JSON.stringify(body), r.status, r.body.error?.code]).toEqual([
        JSON.stringify(body),
        status,
        code,
      ]);
    }
    // An id given twice is one job: four names of three jobs are within the limit.
    const ok = await readSse(`${url}/v1/jobs/events`, { body: { ids: ['a', 'b', 'c', 'a'] } });
    expect(data(ok, 'missing').map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect((await post({ ids: ['a', 'b', 'c', 'd'] })).body.error.details).toEqual({ jobs: 4, limit: 3 });
  });
});
