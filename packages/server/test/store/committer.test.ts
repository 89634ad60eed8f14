import { spawnSync } from 'node:child_process';
import { copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Checkpointer, type Checkpoints } from '../../src/store/sqlite/checkpointer.js';
import { GroupCommitter } from '../../src/store/sqlite/committer.js';
import { tempDir } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';

useCleanup();

function setup(
  fsync: (fd: number) => Promise<void>,
  checkpointBytes?: number,
  durable = true,
  checkpointer?: Checkpoints,
) {
  const file = join(tempDir(), 'c.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v INTEGER NOT NULL)');
  const committer = new GroupCommitter({
    db,
    filename: file,
    durable,
    fsync,
    ...(checkpointBytes ? { checkpointBytes } : {}),
    ...(checkpointer ? { checkpointer } : {}),
  });
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const count = () => (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
  return { db, file, committer, insert, count };
}

/**
 * Checkpoints that copy nothing and say so (every frame is left behind), each
 * waiting until {@link release}: what the committer does around a checkpoint,
 * without the timing of a thread.
 */
class GatedCheckpoints implements Checkpoints {
  readonly ready = true;
  /** Checkpoints under way. */
  waiting = 0;
  #open: (() => void)[] = [];
  #gone = false;

  start(): void {}

  async run(): ReturnType<Checkpoints['run']> {
    this.waiting += 1;
    if (!this.#gone) await new Promise<void>((resolve) => this.#open.push(resolve));
    this.waiting -= 1;
    return { busy: 0, log: 0, checkpointed: 0 };
  }

  async close(): Promise<void> {}

  release(): void {
    for (const open of this.#open.splice(0)) open();
  }

  /** Let every checkpoint, this one and those to come, go through. */
  remove(): void {
    this.#gone = true;
    this.release();
  }
}

/** Turns of the event loop until `ready()` holds (at most 5 s). */
async function until(ready: () => boolean): Promise<void> {
  const giveUp = Date.now() + 5000;
  while (!ready()) {
    if (Date.now() > giveUp) throw new Error('timed out');
    await sleep(1);
  }
}

describe('GroupCommitter', () => {
  it('commits a tick of writes in one transaction and resolves them only after the WAL is synced', async () => {
    let release!: () => void;
    let syncs = 0;
    const { committer, insert, count } = setup(() => {
      syncs += 1;
      return new Promise((r) => {
        release = r;
      });
    });
    let resolved = 0;
    const writes = [1, 2, 3].map((v) => committer.run(() => insert.run(v)).then(() => resolved++));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(count()).toBe(3); // committed...
    expect(resolved).toBe(0); // ...but not acknowledged before the fsync
    expect(syncs).toBe(1);
    release();
    await Promise.all(writes);
    expect(resolved).toBe(3);
    await committer.close();
  });

  it('resolves an unsynced write at its commit only when every write before it is synced', async () => {
    const releases: (() => void)[] = [];
    const { committer, insert } = setup(() => new Promise<void>((r) => releases.push(r)));
    const tick = async () => {
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    };
    // Alone, with nothing awaiting a sync: done at its commit, and no sync is begun for it.
    let alone = false;
    await committer.run(() => insert.run(1), { unsynced: true }).then(() => (alone = true));
    expect(alone).toBe(true);
    expect(releases).toHaveLength(0);
    // After a write still awaiting its sync it may have read that write, so it waits for the
    // sync too: the next one, since it committed after the first began.
    const durable = committer.run(() => insert.run(2));
    await tick();
    let after = false;
    const claim = committer.run(() => insert.run(3), { unsynced: true }).then(() => (after = true));
    await tick();
    expect(after).toBe(false);
    releases.shift()!();
    await durable;
    await tick();
    expect(after).toBe(false);
    releases.shift()!();
    await claim;
    expect(after).toBe(true);
    await committer.close();
  });

  it('resolves an unsynced write at its commit, whatever awaits a sync, when its result reads only synced writes', async () => {
    const releases: (() => void)[] = [];
    const { committer, insert } = setup(() => new Promise<void>((r) => releases.push(r)));
    const durable = committer.run(() => insert.run(1));
    await until(() => releases.length === 1); // committed, and its sync under way
    const asked: unknown[] = [];
    const early = await committer.run(() => insert.run(2).lastInsertRowid, {
      unsynced: true,
      readsSynced: (rowid) => {
        asked.push(rowid);
        return true;
      },
    });
    expect(asked).toEqual([early]); // asked of the write's own result
    expect(releases).toHaveLength(1); // done with no sync of its own, the first still under way
    let late = false;
    const waiting = committer
      .run(() => insert.run(3), { unsynced: true, readsSynced: () => false })
      .then(() => (late = true));
    await until(() => releases.length === 1 && asked.length === 1);
    await new Promise((r) => setTimeout(r, 10));
    expect(late).toBe(false);
    releases.shift()!();
    await durable;
    await until(() => releases.length === 1); // the next sync, begun after the write committed
    releases.shift()!();
    await waiting;
    expect(late).toBe(true);
    await committer.close();
  });

  it('lets other work in between when a batch takes long, committing every write in order', async () => {
    const { committer, insert, db } = setup(async () => undefined);
    const slow = (v: number) => () => {
      const until = performance.now() + 3;
      while (performance.now() < until); // a write of a megabyte row takes milliseconds
      return insert.run(v);
    };
    const order: string[] = [];
    const writes = Array.from({ length: 10 }, (_, i) =>
      committer.run(slow(i)).then(() => order.push(`write ${i}`)),
    );
    // Queued after the batch's first turn began: it runs before the batch has finished.
    setImmediate(() => setImmediate(() => order.push('other work')));
    await Promise.all(writes);
    const other = order.indexOf('other work');
    expect(other).toBeGreaterThan(-1);
    expect(other).toBeLessThan(order.length - 1);
    expect(order.filter((o) => o !== 'other work')).toEqual(
      Array.from({ length: 10 }, (_, i) => `write ${i}`),
    );
    expect(db.prepare('SELECT v FROM t ORDER BY rowid').all()).toEqual(
      Array.from({ length: 10 }, (_, v) => ({ v })),
    );
    await committer.close();
  });

  it('makes writes committed during a sync wait for the next one', async () => {
    const releases: (() => void)[] = [];
    const { committer, insert } = setup(() => new Promise((r) => releases.push(r)));
    const first = committer.run(() => insert.run(1));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    let secondDone = false;
    const second = committer
      .run(() => insert.run(2))
      .then(() => {
        secondDone = true;
      });
    await new Promise((r) => setImmediate(r));
    expect(releases).toHaveLength(1);
    releases[0]!();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(secondDone).toBe(false);
    expect(releases).toHaveLength(2);
    releases[1]!();
    await second;
    await committer.close();
  });

  it('rejects only the write that throws; the others in its batch commit', async () => {
    const { committer, insert, count } = setup(async () => {});
    const results = await Promise.allSettled([
      committer.run(() => insert.run(1)),
      committer.run(() => insert.run(null)),
      committer.run(() => insert.run(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(count()).toBe(2);
    await committer.close();
  });

  it('refuses every write after a failed fsync', async () => {
    const { committer, insert } = setup(async () => {
      throw new Error('EIO');
    });
    await expect(committer.run(() => insert.run(1))).rejects.toThrow(/could not be synced.*EIO/);
    await expect(committer.run(() => insert.run(2))).rejects.toThrow(/could not be synced/);
    await committer.close();
  });

  it('checkpoints the WAL once it grows past the threshold', async () => {
    const { committer, insert, db } = setup(async () => {}, 64 * 1024);
    for (let i = 0; i < 50; i++)
      await Promise.all(Array.from({ length: 20 }, (_, j) => committer.run(() => insert.run(i * 20 + j))));
    const wal = db.pragma('wal_checkpoint(PASSIVE)', { simple: false }) as { log: number }[];
    expect(wal[0]!.log).toBeLessThan(64);
    await committer.close();
  });

  it('checkpoints in its own thread without syncing writes itself too, SQLite checkpointing none in a commit', async () => {
    const { committer, insert, db, count } = setup(async () => {}, 64 * 1024, false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    for (let i = 0; i < 50; i++)
      await Promise.all(Array.from({ length: 20 }, (_, j) => committer.run(() => insert.run(i * 20 + j))));
    const wal = db.pragma('wal_checkpoint(PASSIVE)', { simple: false }) as { log: number }[];
    expect(wal[0]!.log).toBeLessThan(64);
    expect(count()).toBe(1000);
    // A checkpoint made here, before the thread was up, leaves the mode as it was.
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    await committer.close();
  });

  it('gives the WAL its blocks once and writes over them from then on', async () => {
    const checkpointBytes = 256 * 1024;
    // A sync of a millisecond, as a fast disk's: writes go on while a checkpoint copies, and
    // with syncs that took no time at all they would outrun any checkpoint.
    const { committer, insert, file } = setup(() => sleep(1), checkpointBytes);
    await committer.run(() => insert.run(0));
    const wal = `${file}-wal`;
    expect(statSync(wal).size).toBeGreaterThanOrEqual(checkpointBytes);
    const sizes = new Set<number>();
    // Several checkpoint cycles: the file never shrinks below, nor grows past, its bounds.
    for (let i = 1; i <= 400; i++) {
      await committer.run(() => insert.run(i));
      sizes.add(statSync(wal).size);
    }
    for (const size of sizes) {
      expect(size).toBeGreaterThanOrEqual(checkpointBytes);
      expect(size).toBeLessThanOrEqual(2 * checkpointBytes);
    }
    await committer.close();
  });

  it('starts the WAL again under writes that never pause, holding them for a catch-up checkpoint', async () => {
    const checkpointBytes = 256 * 1024;
    const { committer, insert, file, count } = setup(() => sleep(1), checkpointBytes);
    const wal = `${file}-wal`;
    let largest = 0;
    // Four writers, each starting its next write as soon as the last is done: a checkpoint never
    // finds the WAL without frames newer than it began with.
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 300; i++) {
          await committer.run(() => insert.run(w * 1000 + i));
          largest = Math.max(largest, statSync(wal).size);
        }
      }),
    );
    expect(count()).toBe(1200);
    expect(largest).toBeLessThanOrEqual(2 * checkpointBytes);
    await committer.close();
  });

  it('catches up once with writes going on after a checkpoint that left frames behind, and holds them for the next catch-up if that one left frames behind too', async () => {
    const gated = new GatedCheckpoints();
    const { committer, insert } = setup(async () => {}, 64 * 1024, false, gated);
    let v = 0;
    const write = () => committer.run(() => insert.run(v++));
    /** Is a write made while a checkpoint is under way held until it ends? */
    const heldDuringCheckpoint = async () => {
      await until(() => gated.waiting === 1);
      let written = false;
      const during = write().then(() => {
        written = true;
      });
      await sleep(20);
      const held = !written;
      gated.release();
      await during;
      return held;
    };
    // One page a write, until the WAL reaches the checkpoint size and a checkpoint begins.
    while (gated.waiting === 0) await write();
    expect(await heldDuringCheckpoint()).toBe(false);
    // It left frames behind (every one of these does): the next write starts a catch-up, and
    // writes still go on during it.
    await write();
    expect(await heldDuringCheckpoint()).toBe(false);
    // That one left frames behind too, as under writes that never pause: the next holds them.
    await write();
    expect(await heldDuringCheckpoint()).toBe(true);
    gated.remove();
    await committer.close();
  });

  it('recovers exactly the acknowledged writes from a crash image, past the stale frames of an earlier cycle', async () => {
    const { committer, insert, file, db } = setup(async () => {}, 64 * 1024);
    // Fill and checkpoint the WAL a few times, so that it holds frames of earlier cycles.
    for (let i = 0; i < 300; i++) await committer.run(() => insert.run(i));
    const acknowledged = (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
    expect(acknowledged).toBe(300);
    // What a power cut would leave: the database and its WAL as they are on disk, no wal-index.
    const image = join(tempDir(), 'image.db');
    copyFileSync(file, image);
    copyFileSync(`${file}-wal`, `${image}-wal`);
    const recovered = new Database(image);
    try {
      expect(recovered.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = recovered.prepare('SELECT v FROM t ORDER BY v').pluck().all() as number[];
      expect(rows).toEqual(Array.from({ length: 300 }, (_, i) => i));
    } finally {
      recovered.close();
    }
    await committer.close();
  });

  it('checkpoints from a thread of its own, copying every frame, and ends the thread on close', async () => {
    const { db, file, insert } = setup(async () => {});
    db.pragma('wal_autocheckpoint = 0');
    for (let i = 0; i < 200; i++) insert.run(i);
    const checkpointer = new Checkpointer(file);
    const result = await checkpointer.run();
    expect(result.log).toBeGreaterThan(0);
    expect(result.checkpointed).toBe(result.log);
    // One at a time.
    const first = checkpointer.run();
    await expect(checkpointer.run()).rejects.toThrow(/already running/);
    await first;
    await checkpointer.close();
    await checkpointer.close();
    // A checkpointer whose thread cannot open the database fails its checkpoint, and may be closed.
    const broken = new Checkpointer(join(tempDir(), 'missing.db'));
    await expect(broken.run()).rejects.toThrow();
    await broken.close();
  });

  it('holds its process open on close until the thread has ended', () => {
    const { db, file, insert } = setup(async () => {});
    db.pragma('wal_autocheckpoint = 0');
    for (let i = 0; i < 50; i++) insert.run(i);
    // A process with nothing else to do, as a program's last `await store.close()` leaves it.
    const built = fileURLToPath(new URL('../../dist/store/sqlite/checkpointer.js', import.meta.url));
    const script = `import { Checkpointer } from ${JSON.stringify(built)};
      const c = new Checkpointer(${JSON.stringify(file)});
      await c.run();
      await c.close();
      console.log('closed');`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stdout.trim()).toBe('closed');
    expect(child.status).toBe(0);
  });
});
