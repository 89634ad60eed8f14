/**
 * What a durable write costs on this machine's disk, and what the SQLite
 * store makes of it: the part of every pushed wait's lag that is the disk's.
 *
 *   npm run bench:store-sync
 *
 * 1. The disk alone: 1000 writes of 4 KiB, each followed by a sync, appended
 *    to a new file and written over a file that already has its blocks.
 * 2. The store: 3000 job inserts, one every millisecond, each timed from the
 *    call to its acknowledgement (after the sync of the WAL).
 *
 * Prints only: these figures move with whatever else uses the disk, so compare
 * runs made one after the other.
 */
import { closeSync, fdatasyncSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { newJobId, SqliteJobStore } from '@longrun/server';
import { removeDir, tempDir } from '@longrun/testkit';
import { runIfMain } from './lib/main.js';
import { fmt, quantile } from './lib/stats.js';

const summary = (ms: number[]) =>
  `p50 ${fmt(quantile(ms, 0.5), 2)} ms, p90 ${fmt(quantile(ms, 0.9), 2)}, p99 ${fmt(quantile(ms, 0.99), 2)}, max ${fmt(Math.max(...ms), 2)}`;

function diskLoop(dir: string, name: string, preallocate: boolean, sync: (fd: number) => void): number[] {
  const fd = openSync(join(dir, name), 'w+');
  const page = Buffer.alloc(4096, 1);
  try {
    if (preallocate) {
      writeSync(fd, Buffer.alloc(4 * 1024 * 1024));
      fsyncSync(fd);
    }
    const times: number[] = [];
    for (let i = 0; i < 1000; i++) {
      writeSync(fd, page, 0, page.length, i * page.length);
      const start = performance.now();
      sync(fd);
      times.push(performance.now() - start);
    }
    return times;
  } finally {
    closeSync(fd);
  }
}

async function storeWrites(dir: string): Promise<number[]> {
  const store = new SqliteJobStore({ filename: join(dir, 'longrun.db'), synchronous: 'full' });
  await store.migrate();
  const job = () => ({
    id: newJobId(),
    tenant: 'bench',
    type: 'simulate',
    queue: 'simulate',
    priority: 0,
    input: { duration_seconds: 1, note: 'x'.repeat(400) },
    metadata: {},
    max_attempts: 3,
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < 3000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const start = performance.now();
      await store.insert(job());
      times.push(performance.now() - start);
    }
  } finally {
    await store.close();
  }
  return times;
}

async function main(): Promise<void> {
  const dir = tempDir('longrun-store-sync-');
  try {
    console.log('The disk: 1000 writes of 4 KiB, each followed by a sync');
    console.log(`  appended, fsync        ${summary(diskLoop(dir, 'a', false, fsyncSync))}`);
    console.log(`  appended, fdatasync    ${summary(diskLoop(dir, 'b', false, fdatasyncSync))}`);
    console.log(`  overwritten, fsync     ${summary(diskLoop(dir, 'c', true, fsyncSync))}`);
    console.log(`  overwritten, fdatasync ${summary(diskLoop(dir, 'd', true, fdatasyncSync))}`);
    console.log('The SQLite store (synchronous=full): 3000 inserts one at a time, call to acknowledgement');
    console.log(`  ${summary(await storeWrites(dir))}`);
  } finally {
    removeDir(dir);
  }
}

runIfMain(import.meta.url, main);
