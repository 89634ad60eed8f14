import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { largeDataUrl, startServer } from '@longrun/testkit';
import { type Answer, call } from '../http.js';
import { startLatencyProbe } from '../latency-probe.js';
import { expect } from '../report.js';
import type { Scenario } from '../scenario.js';

/** The heap the server gets: the old finding died at 512 MB after 247 such jobs. */
const HEAP_MB = 256;
/** The bound on the server's resident memory (VmRSS) throughout. */
const MAX_RSS_MIB = 400;
/** The bound on /healthz latency at the 99th percentile, probed every 50 ms throughout. */
const MAX_HEALTHZ_P99_MS = 100;
/** Just under 1 MiB of URL characters: the largest data: URL the server is to accept. */
const DATA_URL_CHARS = 1024 * 1024 - 64;
/** The size of each uploaded input. */
const UPLOAD_BYTES = 1024 * 1024;
/** A list page may pass its 1 MiB budget by one item; list items leave large inputs out. */
const MAX_PAGE_BYTES = 2 * 1024 * 1024;

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function residentMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

function metric(text: string, line: RegExp): number {
  const m = line.exec(text);
  return m ? Number(m[1]) : 0;
}

/** `bytes` bytes that start as a PNG does and differ by `n`: a 1 MiB upload the server takes as image/png. */
function pngBytes(n: number, bytes: number): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(bytes).fill(n % 251);
  body.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  new DataView(body.buffer).setUint32(8, n);
  return body;
}

