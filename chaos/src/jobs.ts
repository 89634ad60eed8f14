import { type Answer, call } from './http.js';
import { expect, type ScenarioResult } from './report.js';

export const TERMINAL = new Set(['completed', 'failed', 'canceled']);

export interface JobView {
  id: string;
  type: string;
  status: string;
  attempt: number;
  version: number;
  finished_at: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: outputs differ by job type.
  output: any;
}

/** Every job the caller can see, newest first, following the cursor. */
export async function listAll(base: string, headers: Record<string, string> = {}): Promise<JobView[]> {
  const all: JobView[] = [];
  let cursor: string | null = null;
  do {
    const page: Answer = await call(
      base,
      'GET',
      `/v1/jobs?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { headers },
    );
    if (page.status !== 200) throw new Error(`GET /v1/jobs: ${page.status} ${page.text.slice(0, 200)}`);
    all.push(...page.body.data);
    cursor = page.body.next_cursor;
  } while (cursor);
  return all;
}

/** The attempts that ended a job, read from its log: one is right, two is a job run twice to its end. */
export async function terminalLines(base: string, id: string): Promise<string[]> {
  const r = await call(base, 'GET', `/v1/jobs/${encodeURIComponent(id)}/logs?limit=1000`);
  if (r.status !== 200) throw new Error(`logs of ${id}: ${r.status}`);
  return (r.body.data as { line: string }[])
    .map((l) => l.line)
    .filter((l) => /^attempt \d+ (completed|failed)/.test(l));
}

export interface Outcome {
  /** Submitted jobs the store does not have, or has not finished. */
  lost: string[];
  /** Jobs whose log shows more than one terminal attempt. */
  duplicated: string[];
  byStatus: Record<string, number>;
}

/**
 * Check that each submitted job is in the store, terminal, and ended by
 * exactly one attempt (from its log).
 */
export async function checkOutcome(base: string, ids: readonly string[]): Promise<Outcome> {
  const jobs = new Map((await listAll(base)).map((j) => [j.id, j]));
  const outcome: Outcome = { lost: [], duplicated: [], byStatus: {} };
  for (const id of ids) {
    const job = jobs.get(id);
    if (!job || !TERMINAL.has(job.status)) {
      outcome.lost.push(id);
      continue;
    }
    outcome.byStatus[job.status] = (outcome.byStatus[job.status] ?? 0) + 1;
    const ends = await terminalLines(base, id);
    // A canceled job ends without an attempt line; any other terminal job has exactly one.
    if (ends.length > 1 || (ends.length === 0 && job.status !== 'canceled')) outcome.duplicated.push(id);
  }
  return outcome;
}

/** Records `outcome` in `result`, failing it when a job was lost or ended more than once. */
export function expectEachEndedOnce(result: ScenarioResult, outcome: Outcome): void {
  result.lost = outcome.lost.length;
  result.duplicated = outcome.duplicated.length;
  expect(
    result,
    outcome.lost.length === 0,
    `${outcome.lost.length} jobs lost: ${outcome.lost.slice(0, 3).join(', ')}`,
  );
  expect(result, outcome.duplicated.length === 0, `${outcome.duplicated.length} jobs ended more than once`);
}

/** Resolves when every job is terminal (polling the list, the harness's view), or throws at the deadline. */
export async function allTerminal(base: string, ids: readonly string[], deadline: number): Promise<number> {
  const wanted = new Set(ids);
  let left = wanted.size;
  while (Date.now() < deadline) {
    try {
      const jobs = await listAll(base);
      left = jobs.filter((j) => wanted.has(j.id) && TERMINAL.has(j.status)).length;
      if (left === wanted.size) return Date.now();
      left = wanted.size - left;
    } catch {
      // The server may be restarting; look again.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${left} of ${wanted.size} jobs were not terminal by the deadline`);
}
