/**
 * Every benchmark scenario in one run: prints a table per scenario and the
 * goals, writes bench/results/<timestamp>.json, and (full runs) regenerates
 * docs/benchmarks.md and docs/benchmarks.svg.
 *
 *   npm run bench                       the full run (under 15 minutes on 2 cores)
 *   npm run bench -- --quick            a short run (under 3 minutes); docs left as they are
 *   npm run bench -- --only a,b         only the named scenarios
 *   npm run bench -- --docs / --no-docs write or skip the report whatever the mode
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type RunRecord, writeReport } from './lib/docs.js';
import { describeMachine, machineLine } from './lib/machine.js';
import { adminQuery } from './lib/postgres.js';
import { markdownTable } from './lib/report.js';
import type { Scenario, ScenarioResult } from './lib/scenario.js';
import { ensureServices } from './lib/services.js';

/** Scenario modules, in the order they run; each exports `run` (see lib/scenario.ts). */
const SCENARIOS = [
  'wait',
  'throughput',
  'dispatch',
  'status-reads',
  'waiters',
  'queues',
  'uploads',
  'large-inputs',
  'batch-submit',
  'batch-wait',
  'remote-workers',
];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    docs: { type: 'boolean' },
    'no-docs': { type: 'boolean' },
  },
});
const quick = values.quick ?? false;
const only = values.only?.split(',').map((s) => s.trim());
const writeDocs = values['no-docs'] ? false : (values.docs ?? !quick);

function printResult(r: ScenarioResult): void {
  const columns = [...new Set(r.rows.flatMap((row) => Object.keys(row)))];
  if (columns.length > 0) {
    const cells = r.rows.map((row) => columns.map((c) => String(row[c] ?? '')));
    const right = columns.map((c) =>
      r.rows.every((row) => typeof row[c] === 'number' || row[c] === undefined),
    );
    console.log(markdownTable(columns, cells, right));
  }
  for (const g of r.goals) console.log(`  ${g.met ? 'MET   ' : 'MISSED'} ${g.goal}: ${g.figure}`);
}

const require = createRequire(import.meta.url);

function versionOf(pkg: string): string {
  return (require(`${pkg}/package.json`) as { version: string }).version;
}

async function serviceVersions(up: { redis: boolean; postgres: boolean }): Promise<RunRecord['services']> {
  let redis: string | null = null;
  let postgres: string | null = null;
  if (up.redis) {
    try {
      redis =
        /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
    } catch {
      redis = 'unknown version';
    }
  }
  if (up.postgres) {
    try {
      postgres =
        String((await adminQuery('SHOW server_version')).rows[0].server_version).split(' ')[0] ?? null;
    } catch (err) {
      console.warn(`PostgreSQL: ${(err as Error).message}`);
    }
  }
  return { redis, postgres };
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const machine = describeMachine();
  console.log(`longrun benchmarks${quick ? ' (--quick)' : ''}: ${machineLine(machine)}`);
  const services = await ensureServices();
  const record: RunRecord = {
    startedAt: startedAt.toISOString(),
    quick,
    command: `npm run bench${quick ? ' -- --quick' : ''}`,
    seconds: 0,
    file: '',
    load: { start: loadavg()[0]!, end: 0 },
    peers: { bullmq: versionOf('bullmq'), pgBoss: versionOf('pg-boss') },
    machine,
    services: await serviceVersions(services),
    scenarios: [],
    skipped: [],
  };
  let failed = false;
  for (const name of SCENARIOS) {
    if (only && !only.includes(name)) continue;
    const file = new URL(`./${name}.js`, import.meta.url);
    if (!existsSync(file)) {
      record.skipped.push({ name, reason: 'not built in this checkout' });
      console.log(`\n## ${name}: not in this checkout, skipped`);
      continue;
    }
    console.log(`\n## ${name}`);
    const t0 = performance.now();
    try {
      const mod = (await import(file.href)) as { run?: Scenario };
      if (typeof mod.run !== 'function') throw new Error(`${name}.js exports no run()`);
      const result = await mod.run({ quick });
      const seconds = Math.round((performance.now() - t0) / 100) / 10;
      record.scenarios.push({ ...result, seconds });
      printResult(result);
      console.log(`  (${seconds} s)`);
    } catch (err) {
      failed = true;
      record.skipped.push({ name, reason: `failed: ${(err as Error).message}` });
      console.error(`  ${name} failed: ${(err as Error).stack ?? err}`);
    }
  }

  const goals = record.scenarios.flatMap((s) => s.goals);
  console.log(`\n## goals: ${goals.filter((g) => g.met).length} of ${goals.length} met`);
  for (const g of goals) console.log(`  ${g.met ? 'MET   ' : 'MISSED'} ${g.goal}: ${g.figure}`);

  record.seconds = Math.round(performance.now() / 1000);
  record.load.end = loadavg()[0]!;
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  // Only complete full runs are named <timestamp>.json (and kept in git).
  const name = `${stamp}${quick ? '-quick' : ''}${only ? '-partial' : ''}.json`;
  record.file = `bench/results/${name}`;
  writeFileSync(new URL(name, dir), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`\nresults: ${record.file}`);
  if (writeDocs) {
    writeReport(record);
    console.log('report: docs/benchmarks.md, docs/benchmarks.svg');
  } else
    console.log(
      `docs/benchmarks.md left as it is (${values['no-docs'] ? '--no-docs' : '--quick; --docs writes it'})`,
    );
  console.log(`total ${(performance.now() / 1000).toFixed(0)} s`);
  return failed ? 1 : 0;
}

// Exit even if a client library left a handle open: the run must end when its work does.
process.exit(await main());
