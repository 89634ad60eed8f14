import { readFileSync, writeFileSync } from 'node:fs';
import { type Machine, machineLine } from './machine.js';
import { markdownTable } from './report.js';
import type { ChartPanel, ScenarioResult } from './scenario.js';
import { renderChart } from './svg.js';

/** One `npm run bench` run, as written to bench/results/<timestamp>.json. */
export interface RunRecord {
  startedAt: string;
  quick: boolean;
  command: string;
  seconds: number;
  /** The machine's 1-minute load average when the run started and when it ended (other work shares it). */
  load: { start: number; end: number };
  /** Where this record is written, from the repository root. */
  file: string;
  machine: Machine;
  /** Versions of the peers' servers, null when unreachable. */
  services: { redis: string | null; postgres: string | null };
  /** Versions of the peer libraries, from their package.json. */
  peers: { bullmq: string; pgBoss: string };
  scenarios: Array<ScenarioResult & { seconds: number }>;
  skipped: Array<{ name: string; reason: string }>;
}

const TITLES: Record<string, string> = {
  wait: 'Waiting for a job',
  Waiting: 'How clients wait: SSE, long-poll and polling',
  throughput: 'Throughput',
  dispatch: 'Dispatch latency',
  'status-reads': 'Status reads',
  waiters: 'SSE waiters',
  queues: 'Queues: fair turns, scheduled starts, claim cost',
  uploads: 'Uploads: POST /v1/files beside the disk',
  'large-inputs': 'Large inputs: memory per 1,000 stored jobs',
  'batch-submit': 'Batch submission: one request per job against batches of 100',
  'batch-wait': 'Waiting for a batch: one event stream against a wait per job',
};

const START = '<!-- npm run bench writes from here -->';
const END = '<!-- to here; the rest is kept -->';

/** One chart panel from a result's rows when the scenario drew none: the first text column against the first number. */
function panelFromRows(r: ScenarioResult): ChartPanel[] {
  const first = r.rows[0];
  if (!first) return [];
  const keys = Object.keys(first);
  const label = keys.filter((k) => typeof first[k] === 'string');
  const value = keys.find((k) => typeof first[k] === 'number');
  if (!value) return [];
  return [
    {
      title: TITLES[r.name] ?? r.name,
      unit: value,
      series: [value],
      groups: r.rows.map((row) => ({
        label: label.map((k) => String(row[k])).join(', '),
        values: [Number(row[value])],
        ours: label.some((k) => String(row[k]).includes('longrun')),
      })),
    },
  ];
}

function duration(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : `${(seconds / 60).toFixed(1)} minutes`;
}

/** Numbers, and the dash that stands for a missing one, are right-aligned. */
const numeric = (v: string | number | undefined) => typeof v === 'number' || v === undefined || v === '—';

function rowsTable(r: ScenarioResult): string {
  const columns = [...new Set(r.rows.flatMap((row) => Object.keys(row)))];
  const cells = r.rows.map((row) => columns.map((c) => String(row[c] ?? '')));
  const right = columns.map((c) => r.rows.every((row) => numeric(row[c])));
  return markdownTable(columns, cells, right);
}

/**
 * The waiting scenario's rows (one per SQLite sync mode, job duration and
 * strategy) as two panels: requests per job and p99 lag, a bar per duration.
 */
function waitPanels(r: ScenarioResult): ChartPanel[] | null {
  const rows = r.rows.filter((row) => row['SQLite sync'] === undefined || row['SQLite sync'] === 'full');
  if (!rows.every((row) => 'strategy' in row && 'job (s)' in row && 'lag p99 (ms)' in row)) return null;
  const durations = [...new Set(rows.map((row) => Number(row['job (s)'])))];
  const strategies = [...new Set(rows.map((row) => String(row.strategy)))];
  const value = (strategy: string, d: number, key: string) =>
    Number(
      rows.find((row) => row.strategy === strategy && Number(row['job (s)']) === d)?.[key] ?? Number.NaN,
    );
  const groups = (key: string) =>
    strategies.map((strategy) => ({
      label: strategy,
      values: durations.map((d) => value(strategy, d, key)),
      ours: !strategy.startsWith('fixed'),
    }));
  const series = durations.map((d) => `${d} s job`);
  return [
    {
      title: 'Waiting for a job: HTTP requests per job, by job length',
      unit: 'requests per job',
      series,
      lowerIsBetter: true,
      groups: groups('requests/job'),
    },
    {
      title: 'Waiting for a job: completion lag p99, by job length',
      unit: "milliseconds from the job's finished_at to the wait returning",
      series,
      lowerIsBetter: true,
      groups: groups('lag p99 (ms)'),
    },
  ];
}

