/** The throughput goals, judged from the medians of the rounds. */
import type { Goal } from '../lib/scenario.js';
import { ratio } from '../lib/stats.js';
import type { Role } from './cpu.js';
import { type Mode, SUBMITTERS } from './protocol.js';

/** One system in one mode: the medians of its rounds. */
export interface Figures {
  system: string;
  mode: Mode;
  /** Jobs per second. */
  rate: number;
  /** CPU µs per job of each role's processes; null when not measured. */
  cpu: Record<Role, number | null>;
  /** CPU µs per job of all its processes. */
  total: number | null;
  /** CPU µs per job of the server's main thread; null when not measured. */
  serverMainThread: number | null;
  /** Cores this system's processes kept busy during the measurement. */
  ownCores: number;
  /** Cores the machine kept busy during the measurement, with whatever else it was doing. */
  machineCores: number;
}

/** From this share of the cores busy on, the machine had no CPU to spare. */
const CPU_BOUND = 0.75;
/**
 * From this share of one core on, a server is bound by its CPU: a Node server
 * runs its requests, claims and finishes on its main thread, so it can never
 * use the machine's other cores for them, however idle they are (its other
 * threads, the garbage collector's helpers and libuv's pool, run beside it).
 */
const ONE_THREAD_BOUND = 0.85;

const us = (x: number) => `${Math.round(x)}`;

/**
 * What would close a missed throughput goal. When the machine's cores were
 * busy, the CPU per job that the wanted rate leaves, and where it goes now;
 * otherwise the saturated thread, or the time a job waits, and, when even the
 * whole machine could not give the wanted rate at the CPU a job costs now,
 * that too. The machine is shared: other work may hold cores the system would
 * have used.
 */
export function whatWouldClose(ours: Figures, wanted: number, cores: number): string {
  const busy = `${ours.machineCores.toFixed(1)} of ${cores} cores busy, ${ours.ownCores.toFixed(1)} of them its own`;
  if (ours.machineCores >= CPU_BOUND * cores && ours.total !== null) {
    const parts = [`server ${us(ours.cpu.server ?? 0)}`, `submitter ${us(ours.cpu.submitter ?? 0)}`];
    if (ours.cpu.store !== null) parts.push(`store ${us(ours.cpu.store)}`);
    return (
      `to close: the machine had ${busy}, so ${us(wanted)} jobs/s needs ` +
      `${us((ours.total * ours.rate) / wanted)} CPU µs/job instead of ${us(ours.total)} (${parts.join(', ')})`
    );
  }
  const beyond = beyondTheMachine(ours, wanted, cores);
  const serverCores = ((ours.cpu.server ?? 0) * ours.rate) / 1e6;
  // The main thread where it was measured; otherwise the process stands for it.
  const main = ours.serverMainThread;
  const threadUs = main ?? ours.cpu.server ?? 0;
  const threadCores = (threadUs * ours.rate) / 1e6;
  if (threadCores >= ONE_THREAD_BOUND) {
    const busyThread =
      main === null
        ? `the server process kept ${serverCores.toFixed(2)} of a core busy, its one thread saturated`
        : `the server's main thread kept ${threadCores.toFixed(2)} of a core busy (its process ` +
          `${serverCores.toFixed(2)}), saturated`;
    return (
      `to close: ${busyThread}, so ${us(wanted)} jobs/s needs ${us(1e6 / wanted)} µs of ` +
      `${main === null ? 'server' : 'main-thread'} CPU per job instead of ${us(threadUs)}${beyond}`
    );
  }
  if (ours.mode === 'one-at-a-time') {
    const ms = (SUBMITTERS / ours.rate) * 1000;
    return (
      `to close: only ${busy}; each of the ${SUBMITTERS} submitters waits ${ms.toFixed(1)} ms per job, and ` +
      `${us(wanted)} jobs/s needs ${((SUBMITTERS / wanted) * 1000).toFixed(1)} ms: fewer waits per job ` +
      `(syncs, round trips, wake-ups)${beyond || ', not less CPU'}`
    );
  }
  return `to close: only ${busy}; jobs wait between submit, claim and finish (syncs, round trips, wake-ups)${beyond || ', not for CPU'}`;
}

/**
 * When the system's processes, at their CPU per job, could not reach `wanted`
 * even with every core of the machine to themselves: the most CPU a job may
 * cost in all at that rate, against what it costs now (else nothing). Freeing
 * a saturated thread, or removing a wait, then does not close the goal alone.
 */
function beyondTheMachine(ours: Figures, wanted: number, cores: number): string {
  if (ours.total === null || (ours.total * wanted) / 1e6 <= cores) return '';
  return (
    `; and at ${us(wanted)} jobs/s even all ${cores} cores allow ${us((cores * 1e6) / wanted)} CPU µs/job ` +
    `in all its processes, against ${us(ours.total)}`
  );
}

export interface RatioGoal {
  ours: string;
  theirs: string;
  mode: Mode;
  /** The least ratio of our jobs/s to theirs that meets the goal. */
  target: number;
  /** Cores of the machine, to tell a CPU-bound run from a waiting one. */
  cores: number;
}

const modeText = (mode: Mode) => (mode === 'bulk' ? 'bulk' : 'one at a time');

/** `ours` makes at least `target` times the jobs/s of `theirs` in `mode`. */
export function ratioGoal(
  results: readonly Figures[],
  { ours, theirs, mode, target, cores }: RatioGoal,
): Goal {
  const goal = `${modeText(mode)}: ${ours} >= ${target.toFixed(1)}x ${theirs} jobs/s`;
  const a = results.find((r) => r.system === ours && r.mode === mode);
  const b = results.find((r) => r.system === theirs && r.mode === mode);
  if (!a || !b) return { goal, met: false, figure: `not measured (${a ? theirs : ours} unavailable)` };
  const met = a.rate / b.rate >= target;
  const figure = `${ratio(a.rate / b.rate)} (${us(a.rate)} vs ${us(b.rate)} jobs/s)`;
  return { goal, met, figure: met ? figure : `${figure}; ${whatWouldClose(a, target * b.rate, cores)}` };
}

/**
 * The server process's CPU per job of each of `systems` is at most `limit`
 * µs in `judged` mode; the other mode's figures are shown beside.
 */
export function serverCpuGoal(
  results: readonly Figures[],
  { systems, limit, judged }: { systems: readonly string[]; limit: number; judged: Mode },
): Goal {
  const goal = `${systems.join(' and ')}: server CPU <= ${limit} µs per no-op job (judged ${modeText(judged)})`;
  const server = (system: string, mode: Mode) =>
    results.find((r) => r.system === system && r.mode === mode)?.cpu.server ?? null;
  const judgedFigures = systems.map((s) => server(s, judged));
  if (judgedFigures.some((x) => x === null)) return { goal, met: false, figure: 'not measured' };
  const worst = Math.max(...(judgedFigures as number[]));
  const list = (mode: Mode) =>
    systems
      .map((s) => {
        const x = server(s, mode);
        return `${x === null ? '—' : us(x)} (${s})`;
      })
      .join(', ');
  const other: Mode = judged === 'bulk' ? 'one-at-a-time' : 'bulk';
  const figure = `${modeText(judged)}: ${list(judged)} µs/job; ${modeText(other)}: ${list(other)} µs/job`;
  const met = worst <= limit;
  return {
    goal,
    met,
    figure: met
      ? figure
      : `${figure}; to close: ${us(worst - limit)} µs less server work per job ` +
        (judged === 'bulk'
          ? '(its share of accepting the batch, the claim, the finish and the terminal event)'
          : '(accepting the request, the claim, the finish and the reply)'),
  };
}
