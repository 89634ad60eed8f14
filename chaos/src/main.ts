#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { newResult, type ScenarioResult, table } from './report.js';
import type { Scenario, ScenarioContext } from './scenario.js';
import { scenarios } from './scenarios/index.js';

const USAGE = `Usage: npm run test:chaos -- [--quick] [--only name,name] [--json file] [--echo]

Runs reliability and security scenarios against real longrun processes and
prints a table: scenario, jobs, lost, duplicated, 5xx, time to recover, notes.
Exits 1 if any scenario broke a promise.

  --quick          the short version (fewer jobs, a 1.5-minute soak)
  --only <names>   run only these scenarios (comma-separated; see --list)
  --list           list the scenarios
  --json <file>    also write the results as JSON
  --echo           copy server output to stderr
  --database-url   PostgreSQL for the PostgreSQL scenarios (default: TEST_DATABASE_URL,
                   else postgres://postgres@127.0.0.1:5432/test)

Environment: CHAOS_SEED fixes the hostile-input seed (printed in its notes);
CHAOS_DEBUG=1 prints the SDK log of any wait that ended wrongly.`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    list: { type: 'boolean', default: false },
    json: { type: 'string' },
    echo: { type: 'boolean', default: false },
    'database-url': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (values.list) {
  const width = Math.max(...scenarios.map((s) => s.name.length));
  for (const s of scenarios) process.stdout.write(`${s.name.padEnd(width)}  ${s.title}\n`);
  process.exit(0);
}

let chosen: Scenario[] = scenarios;
if (values.only) {
  const names = values.only.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !scenarios.some((s) => s.name === n || s.name.startsWith(`${n}-`)));
  if (unknown.length > 0) {
    process.stderr.write(`unknown scenario: ${unknown.join(', ')}; see --list\n`);
    process.exit(2);
  }
  chosen = scenarios.filter((s) => names.some((n) => s.name === n || s.name.startsWith(`${n}-`)));
}

const ctx: ScenarioContext = {
  quick: values.quick,
  pgUrl: values['database-url'] ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  log: (line) => process.stderr.write(`[chaos] ${line}\n`),
  echo: values.echo,
};

const started = Date.now();
const loadAtStart = loadavg()[0]!;
const results: ScenarioResult[] = [];
for (const scenario of chosen) {
  const result = newResult(scenario.name);
  const t0 = Date.now();
  ctx.log(`${scenario.name}: ${scenario.title}`);
  try {
    await scenario.run(ctx, result);
  } catch (err) {
    result.failures.push(`aborted: ${(err as Error).message.split('\n')[0]}`);
    ctx.log(`${scenario.name} aborted: ${String((err as Error).stack ?? err).slice(0, 3000)}`);
  }
  result.seconds = Math.round((Date.now() - t0) / 1000);
  ctx.log(`${scenario.name}: ${result.failures.length === 0 ? 'pass' : 'FAIL'} in ${result.seconds} s`);
  results.push(result);
}

const cpu = cpus();
const machine =
  `${platform()} ${release()} ${arch()}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ` +
  `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
  `load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end`;
process.stdout.write(
  `\n${table(results)}\n\n${values.quick ? 'quick run' : 'full run'} in ${Math.round((Date.now() - started) / 1000)} s on ${machine}\n`,
);
if (values.json) {
  writeFileSync(values.json, `${JSON.stringify({ machine, quick: values.quick, results }, null, 2)}\n`);
}
process.exit(results.every((r) => r.failures.length === 0) ? 0 : 1);
