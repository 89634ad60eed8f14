/**
 * CPU time per process role, from /proc: what each process of a system spent
 * on the measured jobs, however busy the rest of the machine was.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** The processes of a system, by what they do for it. */
export type Role = 'submitter' | 'server' | 'store';

/**
 * How to find each role's processes; null when the role has none on this
 * machine (SQLite lives in the server; a remote database is out of reach).
 */
export type RolePids = Record<Role, () => Promise<number[] | null>>;

/** CPU time (user + system) of each sampled process, in ms, by pid. */
export type CpuSample = Map<number, number>;

/** CPU time so far in ms (Linux, 10 ms ticks) from a `stat` file of /proc, or undefined once it is gone. */
function statMs(path: string): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields are counted from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A process's CPU time so far in ms, all its threads, or undefined once it is gone. */
const cpuMsOf = (pid: number) => statMs(`/proc/${pid}/stat`);

/**
 * The CPU time so far in ms of a process's main thread (the one whose id is
 * the pid): where a Node process runs its JavaScript, the rest of its threads
 * being the garbage collector's helpers and libuv's pool.
 */
const mainThreadMsOf = (pid: number) => statMs(`/proc/${pid}/task/${pid}/stat`);

export function sampleCpu(pids: Iterable<number>): CpuSample {
  const sample: CpuSample = new Map();
  for (const pid of pids) {
    const ms = cpuMsOf(pid);
    if (ms !== undefined) sample.set(pid, ms);
  }
  return sample;
}

/**
 * CPU spent between two samples, in ms: each process's growth, a process first
 * seen in `after` counted whole (it started in between). A process gone by
 * `after` is left out, its time since `before` lost with it.
 */
export function cpuSpent(before: CpuSample, after: CpuSample): number {
  let ms = 0;
  for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
  return ms;
}

/** Pids of the processes whose command name (/proc/<pid>/comm) is `comm`. */
export function processesNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // gone since the listing
    }
  }
  return pids;
}

/**
 * Busy time of all the machine's cores so far, in ms (/proc/stat: all but
 * idle and iowait; time stolen by a hypervisor counts as busy, for it was not
 * ours to use).
 */
export function machineBusyMs(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .slice(0, 200)
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number) as number[];
  return (user! + nice! + system! + irq! + softirq! + steal!) * 10;
}

export interface CpuSpent {
  /** CPU ms each role spent; null for a role not measured. */
  roles: Record<Role, number | null>;
  /** CPU ms of the server's main thread; null unless the server role is one process. */
  serverMainThread: number | null;
  /** Cores this system's processes kept busy on average. */
  ownCores: number;
  /** Cores the whole machine kept busy on average, this system's processes and any other work. */
  machineCores: number;
}

export interface CpuWindow {
  /** What was spent since the window opened. */
  close(): Promise<CpuSpent>;
}

const ROLES: readonly Role[] = ['submitter', 'server', 'store'];

async function pidsOf(roles: RolePids): Promise<Record<Role, number[] | null>> {
  const pids = {} as Record<Role, number[] | null>;
  for (const role of ROLES) pids[role] = await roles[role]();
  return pids;
}

/**
 * Sample every role's processes and the machine now; `close` samples them
 * (and any new ones) again. Each sample is taken in one go, after the
 * processes are found, so that all its readings are of the same moment.
 */
export async function openCpuWindow(roles: RolePids): Promise<CpuWindow> {
  const first = await pidsOf(roles);
  const before = new Map(ROLES.map((role) => [role, sampleCpu(first[role] ?? [])]));
  const server = first.server?.length === 1 ? first.server[0]! : null;
  const main0 = server === null ? undefined : mainThreadMsOf(server);
  const busy0 = machineBusyMs();
  const t0 = performance.now();
  return {
    async close() {
      const now = await pidsOf(roles);
      const after = new Map(
        ROLES.map((role) => [role, sampleCpu(new Set([...(first[role] ?? []), ...(now[role] ?? [])]))]),
      );
      const main1 = server === null ? undefined : mainThreadMsOf(server);
      const busy = machineBusyMs() - busy0;
      const elapsed = performance.now() - t0;
      const spent = {} as Record<Role, number | null>;
      for (const role of ROLES) {
        spent[role] =
          first[role] === null || now[role] === null ? null : cpuSpent(before.get(role)!, after.get(role)!);
      }
      const own = ROLES.reduce((sum, role) => sum + (spent[role] ?? 0), 0);
      return {
        roles: spent,
        serverMainThread: main0 === undefined || main1 === undefined ? null : main1 - main0,
        ownCores: own / elapsed,
        machineCores: busy / elapsed,
      };
    },
  };
}
