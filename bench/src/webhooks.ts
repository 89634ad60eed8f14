import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { startServer } from '@longrun/testkit';
import { fmt, quantile, table } from './lib/stats.js';

/**
 * Webhook delivery: N jobs, each with a webhook for `job.completed`, run by
 * one server process; a receiver on loopback times each event from the job's
 * `finished_at` to its arrival. On SQLite, and on PostgreSQL when
 * TEST_DATABASE_URL (or DATABASE_URL) is set.
 */
const quick = process.argv.includes('--quick');
const jobs = quick ? 200 : 1000;
const submitters = 16;
const pgUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? '';

interface Result {
  store: string;
  jobs: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  duplicates: number;
}

async function run(store: string, extra: string[]): Promise<Result> {
  const lags: number[] = [];
  const ids = new Set<string>();
  let duplicates = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const event = JSON.parse(body) as { data: { finished_at: string } };
      const id = String(req.headers['webhook-id']);
      if (ids.has(id)) duplicates++;
      else {
        ids.add(id);
        lags.push(Date.now() - Date.parse(event.data.finished_at));
      }
      res.writeHead(204).end();
      if (ids.size === jobs) done();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  const server = await startServer(
    [
      '--concurrency',
      '16',
      '--wait-concurrency',
      '16',
      '--simulate-error-rate',
      '0',
      '--allow-private-urls',
      ...extra,
    ],
    { env: { LONGRUN_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}` } },
  );
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: submitters }, async () => {
      while (next < jobs) {
        next++;
        const r = await fetch(`${server.url}/v1/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'simulate',
            input: { duration_seconds: 0 },
            webhook: { url: hook, events: ['job.completed'] },
          }),
        });
        if (r.status !== 202) throw new Error(`submit answered ${r.status}: ${await r.text()}`);
      }
    }),
  );
  await all;
  const seconds = (performance.now() - started) / 1000;
  await server.close();
  receiver.close();
  return {
    store,
    jobs,
    seconds,
    perSecond: jobs / seconds,
    p50: quantile(lags, 0.5),
    p99: quantile(lags, 0.99),
    max: quantile(lags, 1),
    duplicates,
  };
}

const results = [await run('SQLite', [])];
if (pgUrl) {
  const schema = `bench_hooks_${process.pid}`;
  results.push(await run('PostgreSQL', ['--database-url', pgUrl, '--database-schema', schema]));
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

console.log(`\nWebhooks: ${jobs} jobs (simulate, 0 s), one job.completed each, ${submitters} submitters\n`);
console.log(
  table(
    [
      'store',
      'jobs',
      'submit to last event, s',
      'events/s',
      'finish -> received p50 / p99 / max, ms',
      'repeats',
    ],
    results.map((r) => [
      r.store,
      r.jobs,
      fmt(r.seconds, 2),
      fmt(r.perSecond, 0),
      `${r.p50} / ${r.p99} / ${r.max}`,
      r.duplicates,
    ]),
  ),
);
writeFileSync(
  new URL(`../results/webhooks-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url),
  JSON.stringify({ cpus: cpus().length, cpu: cpus()[0]?.model, results }, null, 2),
);
