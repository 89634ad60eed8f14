import { execFile } from 'node:child_process';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type LongrunServer, removeDir, startServer, tempDir } from '@longrun/testkit';
import Database from 'better-sqlite3';
import { type Answer, call, submit, Tally, until } from '../http.js';
import { allTerminal, checkOutcome, expectEachEndedOnce, listAll } from '../jobs.js';
import { expect } from '../report.js';
import type { Scenario } from '../scenario.js';

const run = promisify(execFile);

/** Fill the file system under `dir` until a write fails with ENOSPC; returns the filler file. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  try {
    for (const size of [1 << 20, 1 << 12, 1]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * The data dir (SQLite database, artifacts, scratch) runs out of space, then
 * becomes read-only: writes get a clear 503, reads keep working, the process
 * stays up, work resumes when space returns, and the database passes
 * `PRAGMA integrity_check`. Needs root for a small tmpfs mount.
 */
export const diskFullReadOnly: Scenario = {
  name: 'disk-full',
  title: 'the data dir fills up, then turns read-only: 503s, reads work, nothing corrupt, work resumes',
  async run(ctx, result) {
    const mountPoint = tempDir('longrun-chaos-disk-');
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint]);
    } catch (err) {
      removeDir(mountPoint);
      result.notes.push(
        `skipped: a tmpfs could not be mounted (${(err as Error).message.split('\n')[0]}); run as root`,
      );
      return;
    }
    const dataDir = join(mountPoint, 'data');
    let server: LongrunServer | null = null;
    const tally = new Tally();
    const byCode: Record<string, number> = {};
    const note = (r: Answer) => {
      const code = r.status >= 400 ? `${r.status} ${r.body?.error?.code ?? '?'}` : String(r.status);
      byCode[code] = (byCode[code] ?? 0) + 1;
    };
    try {
      server = await startServer(
        [
          ...['--concurrency', '4', '--wait-concurrency', '4', '--simulate-error-rate', '0', '--lease', '3s'],
          ...['--maintenance-interval', '500ms', '--node-name', 'chaos-disk'],
        ],
        { dataDir, echo: ctx.echo },
      );
      const base = server.url;
      const deadline = Date.now() + 120_000;
      const ids: string[] = [];
      const quick = (key: string, seconds = 0.3) =>
        submit(
          base,
          { type: 'simulate', input: { duration_seconds: seconds, error_rate: 0 } },
          { key, deadline, tally, faulty: () => true },
        );
      for (let i = 0; i < 20; i++) ids.push(await quick(`disk-before-${i}`));
      ids.push(
        await submit(
          base,
          {
            type: 'text.to_video',
            input: { text: 'Written before the disk fills up.', width: 320, height: 240 },
          },
          { key: 'disk-media', deadline, tally },
        ),
      );
      await allTerminal(base, ids, deadline);
      // Jobs running when the disk fills: their progress and outcome writes fail until space returns.
      for (let i = 0; i < 4; i++) ids.push(await quick(`disk-running-${i}`, 3));
      await until('jobs to run', async () => (await listAll(base)).some((j) => j.status === 'running'), {
        deadline,
      });

      const filler = fill(mountPoint);
      // The SQLite WAL has its blocks ahead of need, so commits go on in them for a while on a full
      // disk; submit until the WAL's room is used up and the store reports the full disk.
      let roomy = 0;
      let firstRefusal: Answer | null = null;
      while (roomy < 3000 && !firstRefusal) {
        const w = await call(base, 'POST', '/v1/jobs', {
          body: { type: 'simulate', input: { duration_seconds: 0.1, error_rate: 0 } },
          headers: { 'idempotency-key': `disk-room-${roomy}` },
        });
        tally.see(w, 'POST while full', true);
        if (w.status === 202) {
          ids.push(w.body.id);
          roomy += 1;
        } else {
          note(w);
          firstRefusal = w;
        }
      }
      expect(
        result,
        firstRefusal?.status === 503 && firstRefusal.body?.error?.code === 'store_unavailable',
        `a full disk never gave 503 store_unavailable (${roomy} submits accepted, then ${firstRefusal?.status ?? 'none refused'})`,
      );
      const probe = async (phase: string) => {
        const base = server!.url;
        let writes = 0;
        let writesRefused = 0;
        let reads = 0;
        for (let i = 0; i < 10; i++) {
          const w = await call(base, 'POST', '/v1/jobs', {
            body: { type: 'simulate', input: { duration_seconds: 0.1, error_rate: 0 } },
            headers: { 'idempotency-key': `disk-${phase}-${i}` },
          });
          note(w);
          tally.see(w, `POST while ${phase}`, true);
          if (w.status === 202) ids.push(w.body.id);
          else if (w.status === 503) writesRefused += 1;
          writes += 1;
          const r = await call(base, 'GET', `/v1/jobs/${ids[i]}`);
          tally.see(r, `GET while ${phase}`);
          if (r.status === 200) reads += 1;
          const list = await call(base, 'GET', '/v1/jobs?limit=5');
          tally.see(list, `GET /v1/jobs while ${phase}`);
          if (list.status === 200) reads += 1;
          await sleep(100);
        }
        const art = await listAll(base).then((all) => all.find((j) => j.type === 'text.to_video'));
        const download = await fetch(`${base}${art?.output?.video_url}`);
        await download.arrayBuffer();
        if (download.status === 200) reads += 1;
        return { writes, writesRefused, reads, readsTried: 21 };
      };
      const full = await probe('full');
      expect(
        result,
        full.reads === full.readsTried,
        `only ${full.reads}/${full.readsTried} reads worked on a full disk`,
      );
      expect(result, server.proc.exitCode === null, 'the server exited on a full disk');
      unlinkSync(filler);
      const freedAt = Date.now();
      let n = 0;
      await until(
        'a submit to work after space returned',
        async () => {
          const r = await call(base, 'POST', '/v1/jobs', {
            body: { type: 'simulate', input: { duration_seconds: 0.1, error_rate: 0 } },
            headers: { 'idempotency-key': `disk-freed-${n++}` },
          });
          tally.see(r, 'POST after space returned', true);
          if (r.status === 202) ids.push(r.body.id);
          return r.status === 202;
        },
        { deadline: freedAt + 30_000, intervalMs: 50 },
      );
      const fullRecoverMs = Date.now() - freedAt;

      // Read-only: Linux will not remount a file system read-only under open files, so the server
      // stops, the disk turns read-only, and the server is started on it.
      const drained = await server.stop();
      expect(result, drained === 0, `the server exited ${drained} on SIGTERM after the disk was full`);
      await run('mount', ['-o', 'remount,ro', mountPoint]);
      let ro: Awaited<ReturnType<typeof probe>> | null = null;
      let roStart = '';
      try {
        server = await server.restart();
        ro = await probe('read-only');
        expect(
          result,
          ro.reads === ro.readsTried,
          `only ${ro.reads}/${ro.readsTried} reads worked on a read-only disk`,
        );
        expect(result, server.proc.exitCode === null, 'the server exited on a read-only disk');
        await server.stop();
      } catch (err) {
        // Refusing to start is fine if it says why.
        roStart = (err as Error).message;
        expect(
          result,
          /read-only|EROFS|readonly/i.test(roStart),
          `on a read-only disk: ${roStart.slice(0, 300)}`,
        );
      }
      await run('mount', ['-o', 'remount,rw', mountPoint]);
      const rwAt = Date.now();
      server = await server.restart();
      await until(
        'a submit to work after the disk is writable again',
        async () => {
          const r = await call(server!.url, 'POST', '/v1/jobs', {
            body: { type: 'simulate', input: { duration_seconds: 0.1, error_rate: 0 } },
            headers: { 'idempotency-key': `disk-rw-${n++}` },
          });
          tally.see(r, 'POST after remount', true);
          if (r.status === 202) ids.push(r.body.id);
          return r.status === 202;
        },
        { deadline: rwAt + 30_000, intervalMs: 50 },
      );
      result.recoverMs = Math.max(fullRecoverMs, Date.now() - rwAt);

      // Everything accepted ends exactly once, after the disk came back.
      await allTerminal(server.url, ids, Date.now() + 120_000);
      const outcome = await checkOutcome(server.url, ids);
      result.jobs = ids.length;
      expectEachEndedOnce(result, outcome);
      const code = await server.stop();
      expect(result, code === 0, `the server exited ${code} on SIGTERM after the disk trouble`);
      const db = new Database(join(dataDir, 'longrun.db'), { readonly: true });
      const integrity = db.pragma('integrity_check', { simple: true });
      db.close();
      expect(result, integrity === 'ok', `integrity_check: ${String(integrity)}`);
      result.serverErrors = tally.unexpected5xx;
      expect(result, tally.unexpected5xx === 0, `5xx: ${tally.samples.join('; ')}`);
      result.notes.push(
        `16 MiB tmpfs; full: ${roomy} submits accepted into the WAL's room, then 503 ${firstRefusal?.body?.error?.code ?? '?'}, then ${full.writesRefused}/${full.writes} submits refused; ${ro ? `started read-only: ${ro.writesRefused}/${ro.writes} submits refused` : `refused to start read-only: ${(roStart.split('\n').find((l) => l.startsWith('longrun:')) ?? roStart).slice(0, 200)}`}`,
        `answers: ${Object.entries(byCode)
          .map(([c, k]) => `${k}× ${c}`)
          .join(', ')}`,
        `reads ${full.reads + (ro?.reads ?? 0)}/${full.readsTried + (ro?.readsTried ?? 0)} ok; integrity_check ${String(integrity)}`,
        'recover: space freed (or remounted rw and restarted) to the first accepted submit',
      );
    } finally {
      await server?.kill('SIGKILL');
      await run('umount', ['-l', mountPoint]).catch(() => {});
      removeDir(mountPoint);
    }
  },
};
