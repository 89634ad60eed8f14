import { describe, expect, it } from 'vitest';
import { type Figures, ratioGoal, serverCpuGoal } from '../../src/throughput/goals.js';

function figures(
  system: string,
  mode: Figures['mode'],
  rate: number,
  server: number,
  machineCores = 1,
  serverMainThread: number | null = null,
): Figures {
  const total = server + 100;
  // The system's own cores as its rate and CPU per job give them.
  const ownCores = (rate * total) / 1e6;
  return {
    system,
    mode,
    rate,
    cpu: { submitter: 100, server, store: null },
    total,
    serverMainThread,
    ownCores,
    machineCores,
  };
}

describe('ratioGoal', () => {
  it('is met at the target ratio, with both rates in the figure', () => {
    const g = ratioGoal([figures('ours', 'bulk', 3000, 200), figures('peer', 'bulk', 2000, 50)], {
      ours: 'ours',
      theirs: 'peer',
      mode: 'bulk',
      target: 1.5,
      cores: 2,
    });
    expect(g).toEqual({
      goal: 'bulk: ours >= 1.5x peer jobs/s',
      met: true,
      figure: '1.50x (3000 vs 2000 jobs/s)',
    });
  });

  it('names the CPU per job the target needs when the machine had no core to spare', () => {
    // 2000 jobs/s x 900 µs = 1.8 cores of 2, and the machine had 1.9 busy.
    const g = ratioGoal(
      [figures('ours', 'one-at-a-time', 2000, 800, 1.9), figures('peer', 'one-at-a-time', 2000, 50)],
      { ours: 'ours', theirs: 'peer', mode: 'one-at-a-time', target: 1.5, cores: 2 },
    );
    expect(g.met).toBe(false);
    expect(g.figure).toBe(
      '1.00x (2000 vs 2000 jobs/s); to close: the machine had 1.9 of 2 cores busy, 1.8 of them its own, so 3000 jobs/s needs ' +
        '600 CPU µs/job instead of 900 (server 800, submitter 100)',
    );
  });

  it('names the wait per job when the cores were mostly idle', () => {
    // 640 jobs/s x 300 µs = 0.2 cores, the machine 0.5; 64 submitters wait 100 ms per job.
    const g = ratioGoal(
      [figures('ours', 'one-at-a-time', 640, 200), figures('peer', 'one-at-a-time', 640, 50)],
      { ours: 'ours', theirs: 'peer', mode: 'one-at-a-time', target: 1, cores: 2 },
    );
    expect(g.met).toBe(true);
    const missed = ratioGoal(
      [figures('ours', 'one-at-a-time', 640, 200, 0.5), figures('peer', 'one-at-a-time', 1280, 50)],
      { ours: 'ours', theirs: 'peer', mode: 'one-at-a-time', target: 1, cores: 2 },
    );
    expect(missed.figure).toContain(
      'only 0.5 of 2 cores busy, 0.2 of them its own; each of the 64 submitters waits 100.0 ms',
    );
    expect(missed.figure).toContain('needs 50.0 ms');
  });

  it("names the server CPU per job the target needs when the server's one thread was saturated", () => {
    // 4000 jobs/s x 230 µs = 0.92 of a core in the server process, the machine 1.3 of 2.
    const g = ratioGoal([figures('ours', 'bulk', 4000, 230, 1.3), figures('peer', 'bulk', 4000, 50)], {
      ours: 'ours',
      theirs: 'peer',
      mode: 'bulk',
      target: 1.5,
      cores: 2,
    });
    expect(g.figure).toBe(
      '1.00x (4000 vs 4000 jobs/s); to close: the server process kept 0.92 of a core busy, its one thread ' +
        'saturated, so 6000 jobs/s needs 167 µs of server CPU per job instead of 230',
    );
  });

  it("judges the server's main thread when it was measured: the process's other threads run beside it", () => {
    // 4000 jobs/s: the process 230 µs a job (0.92 of a core), its main thread 200 (0.80), then 225 (0.90).
    const peer = figures('peer', 'bulk', 4000, 50);
    const goal = { ours: 'ours', theirs: 'peer', mode: 'bulk', target: 1.5, cores: 2 } as const;
    const waiting = ratioGoal([figures('ours', 'bulk', 4000, 230, 1.3, 200), peer], goal);
    expect(waiting.figure).toContain('to close: only 1.3 of 2 cores busy');
    const saturated = ratioGoal([figures('ours', 'bulk', 4000, 230, 1.3, 225), peer], goal);
    expect(saturated.figure).toBe(
      "1.00x (4000 vs 4000 jobs/s); to close: the server's main thread kept 0.90 of a core busy (its process " +
        '0.92), saturated, so 6000 jobs/s needs 167 µs of main-thread CPU per job instead of 225',
    );
  });

  it('says when even every core of the machine could not give the wanted rate at the CPU a job costs now', () => {
    // 9000 jobs/s and 235 µs a job in all its processes: 15000 jobs/s would take 3.5 cores of 2.
    const peer = figures('peer', 'bulk', 10000, 50);
    const goal = { ours: 'ours', theirs: 'peer', mode: 'bulk', target: 1.5, cores: 2 } as const;
    // Its main thread 100 µs a job, 0.90 of a core: saturated.
    const saturated = ratioGoal([figures('ours', 'bulk', 9000, 135, 1.4, 100), peer], goal);
    expect(saturated.figure).toBe(
      "0.90x (9000 vs 10000 jobs/s); to close: the server's main thread kept 0.90 of a core busy (its process " +
        '1.22), saturated, so 15000 jobs/s needs 67 µs of main-thread CPU per job instead of 100; and at ' +
        '15000 jobs/s even all 2 cores allow 133 CPU µs/job in all its processes, against 235',
    );
    // 80 µs, 0.72 of a core: waiting, and the bound replaces "not for CPU".
    const waiting = ratioGoal([figures('ours', 'bulk', 9000, 135, 1.4, 80), peer], goal);
    expect(waiting.figure).toMatch(/wake-ups\); and at 15000 jobs\/s even all 2 cores allow 133 CPU µs\/job/);
    expect(waiting.figure).not.toContain('not for CPU');
  });

  it('says what is missing when a system was not measured', () => {
    const g = ratioGoal([figures('ours', 'bulk', 3000, 200)], {
      ours: 'ours',
      theirs: 'peer',
      mode: 'bulk',
      target: 1.5,
      cores: 2,
    });
    expect(g).toMatchObject({ met: false, figure: 'not measured (peer unavailable)' });
  });
});

describe('serverCpuGoal', () => {
  const results = [
    figures('a', 'bulk', 1, 140),
    figures('b', 'bulk', 1, 160),
    figures('a', 'one-at-a-time', 1, 400),
    figures('b', 'one-at-a-time', 1, 420),
  ];

  it('is judged on the worst system in the judged mode and shows the other mode', () => {
    const g = serverCpuGoal(results, { systems: ['a', 'b'], limit: 150, judged: 'bulk' });
    expect(g.met).toBe(false);
    expect(g.figure).toMatch(
      /^bulk: 140 \(a\), 160 \(b\) µs\/job; one at a time: 400 \(a\), 420 \(b\) µs\/job; to close: 10 µs less server work per job \(its share of accepting the batch/,
    );
    expect(serverCpuGoal(results, { systems: ['a', 'b'], limit: 160, judged: 'bulk' }).met).toBe(true);
  });
});