/** POST /v1/files with a raw body. */
async function upload(base: string, body: Uint8Array<ArrayBuffer>): Promise<Answer> {
  const res = await fetch(`${base}/v1/files?filename=input.png`, {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: res.status === 201 ? JSON.parse(text) : text,
    text,
  };
}

/**
 * Memory bounded in bytes: a server with a 256 MB heap takes several hundred
 * jobs with ~1 MiB inputs, half as data: URLs and half as uploaded files (scheduled a day ahead and canceled at once,
 * so no processor runs), reads each back and lists them again and again, some
 * lists at once; its RSS, heap and /healthz latency are watched throughout.
 */
export const largeInputs: Scenario = {
  name: 'large-inputs',
  title: `jobs with 1 MiB inputs: a ${HEAP_MB} MB-heap server stays up, under ${MAX_RSS_MIB} MiB RSS, /healthz p99 under ${MAX_HEALTHZ_P99_MS} ms`,
  async run(ctx, result) {
    const jobs = ctx.quick ? 100 : 300;
    const server = await startServer(['--concurrency', '1'], {
      nodeArgs: [`--max-old-space-size=${HEAP_MB}`],
      echo: ctx.echo,
    });
    const base = server.url;
    const pid = server.proc.pid!;
    let running = true;
    let peakRss = 0;
    let peakHeap = 0;
    const loopP99: number[] = [];
    let loopMax = 0;
    const probe = startLatencyProbe(`${base}/healthz`, { intervalMs: 50 });
    const samplers = [
      (async () => {
        while (running && server.proc.exitCode === null) {
          peakRss = Math.max(peakRss, residentMiB(pid));
          await sleep(100);
        }
      })(),
      (async () => {
        // The first scrape's window holds the server's start (modules, tool checks): not the load.
        let first = true;
        while (running) {
          const r = await call(base, 'GET', '/metrics').catch(() => null);
          if (r?.status === 200) {
            peakHeap = Math.max(
              peakHeap,
              metric(r.text, /^longrun_nodejs_heap_size_used_bytes (\S+)/m) / 2 ** 20,
            );
          }
          if (r?.status === 200 && !first) {
            loopP99.push(
              metric(r.text, /^longrun_event_loop_delay_seconds\{quantile="0\.99"\} (\S+)/m) * 1000,
            );
            loopMax = Math.max(
              loopMax,
              metric(r.text, /^longrun_event_loop_delay_seconds\{quantile="max"\} (\S+)/m) * 1000,
            );
          }
          if (r?.status === 200) first = false;
          await sleep(1000);
        }
      })(),
    ];
    const fivexx: string[] = [];
    const seen = (r: Answer, what: string) => {
      if (r.status >= 500) fivexx.push(`${what} → ${r.status}`);
      return r;
    };
    try {
      await probe.ready;
      ctx.log(
        `large-inputs: ${jobs} jobs, half with ${DATA_URL_CHARS}-character data: URLs, half with 1 MiB uploads`,
      );
      const ids: string[] = [];
      const createdAt = performance.now();
      const badReads: string[] = [];
      let uploads = 0;
      /** Job n's image: a data: URL for even n, else a 1 MiB file uploaded first, by its id. */
      const imageOf = async (n: number): Promise<string | null> => {
        if (n % 2 === 0) return largeDataUrl(n, DATA_URL_CHARS);
        const up = seen(await upload(base, pngBytes(n, UPLOAD_BYTES)), 'upload');
        if (up.status !== 201) {
          expect(result, false, `upload ${n}: ${up.status} ${up.text.slice(0, 120)}`);
          return null;
        }
        uploads += 1;
        return up.body.id as string;
      };
      const one = async (n: number) => {
        const imageUrl = await imageOf(n);
        if (imageUrl === null) return;
        const made = seen(
          await call(base, 'POST', '/v1/jobs', {
            body: {
              type: 'image.to_video',
              input: { image_url: imageUrl },
              run_in_seconds: 86_400,
            },
            timeoutMs: 60_000,
          }),
          'create',
        );
        if (made.status !== 202) {
          expect(result, false, `create ${n}: ${made.status} ${made.text.slice(0, 120)}`);
          return;
        }
        ids.push(made.body.id);
        seen(await call(base, 'POST', `/v1/jobs/${made.body.id}/cancel`), 'cancel');
        const read = seen(await call(base, 'GET', `/v1/jobs/${made.body.id}`), 'read');
        if (read.body?.input?.image_url !== imageUrl) badReads.push(made.body.id);
        if (n % 2 === 1) {
          const content = seen(await call(base, 'GET', `/v1/files/${imageUrl}/content`), 'file read');
          if (content.status !== 200 || Buffer.byteLength(content.text, 'latin1') === 0) {
            badReads.push(imageUrl);
          }
        }
      };
      for (let n = 0; n < jobs && server.proc.exitCode === null; n += 4) {
        await Promise.all([n, n + 1, n + 2, n + 3].filter((k) => k < jobs).map(one));
      }
      result.jobs = ids.length;
      const createSeconds = (performance.now() - createdAt) / 1000;

      // Lists: one at a time, then eight at once, five rounds.
      const listTimes: number[] = [];
      let largestPage = 0;
      const list = async () => {
        const started = performance.now();
        const r = seen(await call(base, 'GET', '/v1/jobs?limit=200', { timeoutMs: 60_000 }), 'list');
        listTimes.push(performance.now() - started);
        largestPage = Math.max(largestPage, Buffer.byteLength(r.text));
        return r;
      };
      for (let round = 0; round < 5 && server.proc.exitCode === null; round++) {
        await list();
        await Promise.all(Array.from({ length: 8 }, list));
      }
      // And every job, page by page.
      let listed = 0;
      let cursor: string | null = '';
      while (cursor !== null && server.proc.exitCode === null) {
        const r = seen(
          await call(base, 'GET', `/v1/jobs?limit=200${cursor ? `&cursor=${cursor}` : ''}`),
          'page',
        );
        listed += r.body?.data?.length ?? 0;
        largestPage = Math.max(largestPage, Buffer.byteLength(r.text));
        cursor = r.status === 200 ? r.body.next_cursor : null;
      }
      await sleep(1500);

      const alive = server.proc.exitCode === null && (await call(base, 'GET', '/healthz')).status === 200;
      const { latencies: healthz, failures: healthzFailures } = await probe.stop();
      const p50 = quantile(healthz, 0.5);
      const p99 = quantile(healthz, 0.99);
      result.serverErrors = fivexx.length;
      expect(result, alive, `the server died: ${server.output().split('\n').slice(-5).join(' ')}`);
      expect(result, fivexx.length === 0, `5xx: ${fivexx.slice(0, 3).join('; ')}`);
      expect(result, badReads.length === 0, `${badReads.length} jobs read back without their input`);
      expect(result, listed === ids.length, `paging listed ${listed} of ${ids.length} jobs`);
      expect(result, peakRss < MAX_RSS_MIB, `peak RSS ${peakRss.toFixed(0)} MiB, over ${MAX_RSS_MIB} MiB`);
      expect(
        result,
        p99 < MAX_HEALTHZ_P99_MS,
        `/healthz p99 ${p99.toFixed(0)} ms, over ${MAX_HEALTHZ_P99_MS} ms`,
      );
      expect(result, healthzFailures === 0, `${healthzFailures} /healthz probes failed`);
      expect(result, largestPage <= MAX_PAGE_BYTES, `a list page of ${largestPage} bytes`);
      result.notes.push(
        `${ids.length} jobs × ${DATA_URL_CHARS}-char data: URL or uploaded file created, canceled, read in ${createSeconds.toFixed(0)} s (node --max-old-space-size=${HEAP_MB})`,
        `peak RSS ${peakRss.toFixed(0)} MiB (bound ${MAX_RSS_MIB}), peak heap used ${peakHeap.toFixed(0)} MiB`,
        `/healthz every 50 ms: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (n=${healthz.length})`,
        `event-loop delay after start: worst p99 of a 1 s window ${Math.max(0, ...loopP99).toFixed(1)} ms, max ${loopMax.toFixed(0)} ms`,
        `GET /v1/jobs?limit=200 ×${listTimes.length} (8 at once): p50 ${quantile(listTimes, 0.5).toFixed(0)} ms, max ${Math.max(...listTimes).toFixed(0)} ms, largest page ${(largestPage / 1024).toFixed(0)} KiB`,
        `${uploads} of them made from ${UPLOAD_BYTES / 2 ** 20} MiB files uploaded through POST /v1/files, each read back`,
      );
    } finally {
      running = false;
      await Promise.all([...samplers, probe.stop()]);
      await server.kill('SIGKILL');
      await server.close();
    }
  },
};
