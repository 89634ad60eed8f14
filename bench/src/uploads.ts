/**
 * Uploads: how fast `POST /v1/files` takes a large file, beside the disk.
 *
 * A file of 200 MiB (50 MiB with --quick) is uploaded 5 times (2) as a raw
 * body to a real server process on this machine (SQLite, API role), and
 * copied as many times with `cat file > copy`, in the same run: `cat` is
 * the limit, one read and one write of the same bytes on the same disk. The
 * upload adds the socket, SHA-256 and the type check. Throughput is the
 * median of the rounds; the ratio is upload / cat.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, openSync, rmSync, writeSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { removeDir, tempDir } from '@longrun/testkit';
import { deploy } from './lib/longrun.js';
import { runIfMain } from './lib/main.js';
import type { ScenarioOptions, ScenarioResult } from './lib/scenario.js';
import { fmt, quantile } from './lib/stats.js';

const MiB = 1024 * 1024;

/** Stream `path` as the body of POST /v1/files; resolves with the answer's status and body. */
function upload(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/v1/files?filename=bench.bin`,
      { method: 'POST', headers: { 'content-type': 'application/octet-stream' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    createReadStream(path, { highWaterMark: MiB }).pipe(req);
  });
}

export async function run({ quick }: ScenarioOptions): Promise<ScenarioResult> {
  const size = (quick ? 50 : 200) * MiB;
  const rounds = quick ? 2 : 5;
  const dir = tempDir('longrun-bench-uploads-');
  const source = join(dir, 'source.bin');
  // Random bytes, so nothing on the way can make them smaller.
  const fd = openSync(source, 'w');
  const chunk = randomBytes(MiB);
  for (let written = 0; written < size; written += MiB) writeSync(fd, chunk);
  closeSync(fd);
  const d = await deploy({
    store: 'sqlite',
    concurrency: 1,
    args: ['--role', 'api', '--rate-limit-create', '0'],
  });
  const catSeconds: number[] = [];
  const uploadSeconds: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const copy = join(dir, 'copy.bin');
      let t0 = performance.now();
      execFileSync('bash', ['-c', `cat '${source}' > '${copy}'`]);
      catSeconds.push((performance.now() - t0) / 1000);
      rmSync(copy);

      t0 = performance.now();
      const res = await upload(d.url, source);
      uploadSeconds.push((performance.now() - t0) / 1000);
      if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.body.slice(0, 200)}`);
      const { id } = JSON.parse(res.body) as { id: string };
      // Deleted at once, so the rounds need the disk space of one file only.
      await fetch(`${d.url}/v1/files/${id}`, { method: 'DELETE' });
    }
  } finally {
    await d.stop();
    removeDir(dir);
  }
  const mbs = (seconds: number) => size / 1e6 / seconds;
  const catMBs = mbs(quantile(catSeconds, 0.5));
  const uploadMBs = mbs(quantile(uploadSeconds, 0.5));
  const ratio = uploadMBs / catMBs;
  return {
    name: 'uploads',
    rows: [
      { what: `cat ${size / MiB} MiB > file (the limit)`, 'MB/s (median)': Number(fmt(catMBs, 0)), rounds },
      {
        what: `POST /v1/files ${size / MiB} MiB (longrun/SQLite)`,
        'MB/s (median)': Number(fmt(uploadMBs, 0)),
        rounds,
      },
      { what: 'upload / cat', 'MB/s (median)': Number(fmt(ratio, 2)), rounds },
    ],
    // No goal: cat writes to the page cache at memory speed, a bound no HTTP upload reaches; the
    // ratio says how far from the disk the upload is, the MB/s what a client can expect.
    goals: [],
    method:
      `A file of ${size / MiB} MiB of random bytes, uploaded ${rounds} times as a raw body (streamed from disk, ` +
      'application/octet-stream) to a server process on this machine (SQLite, API role), each upload deleted ' +
      `after it; and copied ${rounds} times with \`cat file > copy\` on the same disk in the same run. Median of ` +
      'the rounds; MB is 10^6 bytes. Client and server share the machine. Neither fsyncs, so cat runs at ' +
      'page-cache speed; a bare Node http server that hashes and writes the same body measured 140-190 MB/s ' +
      'on the same 2-core machine, so the upload is bound by Node reading the socket, not by longrun.',
  };
}

runIfMain(import.meta.url, async () => {
  console.table((await run({ quick: process.argv.includes('--quick') })).rows);
});
