/**
 * Status reads: `GET /v1/jobs/{id}` of a running job on longrun (SQLite)
 * against a bare Fastify route serving the same JSON with the same schema
 * (the ceiling), in one run. Rounds alternate which goes first so that
 * machine noise hits both alike.
 *
 *   npm run bench:status-reads [-- --quick]   this scenario alone
 */
import { fileURLToPath } from 'node:url';
import { startProcess, startServer } from '@longrun/testkit';
import autocannon from 'autocannon';
import { serverNodeArgs } from './lib/profile.js';
import type { ScenarioOptions, ScenarioResult } from './lib/scenario.js';
import { ratio as formatRatio } from './lib/stats.js';

const CONNECTIONS = 32;

interface Measure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function measure(url: string, seconds: number): Promise<Measure> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

export async function run({ quick }: ScenarioOptions): Promise<ScenarioResult> {
  const seconds = quick ? 4 : 10;
  const rounds = quick ? 1 : 3;
  const longrun = await startServer(
    ['--concurrency', '1', '--wait-concurrency', '1', '--simulate-error-rate', '0'],
    {
      nodeArgs: serverNodeArgs(),
    },
  );
  let bare: Awaited<ReturnType<typeof startProcess>> | undefined;
  const results: { longrun: Measure; bare: Measure }[] = [];
  try {
    const created = await (
      await fetch(`${longrun.url}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'simulate', input: { duration_seconds: 3600 } }),
      })
    ).json();
    let job = created;
    while (job.status !== 'running') {
      job = await (await fetch(`${longrun.url}/v1/jobs/${created.id}?wait=5&since=${job.version}`)).json();
    }
    bare = await startProcess(fileURLToPath(new URL('./bare-server.js', import.meta.url)), [
      JSON.stringify(job),
    ]);
    const path = `/v1/jobs/${job.id}`;
    await measure(longrun.url + path, 1);
    await measure(bare.url + path, 1);
    for (let round = 1; round <= rounds; round++) {
      const bareFirst = round % 2 === 1;
      const b1 = bareFirst ? await measure(bare.url + path, seconds) : null;
      const l = await measure(longrun.url + path, seconds);
      const b = b1 ?? (await measure(bare.url + path, seconds));
      results.push({ longrun: l, bare: b });
      console.log(
        `  round ${round}/${rounds}: longrun ${l.rps.toFixed(0)} req/s, bare ${b.rps.toFixed(0)} req/s`,
      );
    }
  } finally {
    await longrun.close();
    await bare?.stop();
  }
  const best = (k: 'longrun' | 'bare') => results.map((r) => r[k]).sort((x, y) => y.rps - x.rps)[0]!;
  const l = best('longrun');
  const b = best('bare');
  const ratio = l.rps / b.rps;
  const errors = results.reduce((n, r) => n + r.longrun.errors + r.bare.errors, 0);
  if (errors > 0) throw new Error(`${errors} failed requests during the status reads`);
  return {
    name: 'status-reads',
    rows: [
      {
        server: 'longrun GET /v1/jobs/{id}',
        'req/s': Math.round(l.rps),
        'p50 (ms)': l.p50,
        'p99 (ms)': l.p99,
        'vs bare': formatRatio(ratio),
      },
      {
        server: 'bare Fastify, same JSON',
        'req/s': Math.round(b.rps),
        'p50 (ms)': b.p50,
        'p99 (ms)': b.p99,
        'vs bare': '1.00x',
      },
    ],
    goals: [
      {
        goal: 'status reads >= 0.7x bare Fastify req/s',
        met: ratio >= 0.7,
        figure: `${formatRatio(ratio)} (${l.rps.toFixed(0)} vs ${b.rps.toFixed(0)} req/s; p99 ${l.p99} vs ${b.p99} ms)`,
      },
    ],
    charts: [
      {
        title: `Status reads: GET /v1/jobs/{id}, ${CONNECTIONS} connections`,
        unit: 'requests per second',
        series: ['req/s'],
        groups: [
          { label: 'longrun', values: [l.rps], ours: true },
          { label: 'bare Fastify (ceiling)', values: [b.rps] },
        ],
        mark: { value: 0.7 * b.rps, label: 'goal: 0.7x bare' },
      },
    ],
    method:
      `autocannon, ${CONNECTIONS} keep-alive connections, ${seconds} s per measurement, ${rounds} round` +
      `${rounds > 1 ? 's' : ''} alternating which server goes first, the best of each kept. longrun (SQLite, ` +
      'default settings) serves `GET /v1/jobs/{id}` of a running job; the ceiling is a bare Fastify route in its ' +
      "own process answering the same job's JSON from memory through the same response schema.",
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run({ quick: process.argv.includes('--quick') });
  console.table(r.rows);
  for (const g of r.goals) console.log(`${g.met ? 'met' : 'MISSED'}: ${g.goal}: ${g.figure}`);
}
