import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startProcess, startServer } from '@longrun/testkit';
import autocannon from 'autocannon';
import { fmt, table } from './lib/stats.js';

/**
 * Status reads: `GET /v1/jobs/{id}` of a running job on longrun (SQLite)
 * against a bare Fastify route serving the same JSON with the same schema,
 * in one run. Rounds alternate so that machine noise hits both alike.
 */
const quick = process.argv.includes('--quick');
const seconds = quick ? 4 : 10;
const rounds = quick ? 1 : 3;
const connections = 32;

async function measure(url: string): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const r = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

const longrun = await startServer(['--concurrency', '1', '--simulate-error-rate', '0']);
const created = await (
  await fetch(`${longrun.url}/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'simulate', input: { duration_seconds: 3600 } }),
  })
).json();
let job = created;
while (job.status !== 'running')
  job = await (await fetch(`${longrun.url}/v1/jobs/${created.id}?wait=5&since=${job.version}`)).json();
const bare = await startProcess(fileURLToPath(new URL('./bare-server.js', import.meta.url)), [
  JSON.stringify(job),
]);

const path = `/v1/jobs/${job.id}`;
await autocannon({ url: longrun.url + path, connections, duration: 1 });
await autocannon({ url: bare.url + path, connections, duration: 1 });
const results: {
  round: number;
  longrun: Awaited<ReturnType<typeof measure>>;
  bare: Awaited<ReturnType<typeof measure>>;
}[] = [];
for (let round = 1; round <= rounds; round++) {
  const first = round % 2 === 1;
  const a = first ? await measure(bare.url + path) : null;
  const l = await measure(longrun.url + path);
  const b = a ?? (await measure(bare.url + path));
  results.push({ round, longrun: l, bare: b });
}
await longrun.close();
await bare.stop();

const best = (k: 'longrun' | 'bare') => results.map((r) => r[k]).sort((x, y) => y.rps - x.rps)[0]!;
const ratio = best('longrun').rps / best('bare').rps;
console.log(
  `\nStatus reads: GET /v1/jobs/{id}, ${connections} connections, ${seconds} s x ${rounds} rounds\n`,
);
console.log(
  table(
    ['round', 'longrun req/s', 'longrun p50/p99 ms', 'bare Fastify req/s', 'bare p50/p99 ms', 'ratio'],
    results.map((r) => [
      r.round,
      fmt(r.longrun.rps, 0),
      `${r.longrun.p50} / ${r.longrun.p99}`,
      fmt(r.bare.rps, 0),
      `${r.bare.p50} / ${r.bare.p99}`,
      fmt(r.longrun.rps / r.bare.rps, 2),
    ]),
  ),
);
console.log(
  `\nbest of each: longrun ${fmt(best('longrun').rps, 0)} req/s, bare ${fmt(best('bare').rps, 0)} req/s, ratio ${fmt(ratio, 2)} (goal >= 0.7)`,
);
const out = new URL(
  `../results/status-reads-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  import.meta.url,
);
writeFileSync(
  out,
  JSON.stringify(
    { cpus: cpus().length, cpu: cpus()[0]?.model, connections, seconds, results, ratio },
    null,
    2,
  ),
);
