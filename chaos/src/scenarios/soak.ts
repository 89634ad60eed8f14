import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { removeDir, startServer, tempDir, waitBySse } from '@longrun/testkit';
import { call, Tally } from '../http.js';
import { expect } from '../report.js';
import type { Scenario } from '../scenario.js';
import { mean, slope } from '../stats.js';

interface Sample {
  /** Minutes since the start. */
  t: number;
  rss: number;
  heap: number;
  disk: number;
  stored: number;
}

/** Bytes under a folder (the SQLite file, its WAL, artifacts, scratch). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

function metric(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

const TERMINAL = new Set(['completed', 'failed', 'canceled']);

/**
 * Steady submit-and-wait load with retention on, for 20 minutes (90 s with
 * --quick): memory, heap and disk must stay flat once retention has begun to
 * delete, and every job must reach its waiter exactly once.
 */
export const soak: Scenario = {
  name: 'soak',
  title: 'steady submit-and-wait load with retention on: RSS, heap and disk stay flat',
  async run(ctx, result) {
    const minutes = ctx.quick ? 1.5 : 20;
    const retention = ctx.quick ? 15 : 120;
    const sampleEvery = ctx.quick ? 3000 : 20_000;
    const clients = 8;
    const dataDir = tempDir('longrun-chaos-soak-');
    const server = await startServer(
      [
        ...[
          '--retention',
          `${retention}s`,
          '--maintenance-interval',
          '1s',
          '--concurrency',
          '8',
          '--wait-concurrency',
          '8',
        ],
        ...['--simulate-error-rate', '0.1', '--node-name', 'chaos-soak'],
      ],
      { dataDir, echo: ctx.echo },
    );
    const tally = new Tally();
    const samples: Sample[] = [];
    const started = Date.now();
    const stopAt = started + minutes * 60_000;
    let submitted = 0;
    let terminal = 0;
    let lost = 0;
    let extraTerminal = 0;
    try {
      const take = async () => {
        const text = await (await fetch(`${server.url}/metrics`)).text();
        samples.push({
          t: (Date.now() - started) / 60_000,
          rss: metric(text, 'longrun_process_resident_memory_bytes'),
          heap: metric(text, 'longrun_nodejs_heap_size_used_bytes'),
          disk: folderBytes(dataDir),
          stored: metric(text, 'longrun_jobs'),
        });
      };
      const sampler = (async () => {
        while (Date.now() < stopAt) {
          await take().catch(() => {});
          await sleep(sampleEvery);
        }
      })();
      const client = async (c: number) => {
        for (let i = 0; Date.now() < stopAt; i++) {
          const r = await call(server.url, 'POST', '/v1/jobs', {
            body: { type: 'simulate', input: { duration_seconds: 0.05 + ((i * 7 + c) % 10) / 20 } },
            headers: { 'idempotency-key': `soak-${c}-${i}` },
          });
          tally.see(r, 'POST');
          if (r.status !== 202) continue;
          submitted += 1;
          const id = r.body.id as string;
          const deadline = Date.now() + 60_000;
          try {
            if (i % 10 === 0) {
              const w = await waitBySse(server.url, id, { deadline });
              terminal += 1;
              extraTerminal += w.terminalEvents - 1;
              continue;
            }
            let since = r.body.version as number;
            for (;;) {
              if (Date.now() > deadline) throw new Error('deadline');
              const g = await call(server.url, 'GET', `/v1/jobs/${id}?wait=30&since=${since}`, {
                timeoutMs: 40_000,
              });
              tally.see(g, 'GET ?wait');
              if (g.status !== 200) throw new Error(`status ${g.status}`);
              if (TERMINAL.has(g.body.status)) break;
              since = g.body.version;
            }
            terminal += 1;
          } catch {
            lost += 1;
          }
        }
      };
      await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
      await sampler;
      await take();
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const finished = metric(text, 'longrun_jobs_finished_total');

      // Fit after the warm-up: retention must have begun deleting (retention + a minute of headroom).
      const warm = Math.min(minutes / 2, (retention + 60) / 60);
      const fit = samples.filter((s) => s.t >= warm);
      const per = (key: keyof Omit<Sample, 't'>) => {
        const s = slope(fit.map((p) => ({ x: p.t, y: p[key] })));
        const m = mean(fit.map((p) => p[key]));
        // Flat: at this slope it would grow less than a quarter of its size in an hour.
        return { slope: s, mean: m, flat: s * 60 <= 0.25 * m };
      };
      const rss = per('rss');
      const heap = per('heap');
      const disk = per('disk');
      const stored = per('stored');
      const mib = (b: number) => (b / 2 ** 20).toFixed(2);
      result.jobs = submitted;
      result.lost = lost;
      result.duplicated = extraTerminal + Math.max(0, finished - submitted);
      result.serverErrors = tally.unexpected5xx;
      expect(result, lost === 0, `${lost} waits did not end`);
      expect(result, result.duplicated === 0, `${result.duplicated} jobs ended more than once`);
      expect(result, tally.unexpected5xx === 0, `5xx: ${tally.samples.join('; ')}`);
      if (!ctx.quick) {
        expect(result, rss.flat, `RSS grows ${mib(rss.slope)} MiB/min`);
        expect(result, heap.flat, `heap grows ${mib(heap.slope)} MiB/min`);
        expect(result, disk.flat, `data dir grows ${mib(disk.slope)} MiB/min`);
      }
      const judged = ctx.quick ? ' (too short to judge)' : '';
      result.notes.push(
        `${minutes} min, ${clients} clients, retention ${retention} s: ${terminal} jobs waited to the end (${Math.round(terminal / minutes)}/min)`,
        `slopes over ${fit.length} samples after ${warm.toFixed(1)} min${judged}: RSS ${mib(rss.slope)} MiB/min (mean ${mib(rss.mean)} MiB, ${rss.flat ? 'flat' : 'GROWING'}), heap ${mib(heap.slope)} MiB/min (mean ${mib(heap.mean)} MiB, ${heap.flat ? 'flat' : 'GROWING'}), data dir ${mib(disk.slope)} MiB/min (mean ${mib(disk.mean)} MiB, ${disk.flat ? 'flat' : 'GROWING'}), jobs stored ${stored.slope.toFixed(1)}/min (mean ${Math.round(stored.mean)})`,
      );
    } finally {
      await server.kill('SIGKILL');
      removeDir(dataDir);
    }
  },
};
