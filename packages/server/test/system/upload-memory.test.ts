import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { Readable } from 'node:stream';
import { startServer } from '@longrun/testkit';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';

useCleanup();

const MiB = 1024 * 1024;

/** The resident set of a process, in bytes, from /proc. */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** `total` bytes in 1 MiB chunks, each chunk different, hashed as they go out. */
function body(total: number, hash: ReturnType<typeof createHash>): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const chunk = Buffer.alloc(Math.min(MiB, total - sent), sent / MiB);
      sent += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

/** POST a raw body to /v1/files and read the JSON answer. */
function post(url: string, stream: Readable): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/v1/files?filename=big.bin`,
      { method: 'POST', headers: { 'content-type': 'application/octet-stream' } },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    stream.pipe(req);
  });
}

describe('an upload is streamed, not buffered', () => {
  it("uploading 200 MiB keeps the server's RSS within 64 MiB of its idle value", async () => {
    const server = await startServer(['--data-dir', tempDir(), '--role', 'api'], { dataDir: false });
    afterThisTest(() => server.kill('SIGKILL'));
    const pid = server.proc.pid!;
    // Warm the route's code paths with a small upload, then take the idle value.
    await post(server.url, body(MiB, createHash('sha256')));
    await new Promise((r) => setTimeout(r, 500));
    const idle = rss(pid);
    let peak = idle;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rss(pid));
    }, 20);
    const hash = createHash('sha256');
    try {
      const res = await post(server.url, body(200 * MiB, hash));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ bytes: 200 * MiB, sha256: hash.digest('hex') });
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rss(pid));
    const delta = peak - idle;
    process.stderr.write(
      `upload-memory: idle RSS ${(idle / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB, delta ${(delta / MiB).toFixed(1)} MiB\n`,
    );
    expect(delta).toBeLessThan(64 * MiB);
  }, 120_000);
});
