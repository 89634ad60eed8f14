/** One row of the table: what a scenario did and what it found. */
export interface ScenarioResult {
  name: string;
  /** Jobs the scenario submitted (or requests, for scenarios without jobs; see notes). */
  jobs: number;
  lost: number;
  duplicated: number;
  /** 5xx answers that no fault explains. */
  serverErrors: number;
  /** From the fault to the service whole again (see each scenario); null when not applicable. */
  recoverMs: number | null;
  notes: string[];
  /** Broken promises; empty when the scenario passed. */
  failures: string[];
  seconds: number;
}

export function newResult(name: string): ScenarioResult {
  return {
    name,
    jobs: 0,
    lost: 0,
    duplicated: 0,
    serverErrors: 0,
    recoverMs: null,
    notes: [],
    failures: [],
    seconds: 0,
  };
}

/** Record a broken promise when `ok` is false. */
export function expect(result: ScenarioResult, ok: boolean, failure: string): void {
  if (!ok) result.failures.push(failure);
}

function recover(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 10_000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The results as a Markdown table (it reads well in a terminal and pastes into docs). */
export function table(results: readonly ScenarioResult[]): string {
  const rows = [
    ['scenario', 'result', 'jobs', 'lost', 'duplicated', '5xx', 'time to recover', 'notes'],
    ...results.map((r) => [
      r.name,
      r.failures.length === 0 ? 'pass' : 'FAIL',
      String(r.jobs),
      String(r.lost),
      String(r.duplicated),
      String(r.serverErrors),
      recover(r.recoverMs),
      [...r.failures.map((f) => `FAIL: ${f}`), ...r.notes].join('; ').replace(/\|/g, '\\|'),
    ]),
  ];
  const widths = rows[0]!.slice(0, -1).map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|---|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}
