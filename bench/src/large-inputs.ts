/**
 * Large inputs: what a server holds for jobs whose inputs are large.
 *
 * 1,000 jobs (200 with --quick) are made with a ~1 MiB `data:` URL each (the
 * largest `--max-data-url-size` allows by default), scheduled a day ahead so
 * none runs; then each is read back once and all are listed, 200 a page. The
 * server's RSS (from /proc) and heap (from /metrics) are taken at idle, after
 * the creates and after the reads, and RSS is sampled throughout for its peak.
 * The figure is the growth per 1,000 jobs: the stored inputs are about a
 * gigabyte, and memory bounded in bytes keeps the growth far below that.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { largeDataUrl } from '@longrun/testkit';
import { deploy } from './lib/longrun.js';
import { runScenarioIfMain } from './lib/main.js';
import { rss } from './lib/proc.js';
import type { Goal, ScenarioOptions, ScenarioResult } from './lib/scenario.js';
import { fmt, quantile } from './lib/stats.js';

const MiB = 1024 * 1024;
/** Characters of each job's data: URL: just under the default --max-data-url-size (1 MiB). */
const URL_CHARS = MiB - 64;
/** Growth per 1,000 stored jobs the goal allows: the read cache's 64 MiB budget, and room for the rest. */
const MAX_GROWTH_PER_1000_MIB = 200;

/** A process's resident memory in MiB. */
function rssMiB(pid: number): number {
  return rss(pid) / MiB;
}

async function heapMiB(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^longrun_nodejs_heap_size_used_bytes (\S+)/m.exec(text);
  return m ? Number(m[1]) / MiB : Number.NaN;
}

interface Measured {
  store: string;
  jobs: number;
  idleRss: number;
  idleHeap: number;
  createdRss: number;
  createdHeap: number;
  readRss: number;
  readHeap: number;
  peakRss: number;
  createRate: number;
  readP50: number;
  listP50: number;
  listP99: number;
}

async function measure(store: 'sqlite' | 'postgres', jobs: number): Promise<Measured> {
  const d = await deploy({
    store,
    concurrency: 1,
    args: ['--rate-limit-create', '0', '--rate-limit-read', '0'],
  });
  const pid = d.server.proc.pid!;
  let peakRss = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakRss = Math.max(peakRss, rssMiB(pid));
      await sleep(100);
    }
  })();
  try {
    for (let i = 0; i < 20; i++) await (await fetch(`${d.url}/v1/jobs?limit=1`)).text();
    const idleRss = rssMiB(pid);
    const idleHeap = await heapMiB(d.url);
    const ids: string[] = [];
    const t0 = performance.now();
    for (let n = 0; n < jobs; n += 4) {
      await Promise.all(
        [n, n + 1, n + 2, n + 3]
          .filter((k) => k < jobs)
          .map(async (k) => {
            const res = await fetch(`${d.url}/v1/jobs`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                type: 'image.to_video',
                input: { image_url: largeDataUrl(k, URL_CHARS) },
                run_in_seconds: 86_400,
              }),
            });
            const text = await res.text();
            if (res.status !== 202) throw new Error(`create answered ${res.status}: ${text.slice(0, 200)}`);
            ids.push((JSON.parse(text) as { id: string }).id);
          }),
      );
    }
    const createRate = jobs / ((performance.now() - t0) / 1000);
    const createdRss = rssMiB(pid);
    const createdHeap = await heapMiB(d.url);
    const reads: number[] = [];
    for (let i = 0; i < ids.length; i += 4) {
      await Promise.all(
        ids.slice(i, i + 4).map(async (id) => {
          const started = performance.now();
          await (await fetch(`${d.url}/v1/jobs/${id}`)).arrayBuffer();
          reads.push(performance.now() - started);
        }),
      );
    }
    const lists: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const started = performance.now();
      const res = await fetch(`${d.url}/v1/jobs?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      const page = (await res.json()) as { next_cursor: string | null };
      lists.push(performance.now() - started);
      cursor = page.next_cursor;
    }
    return {
      store,
      jobs,
      idleRss,
      idleHeap,
      createdRss,
      createdHeap,
      readRss: rssMiB(pid),
      readHeap: await heapMiB(d.url),
      peakRss,
      createRate,
      readP50: quantile(reads, 0.5),
      listP50: quantile(lists, 0.5),
      listP99: quantile(lists, 0.99),
    };
  } finally {
    sampling = false;
    await sampler;
    await d.stop();
  }
}

export async function run({ quick }: ScenarioOptions): Promise<ScenarioResult> {
  const jobs = quick ? 200 : 1000;
  const results = [await measure('sqlite', jobs), await measure('postgres', jobs)];
  const per1000 = (from: number, to: number, n: number) => ((to - from) * 1000) / n;
  const goals: Goal[] = results.map((r) => {
    const growth = per1000(r.idleRss, Math.max(r.createdRss, r.readRss), r.jobs);
    return {
      goal: `longrun/${r.store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: RSS growth per 1,000 stored 1 MiB-input jobs <= ${MAX_GROWTH_PER_1000_MIB} MiB`,
      met: growth <= MAX_GROWTH_PER_1000_MIB,
      figure: `${fmt(growth, 0)} MiB (RSS ${fmt(r.idleRss, 0)} -> ${fmt(Math.max(r.createdRss, r.readRss), 0)} MiB for ${r.jobs} jobs)`,
    };
  });
  return {
    name: 'large-inputs',
    rows: results.map((r) => ({
      what: `longrun/${r.store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${r.jobs} jobs x 1 MiB data: URL`,
      'RSS idle MiB': Number(fmt(r.idleRss, 0)),
      'RSS after reads MiB': Number(fmt(r.readRss, 0)),
      'RSS peak MiB': Number(fmt(r.peakRss, 0)),
      'RSS growth per 1,000 jobs MiB': Number(
        fmt(per1000(r.idleRss, Math.max(r.createdRss, r.readRss), r.jobs), 0),
      ),
      'heap idle -> after reads MiB': `${fmt(r.idleHeap, 0)} -> ${fmt(r.readHeap, 0)}`,
      'creates/s': Number(fmt(r.createRate, 0)),
      'GET job p50 ms': Number(fmt(r.readP50, 1)),
      'list page (200) p50/p99 ms': `${fmt(r.listP50, 0)} / ${fmt(r.listP99, 0)}`,
    })),
    goals,
    method:
      `${jobs} \`image.to_video\` jobs, each with a ${URL_CHARS}-character \`data:\` URL (just under the default ` +
      '`--max-data-url-size`), created 4 at a time and scheduled a day ahead so none runs; then each is read ' +
      'back once (4 at a time) and all are listed, 200 a page. One server process per store, on this machine. ' +
      'RSS is VmRSS from /proc (idle after 20 warm-up requests, after the creates, after the reads, and the ' +
      'peak of 100 ms samples); heap is `longrun_nodejs_heap_size_used_bytes` from /metrics. The growth per ' +
      '1,000 jobs is the larger of the two later RSS readings less the idle one, scaled to 1,000 jobs.',
  };
}

runScenarioIfMain(import.meta.url, run);