/** The report's order: what a reader choosing a queue looks for first. */
const PANEL_ORDER = ['throughput', 'dispatch', 'Waiting', 'wait', 'status-reads', 'waiters'];

function ordered(record: RunRecord): RunRecord['scenarios'] {
  const rank = (name: string) =>
    (PANEL_ORDER.indexOf(name) + PANEL_ORDER.length + 1) % (PANEL_ORDER.length + 1);
  return [...record.scenarios].sort((a, b) => rank(a.name) - rank(b.name));
}

export function allPanels(record: RunRecord): ChartPanel[] {
  return ordered(record).flatMap(
    (s) => s.charts ?? (s.name === 'Waiting' || s.name === 'wait' ? waitPanels(s) : null) ?? panelFromRows(s),
  );
}

function generated(record: RunRecord): string {
  const goals = record.scenarios.flatMap((s) => s.goals);
  const met = goals.filter((g) => g.met).length;
  const day = record.startedAt.slice(0, 10);
  const lines = [
    START,
    '',
    '![longrun against BullMQ and pg-boss: goals, throughput, latency, status reads and SSE waiters](benchmarks.svg)',
    '',
    `Measured ${day} by \`${record.command}\` in one run of ${duration(record.seconds)} ` +
      `(figures: \`${record.file}\`).`,
    '',
    `Machine: ${machineLine(record.machine)}. Peers: BullMQ ${record.peers.bullmq}, pg-boss ${record.peers.pgBoss}. ` +
      `Redis ${record.services.redis ?? 'not reachable'} and PostgreSQL ${record.services.postgres ?? 'not reachable'} ` +
      "on the same machine, with the machine's settings except where a section says otherwise (the throughput " +
      "section sets Redis's append-only file for BullMQ's turns); the benchmark, the servers and the databases share the cores, " +
      'so figures move by a tenth or more from run to run, and ratios taken in one run are the ones to compare. ' +
      `Load average (1 min) ${record.load.start.toFixed(1)} when the run began and ${record.load.end.toFixed(1)} ` +
      'when it ended.',
    '',
    'To reproduce: `npm install && npm run bench` (`-- --quick` for a short run that leaves this page alone). ' +
      'The script starts Redis and PostgreSQL when they are down; `BENCH_DATABASE_URL` chooses another ' +
      'PostgreSQL (default `postgres://postgres@127.0.0.1:5432/test`).',
    '',
    '## Goals',
    '',
    `${met} of ${goals.length} met (ratios from the same run).`,
    '',
    markdownTable(
      ['goal', 'result', 'figure'],
      goals.map((g) => [g.goal, g.met ? 'met' : 'MISSED', g.figure]),
      [false, false, false],
    ),
    '',
  ];
  for (const s of record.skipped) lines.push(`Not measured: ${s.name} (${s.reason}).`, '');
  for (const s of ordered(record)) {
    lines.push(`## ${TITLES[s.name] ?? s.name}`, '');
    if (s.method) lines.push(s.method, '');
    lines.push(rowsTable(s), '');
  }
  lines.push(END);
  return lines.join('\n');
}

/**
 * Write benchmarks.svg and the generated part of benchmarks.md into `docs`
 * (the repository's docs/ by default), keeping the rest of the page.
 */
export function writeReport(record: RunRecord, docs: URL = new URL('../../../docs/', import.meta.url)): void {
  const goals = record.scenarios.flatMap((s) => s.goals);
  const svg = renderChart({
    title: 'longrun benchmarks',
    subtitle: `${record.startedAt.slice(0, 10)} · ${machineLine(record.machine)} · ${record.command}`,
    goals,
    panels: allPanels(record),
  });
  writeFileSync(new URL('benchmarks.svg', docs), svg);
  const file = new URL('benchmarks.md', docs);
  const current = readFileSync(file, 'utf8');
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  let next: string;
  if (start !== -1 && end !== -1) {
    next = current.slice(0, start) + generated(record) + current.slice(end + END.length);
  } else {
    // First run: the generated part goes under the title, the earlier sections after it.
    const title = current.indexOf('\n') + 1;
    next = `${current.slice(0, title)}\n${generated(record)}\n\n${current.slice(title).trimStart()}`;
  }
  writeFileSync(file, next);
}
