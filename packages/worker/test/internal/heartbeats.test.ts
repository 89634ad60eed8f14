import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Report } from '../../src/internal/api.js';
import { Heartbeats, MAX_PENDING_LOG_CHARS, REPORT_LIMITS } from '../../src/internal/heartbeats.js';

/** A Heartbeats whose sends are recorded; each send's fate is `answer`'s. */
function recorder(answer: () => Promise<void> = () => Promise.resolve()) {
  const sent: { at: number; report: Report }[] = [];
  const start = Date.now();
  const beats = new Heartbeats({
    intervalMs: 1000,
    minGapMs: 200,
    retryDelayMs: () => 50,
    send: (report) => {
      sent.push({ at: Date.now() - start, report });
      return answer();
    },
  });
  return { beats, sent };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(async () => {
  vi.useRealTimers();
});

describe('Heartbeats', () => {
  it('sends an empty heartbeat every interval when nothing is reported', async () => {
    const { beats, sent } = recorder();
    await vi.advanceTimersByTimeAsync(3500);
    expect(sent).toEqual([
      { at: 1000, report: {} },
      { at: 2000, report: {} },
      { at: 3000, report: {} },
    ]);
    await beats.close();
  });

  it('folds reports made in quick succession into one heartbeat, soon after them', async () => {
    const { beats, sent } = recorder();
    await vi.advanceTimersByTimeAsync(500);
    beats.add({ progress: 10, stage: 'decoding' });
    beats.add({ logs: ['a'] });
    beats.add({ progress: 30, message: 'frame 3' });
    beats.add({ progress: 20, logs: ['b'] }); // lower than before: progress never goes down
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([
      { at: 500, report: { progress: 30, stage: 'decoding', message: 'frame 3', logs: ['a', 'b'] } },
    ]);
    await beats.close();
  });

  it('sends at most one heartbeat per minimum gap however often the handler reports', async () => {
    const { beats, sent } = recorder();
    for (let i = 1; i <= 100; i++) {
      beats.add({ progress: i });
      await vi.advanceTimersByTimeAsync(10); // a report every 10 ms for a second
    }
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.length).toBeGreaterThanOrEqual(5);
    expect(sent.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(200);
    expect(sent.at(-1)!.report.progress).toBe(100);
    await beats.close();
  });

  it('sends one heartbeat at a time and folds what comes meanwhile into the next', async () => {
    let finish!: () => void;
    const { beats, sent } = recorder(() => new Promise<void>((resolve) => (finish = resolve)));
    beats.add({ progress: 1 });
    await vi.advanceTimersByTimeAsync(200);
    expect(sent).toHaveLength(1);
    beats.add({ logs: ['x'] });
    beats.add({ progress: 5 });
    await vi.advanceTimersByTimeAsync(2000); // the first is still in flight
    expect(sent).toHaveLength(1);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.report)).toEqual([{ progress: 1 }, { progress: 5, logs: ['x'] }]);
    finish();
    await beats.close();
  });

  it('sends again what a failed heartbeat carried, ahead of what came since', async () => {
    let fail = true;
    const { beats, sent } = recorder(() => (fail ? Promise.reject(new Error('down')) : Promise.resolve()));
    beats.add({ progress: 10, stage: 's1', logs: ['one'] });
    await vi.advanceTimersByTimeAsync(200);
    expect(sent).toHaveLength(1);
    beats.add({ stage: 's2', logs: ['two'] });
    fail = false;
    await vi.advanceTimersByTimeAsync(50); // the retry delay
    expect(sent.map((s) => s.report)).toEqual([
      { progress: 10, stage: 's1', logs: ['one'] },
      { progress: 10, stage: 's2', logs: ['one', 'two'] },
    ]);
    await beats.close();
  });

  it('turns the eta into seconds from now when it sends, and sends a cleared one as null', async () => {
    const { beats, sent } = recorder();
    beats.add({ eta: Date.now() + 60_000 });
    await vi.advanceTimersByTimeAsync(200);
    beats.add({ eta: null });
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.map((s) => s.report)).toEqual([{ eta_seconds: 60 }, { eta_seconds: null }]);
    await beats.close();
  });

  it('hands back on close what was not sent, and sends nothing after', async () => {
    const { beats, sent } = recorder();
    beats.add({ progress: 50, logs: ['late'] });
    const rest = await beats.close();
    expect(rest).toEqual({ progress: 50, logs: ['late'] });
    beats.add({ progress: 60 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent).toEqual([]);
  });

  it('keeps the newest log lines when they come faster than they can be sent, and says how many it left out', async () => {
    const { beats } = recorder(() => Promise.reject(new Error('down')));
    const line = 'x'.repeat(1000);
    const count = Math.ceil(MAX_PENDING_LOG_CHARS / 1000) + 50;
    for (let i = 0; i < count; i++) beats.add({ logs: [`${i} ${line}`] });
    const rest = await beats.close();
    expect(rest.logs![0]).toMatch(/^\[longrun\] \d+ log lines left out/);
    expect(rest.logs!.at(-1)).toBe(`${count - 1} ${line}`);
    expect(rest.logs!.slice(1).join('').length).toBeLessThanOrEqual(MAX_PENDING_LOG_CHARS);
  });

  it('sends at most the lines one call may carry, and the rest with the next heartbeat', async () => {
    const { beats, sent } = recorder();
    beats.add({ logs: Array.from({ length: 2500 }, (_, i) => `line ${i}`) });
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.map((s) => s.report.logs!.length)).toEqual([1000]);
    await vi.advanceTimersByTimeAsync(400);
    expect(sent.map((s) => s.report.logs!.length)).toEqual([1000, 1000, 500]);
    expect(sent.flatMap((s) => s.report.logs)).toEqual(Array.from({ length: 2500 }, (_, i) => `line ${i}`));
    await beats.close();
  });

  it('leaves the oldest lines out of the last call when more wait than it may carry', async () => {
    const { beats } = recorder();
    beats.add({ logs: Array.from({ length: 1500 }, (_, i) => `line ${i}`) });
    const rest = await beats.close();
    expect(rest.logs).toHaveLength(REPORT_LIMITS.lines);
    expect(rest.logs![0]).toBe(
      '[longrun] 501 log lines left out: they came faster than the server took them',
    );
    expect(rest.logs![1]).toBe('line 501');
    expect(rest.logs!.at(-1)).toBe('line 1499');
  });

  it('cuts text to what the server takes', async () => {
    const { beats } = recorder();
    beats.add({ stage: 's'.repeat(500), message: 'm'.repeat(5000), logs: ['l'.repeat(20_000)] });
    beats.add({ eta: Date.now() + 10 * 365 * 86_400_000 });
    const rest = await beats.close();
    expect(rest.stage).toHaveLength(REPORT_LIMITS.stageChars);
    expect(rest.message).toHaveLength(REPORT_LIMITS.messageChars);
    expect(rest.logs![0]).toHaveLength(REPORT_LIMITS.lineChars);
    expect(rest.eta_seconds).toBe(31_536_000);
  });
});
