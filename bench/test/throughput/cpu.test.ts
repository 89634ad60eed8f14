import { describe, expect, it } from 'vitest';
import {
  cpuSpent,
  machineBusyMs,
  openCpuWindow,
  processesNamed,
  sampleCpu,
} from '../../src/throughput/cpu.js';
import { ownPostgresPids } from '../../src/throughput/store-processes.js';

describe('cpuSpent', () => {
  it('adds each process growth, counts a new process whole and leaves out one that is gone', () => {
    const before = new Map([
      [10, 500],
      [11, 40],
      [12, 70],
    ]);
    const after = new Map([
      [10, 620], // +120
      [11, 40], // idle
      [13, 30], // started in between: all of it
    ]);
    expect(cpuSpent(before, after)).toBe(150);
  });
});

describe('sampleCpu', () => {
  it("reads this process's CPU time and skips a pid that does not exist", () => {
    const sample = sampleCpu([process.pid, 2 ** 31 - 1]);
    expect([...sample.keys()]).toEqual([process.pid]);
    expect(sample.get(process.pid)! % 10).toBe(0);
  });

  it('finds processes by command name', () => {
    const comm = processesNamed('node');
    expect(comm).toContain(process.pid);
  });
});

describe('openCpuWindow', () => {
  it("gives a one-process server's main thread apart, within the process's time", async () => {
    const none = async () => null;
    const window = await openCpuWindow({ submitter: none, server: async () => [process.pid], store: none });
    // 100 ms of CPU on this, the main, thread, however busy the machine.
    const start = process.cpuUsage();
    while (process.cpuUsage(start).user < 100_000) {
      // busy
    }
    const { roles, serverMainThread } = await window.close();
    expect(serverMainThread).toBeGreaterThanOrEqual(50);
    expect(serverMainThread).toBeLessThanOrEqual(roles.server!);
    expect(roles.submitter).toBeNull();
  });

  it('gives no main thread for a server role of several processes', async () => {
    const window = await openCpuWindow({
      submitter: async () => null,
      server: async () => [process.pid, process.ppid],
      store: async () => null,
    });
    expect((await window.close()).serverMainThread).toBeNull();
  });
});

describe('machineBusyMs', () => {
  it('grows with work done, in whole ticks', () => {
    const before = machineBusyMs();
    const until = performance.now() + 50;
    while (performance.now() < until) {
      // busy
    }
    const after = machineBusyMs();
    expect(after % 10).toBe(0);
    expect(after).toBeGreaterThan(before);
  });
});

describe('ownPostgresPids', () => {
  it("keeps the shared processes and the tagged backends, not other connections' backends", () => {
    const local = [1, 2, 3, 4, 5, 6];
    const activity = [
      { pid: 2, backend_type: 'checkpointer', application_name: '' },
      { pid: 3, backend_type: 'client backend', application_name: 'longrun/bench_ab12' },
      { pid: 4, backend_type: 'client backend', application_name: 'longrun/bench_ab12/listen' },
      { pid: 5, backend_type: 'client backend', application_name: 'longrun/bench_ff00' },
      { pid: 6, backend_type: 'client backend', application_name: '' },
      { pid: 7, backend_type: 'client backend', application_name: 'bench_ab12' },
    ];
    // 1 is the postmaster, which pg_stat_activity does not list; 7 is not a local process.
    expect(ownPostgresPids(local, activity, 'bench_ab12')).toEqual([1, 2, 3, 4]);
  });
});
