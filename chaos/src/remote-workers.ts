import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { call, type Tally } from './http.js';
import { checkOutcome, expectEachEndedOnce } from './jobs.js';
import { expect, type ScenarioResult } from './report.js';

/** The worker program (remote-worker.ts) as built in dist, found from src (a test) as from dist. */
const PROGRAM = fileURLToPath(new URL('../dist/remote-worker.js', import.meta.url));

/** What a chaos remote worker writes to stdout, one JSON line each. */
export type WorkerEvent =
  | { e: 'registered'; worker: string; name: string }
  | { e: 'claimed'; worker: string; ref: string; token: string; id: string; attempt: number }
  /** A heartbeat refused: the lease was lost (409 lease_lost) or the job canceled. */
  | { e: 'lost'; ref: string; token: string; during: 'heartbeat'; status: number; code: string | undefined }
  /** About to send the outcome (the process may die before it gets the answer). */
  | { e: 'sending'; ref: string; token: string }
  /** The answer to a complete: 200 accepted, 409 lease_lost refused. */
  | { e: 'completed'; ref: string; token: string; status: number; code: string | undefined }
  /** A request that failed without an answer (a cut-off network, a timeout) or answered unexpectedly. */
  | { e: 'error'; what: string; ref?: string; message: string };

/** An event and when the harness read it. */
export type Seen = WorkerEvent & { seenAt: number };

export interface WorkerProcess {
  name: string;
  /** The id it registered with. */
  id: string;
  proc: ChildProcess;
  /** Everything it reported so far, in order. */
  readonly events: Seen[];
  /** What it wrote to stderr (a crash). */
  stderr(): string;
  /** The claims it took that it has not settled: no accepted or refused complete, no lost lease. */
  holding(): Extract<Seen, { e: 'claimed' }>[];
  /** Send a signal (SIGKILL by default) and wait for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly exited: Promise<void>;
}

export interface WorkerOptions {
  /** The server's URL, or a proxy's. */
  server: string;
  type: string;
  name: string;
  /** Jobs it works at once. @default 1 */
  slots?: number;
  /** Working time of a job, drawn uniformly. @default 500 and 1500 */
  minMs?: number;
  maxMs?: number;
  /** Each request's own time limit. @default 5000 */
  timeoutMs?: number;
  /** Copy its lines to stderr. */
  echo?: boolean;
}

/** Start a worker process and wait for it to register. */
export async function startWorker({
  server,
  type,
  name,
  slots = 1,
  minMs = 500,
  maxMs = 1500,
  timeoutMs = 5000,
  echo = false,
}: WorkerOptions): Promise<WorkerProcess> {
  const args = [
    ...['--server', server, '--type', type, '--name', name, '--slots', String(slots)],
    ...['--min-ms', String(minMs), '--max-ms', String(maxMs), '--timeout-ms', String(timeoutMs)],
  ];
  const proc = spawn(process.execPath, [PROGRAM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Seen[] = [];
  let err = '';
  let partial = '';
  let onEvent: (() => void) | null = null;
  proc.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    const seenAt = Date.now();
    for (const line of lines) {
      if (!line) continue;
      if (echo) process.stderr.write(`[${name}] ${line}\n`);
      try {
        events.push({ ...(JSON.parse(line) as WorkerEvent), seenAt });
      } catch {
        err += `${line}\n`;
      }
    }
    onEvent?.();
  });
  proc.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    if (echo) process.stderr.write(`[${name}] ${chunk}`);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const id = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker ${name} did not register in 15 s: ${err}`)),
      15_000,
    );
    onEvent = () => {
      const registered = events.find((e) => e.e === 'registered');
      if (registered) {
        clearTimeout(timer);
        onEvent = null;
        resolve(registered.worker);
      }
    };
    exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`worker ${name} exited before it registered: ${err}`));
    });
  });
  return {
    name,
    id,
    proc,
    events,
    stderr: () => err,
    holding: () => {
      const settled = new Set(
        events
          .filter((e) => e.e === 'completed' || e.e === 'lost')
          .map((e) => (e as { token: string }).token),
      );
      return events.filter(
        (e): e is Extract<Seen, { e: 'claimed' }> => e.e === 'claimed' && !settled.has(e.token),
      );
    },
    kill: async (signal = 'SIGKILL') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
    exited,
  };
}

/** Every event of these workers of one kind, with the worker's name. */
export function eventsOf<K extends WorkerEvent['e']>(
  workers: readonly WorkerProcess[],
  kind: K,
): (Extract<Seen, { e: K }> & { by: string })[] {
  return workers.flatMap((w) =>
    w.events.filter((e): e is Extract<Seen, { e: K }> => e.e === kind).map((e) => ({ ...e, by: w.name })),
  );
}

/** The job's id in a claim's ref (`tenant:id`). */
export const idOfRef = (ref: string): string => ref.slice(ref.indexOf(':') + 1);

/** What a refused call must not change: a job's state as GET /v1/jobs/{id} shows it. */
export async function jobState(base: string, id: string): Promise<string> {
  const r = await call(base, 'GET', `/v1/jobs/${encodeURIComponent(id)}`);
  const { status, attempt, version, output, error, finished_at } = r.body ?? {};
  return JSON.stringify({ http: r.status, status, attempt, version, output, error, finished_at });
}

/** A late complete, as a worker that lost its lease would send it: the worker's id, the job's ref and its old token. */
export function lateComplete(base: string, worker: string, ref: string, token: string) {
  return call(base, 'POST', `/v1/workers/${worker}/jobs/${encodeURIComponent(ref)}/complete`, {
    body: { output: { late: true } },
    headers: { 'lease-token': token },
  });
}

/**
 * What every remote-worker scenario must show, recorded in `result`: each job
 * completed, by exactly one attempt (its log); no job's complete accepted from
 * two workers (as the workers saw their answers); no 5xx; no worker crashed.
 * Gives the workers whose complete each job accepted.
 */
export async function expectCompletedOnce(
  result: ScenarioResult,
  {
    base,
    ids,
    workers,
    tally,
  }: { base: string; ids: readonly string[]; workers: readonly WorkerProcess[]; tally: Tally },
): Promise<Map<string, string[]>> {
  const outcome = await checkOutcome(base, ids);
  const acceptedBy = new Map<string, string[]>();
  for (const c of eventsOf(workers, 'completed').filter((c) => c.status === 200)) {
    acceptedBy.set(idOfRef(c.ref), [...(acceptedBy.get(idOfRef(c.ref)) ?? []), c.by]);
  }
  const twice = [...acceptedBy].filter(([, by]) => by.length > 1);
  const crashed = workers.filter((w) => w.stderr().trim() !== '');
  result.serverErrors = tally.unexpected5xx;
  expectEachEndedOnce(result, outcome);
  result.duplicated = Math.max(result.duplicated, twice.length);
  expect(
    result,
    (outcome.byStatus.completed ?? 0) === ids.length,
    `statuses ${JSON.stringify(outcome.byStatus)}`,
  );
  expect(
    result,
    twice.length === 0,
    `completes accepted from two workers: ${JSON.stringify(twice.slice(0, 3))}`,
  );
  expect(result, tally.unexpected5xx === 0, `5xx: ${tally.samples.join('; ')}`);
  expect(
    result,
    crashed.length === 0,
    `worker stderr: ${crashed.map((w) => w.stderr().slice(0, 200)).join('; ')}`,
  );
  return acceptedBy;
}
