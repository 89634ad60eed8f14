import { closeSync, fdatasync, fstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import type Database from 'better-sqlite3';
import { Checkpointer, type Checkpoints } from './checkpointer.js';

export interface CommitterOptions {
  db: Database.Database;
  /** The database file; its WAL is `<filename>-wal`. ':memory:' has nothing to sync. */
  filename: string;
  /**
   * true: a write resolves only once the WAL holding it is on disk (what
   * `synchronous=FULL` promises). false: SQLite's `synchronous=NORMAL` — a
   * crash loses nothing, a power cut may lose the last writes.
   */
  durable: boolean;
  /** Checkpoint when the WAL grows past this many bytes. @default 4 MiB */
  checkpointBytes?: number;
  /** Flush a file descriptor to disk (injectable for tests). @default fs.fdatasync */
  fsync?: (fd: number) => Promise<void>;
  /** Where checkpoints run (injectable for tests). @default a {@link Checkpointer} of `filename` */
  checkpointer?: Checkpoints;
}

interface Op {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Resolve once committed when nothing before it awaits a sync (see {@link GroupCommitter.run}). */
  unsynced: boolean;
  /** For an unsynced write: true of a result that depends on no write awaiting its sync. */
  readsSynced: ((value: unknown) => boolean) | undefined;
}

/** How one committed write's promise ends: resolved once synced, or rejected if the sync fails. */
interface Settle {
  ok: () => void;
  fail: (error: unknown) => void;
  /** Done at its commit whatever awaits a sync: an unsynced write whose result reads only synced writes. */
  early: boolean;
}

const fdatasyncAsync = (fd: number) =>
  new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));

/** How `op`, committed with `value`, ends. */
function settled(op: Op, value: unknown): Settle {
  return {
    ok: () => op.resolve(value),
    fail: op.reject,
    early: op.unsynced && op.readsSynced?.(value) === true,
  };
}

/**
 * How long one transaction of a batch may run before the rest of the batch is
 * left to the next turn of the event loop. Thousands of small writes fit in
 * it; a few writes of megabyte rows (each walks hundreds of pages) would
 * otherwise hold the loop for tens of milliseconds at a time, and every other
 * request, a health probe included, with it.
 */
const BATCH_BUDGET_MS = 8;

/** The wal-index header is in native byte order. */
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Group commit for a single SQLite writer. Writes asked for in the same tick
 * run in one transaction (as many as fit in {@link BATCH_BUDGET_MS}; the rest
 * in the next turn), so they share one sync. With `durable`, SQLite's
 * own syncing is off and the WAL file is synced (fdatasync) in libuv's thread
 * pool: the event loop never blocks on the disk, and while one sync runs the
 * next batch commits, so batches grow with load. A write's promise settles
 * only after a sync that began after its commit has finished, so nothing that
 * was acknowledged (or published) can be lost to a power cut. In either
 * mode, checkpoints run in a thread of their own (see {@link Checkpointer})
 * under `synchronous=FULL`, so the database file is on disk before the WAL is
 * reset; the event loop does not wait for them (see #maybeCheckpoint).
 *
 * The WAL keeps its blocks: it is filled out to the checkpoint size once and
 * restarted from its start after each checkpoint, never truncated. A commit
 * then overwrites blocks the file already has, and its sync writes those
 * pages alone; an append would also make the file system commit its journal
 * (the new size and blocks), about twice the work per sync on ext4. Bytes
 * past the last valid frame are ignored by SQLite (each frame carries the
 * WAL's salt and a running checksum), so the filling is never read as data.
 */
export class GroupCommitter {
  readonly #db: Database.Database;
  /** The WAL's file; null for an in-memory database. */
  readonly #walPath: string | null;
  /** Syncs the WAL itself (see {@link CommitterOptions.durable}). */
  readonly #durable: boolean;
  readonly #checkpointBytes: number;
  readonly #fsync: (fd: number) => Promise<void>;
  #pending: Op[] = [];
  #awaitingSync: Settle[] = [];
  #syncing: Promise<void> | null = null;
  #walFd: number | null = null;
  /** The wal-index (`<filename>-shm`), where SQLite keeps the count of valid frames. */
  #shmFd: number | null = null;
  /** Read after every sync: one buffer for the life of the committer. */
  readonly #shmHeader = Buffer.alloc(20);
  #broken: unknown = null;
  /** Runs checkpoints off the event loop (see {@link #maybeCheckpoint}); null for an in-memory database. */
  readonly #checkpointer: Checkpoints | null;
  /** A checkpoint under way. */
  #checkpointing: Promise<void> | null = null;
  /** Writes wait for the checkpoint under way (see {@link #maybeCheckpoint}). */
  #holding = false;
  /** Checkpoints in a row that left frames behind: writes went on while they copied. */
  #behind = 0;
  #closing = false;

  constructor({
    db,
    filename,
    durable,
    checkpointBytes = 4 * 1024 * 1024,
    fsync = fdatasyncAsync,
    checkpointer,
  }: CommitterOptions) {
    this.#db = db;
    this.#walPath = filename === ':memory:' ? null : `${filename}-wal`;
    this.#durable = durable && this.#walPath !== null;
    this.#checkpointBytes = checkpointBytes;
    this.#fsync = fsync;
    this.#checkpointer = this.#walPath ? (checkpointer ?? new Checkpointer(filename)) : null;
    // Checkpoints run in the checkpointer's thread, not in the commit that passes the size.
    if (this.#walPath) db.pragma('wal_autocheckpoint = 0');
    if (this.#durable) {
      db.pragma('synchronous = OFF');
      // Past this size SQLite cuts the WAL back when it restarts it; below it, the blocks stay.
      db.pragma(`journal_size_limit = ${2 * this.#checkpointBytes}`);
    } else {
      db.pragma('synchronous = NORMAL');
    }
  }

  /**
   * Run `fn` inside the next group transaction; resolves with its result once
   * committed (and synced). With `unsynced`, a write no caller is answered
   * for (a claim) resolves once committed, without a sync of its own, when
   * every write committed before it is already synced: it then may read only
   * durable rows, and what a power cut can take from it is that write alone.
   * It resolves at its commit too, whatever awaits a sync, when `readsSynced`
   * says of its result that it depends on no write awaiting its sync (a
   * claim of jobs whose inserts are synced). Otherwise it waits for the sync
   * as any write does.
   */
  run<T>(
    fn: () => T,
    { unsynced = false, readsSynced }: { unsynced?: boolean; readsSynced?: (value: T) => boolean } = {},
  ): Promise<T> {
    if (this.#broken) return Promise.reject(this.#broken);
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({
        fn,
        resolve: resolve as (value: unknown) => void,
        reject,
        unsynced,
        readsSynced: readsSynced as Op['readsSynced'],
      });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });
  }

  /** Commit what is queued, wait for the last sync, checkpoint, and let go of the WAL. */
  async close(): Promise<void> {
    this.#closing = true;
    while (this.#checkpointing) await this.#checkpointing;
    while (this.#pending.length > 0) this.#flush();
    while (this.#syncing) await this.#syncing;
    await this.#checkpointer?.close();
    if (this.#walFd !== null && !this.#broken) this.#checkpoint();
    // SQLite checkpoints once more as the connection closes: let that one sync the database file too.
    if (this.#durable) this.#db.pragma('synchronous = FULL');
    if (this.#walFd !== null) closeSync(this.#walFd);
    if (this.#shmFd !== null) closeSync(this.#shmFd);
    this.#walFd = null;
    this.#shmFd = null;
  }

  #flush(): void {
    if (this.#holding) return; // the checkpoint's end flushes
    let batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    let settles: Settle[];
    try {
      settles = this.#commitFlat(batch);
    } catch {
      // One write threw: nothing was committed. Run the batch again, each write
      // in its own savepoint, so the others still go through.
      try {
        settles = this.#commitIsolated(batch);
      } catch (error) {
        for (const op of batch) op.reject(error);
        return;
      }
    }
    if (settles.length < batch.length) {
      // The batch ran out of time: the rest commit in the next turn, after the I/O waiting now.
      this.#pending = [...batch.slice(settles.length), ...this.#pending];
      batch = batch.slice(0, settles.length);
      setImmediate(() => this.#flush());
    }
    if (!this.#durable) {
      for (const settle of settles) settle.ok();
      this.#maybeCheckpoint();
      return;
    }
    // Nothing committed before this batch awaits a sync, and the batch holds only writes that need
    // none: they are done. Anything else waits for the next sync.
    if (!this.#syncing && this.#awaitingSync.length === 0 && batch.every((op) => op.unsynced)) {
      for (const settle of settles) settle.ok();
      return;
    }
    // Of the rest, an unsynced write whose result depends on no write awaiting its sync is done
    // now too: under load a sync is always under way, and each claim would otherwise wait out one.
    const waiting: Settle[] = [];
    for (const settle of settles) {
      if (settle.early) settle.ok();
      else waiting.push(settle);
    }
    if (waiting.length === 0) return;
    this.#awaitingSync.push(...waiting);
    this.#startSync();
  }

  /**
   * Run `batch` in one transaction, or as much of it as fits in
   * {@link BATCH_BUDGET_MS}: the settles of the writes it committed, in order.
   */
  #commitFlat(batch: Op[]): Settle[] {
    const started = performance.now();
    const values = this.#db
      .transaction(() => {
        const done: unknown[] = [];
        for (const op of batch) {
          done.push(op.fn());
          if (performance.now() - started >= BATCH_BUDGET_MS) break;
        }
        return done;
      })
      .immediate();
    return values.map((value, i) => settled(batch[i]!, value));
  }

  #commitIsolated(batch: Op[]): Settle[] {
    return this.#db
      .transaction(() =>
        batch.map((op): Settle => {
          try {
            return settled(op, this.#db.transaction(op.fn)());
          } catch (error) {
            return { ok: () => op.reject(error), fail: op.reject, early: false };
          }
        }),
      )
      .immediate();
  }

  #startSync(): void {
    if (this.#syncing) return; // the writes wait for the next sync, begun after this one ends
    const covered = this.#awaitingSync;
    this.#awaitingSync = [];
    this.#syncing = (async () => {
      try {
        await this.#fsync(this.#openWal());
      } catch (error) {
        // Like PostgreSQL after a failed fsync, trust nothing more: every later write fails.
        this.#broken = new Error(`the SQLite WAL could not be synced to disk: ${(error as Error).message}`, {
          cause: error,
        });
        for (const settle of [...covered, ...this.#awaitingSync]) settle.fail(this.#broken);
        this.#awaitingSync = [];
        return;
      }
      for (const settle of covered) settle.ok();
      this.#maybeCheckpoint();
    })().finally(() => {
      this.#syncing = null;
      if (this.#awaitingSync.length > 0) this.#startSync();
    });
  }

  #openWal(): number {
    if (this.#walFd === null) {
      this.#walFd = openSync(this.#walPath!, 'r+');
      this.#fillOut(this.#walFd);
    }
    return this.#walFd;
  }

  /**
   * Give the WAL its blocks up to the checkpoint size, appending zeros after
   * its end; the sync that follows makes them durable with the writes it covers.
   */
  #fillOut(fd: number): void {
    try {
      // Under the write lock, so that no other connection appends a frame where the zeros go.
      this.#db
        .transaction(() => {
          let size = fstatSync(fd).size;
          const zeros = Buffer.alloc(Math.min(256 * 1024, Math.max(0, this.#checkpointBytes - size)));
          while (size < this.#checkpointBytes) {
            size += writeSync(fd, zeros, 0, Math.min(zeros.length, this.#checkpointBytes - size), size);
          }
        })
        .immediate();
    } catch {
      // A full disk, or the lock held elsewhere: the WAL grows as SQLite writes it, as it would have anyway.
    }
  }

  /** Bytes of the WAL holding valid frames (the whole file when the wal-index cannot be read). */
  #walBytesUsed(walPath: string): number {
    const header = this.#walIndexHeader(walPath);
    if (header) return 32 + header.frames * (header.pageSize + 24);
    return statSync(walPath, { throwIfNoEntry: false })?.size ?? 0;
  }

  /** The WAL's valid frames and page size, from the wal-index; null when it cannot be read. */
  #walIndexHeader(walPath: string): { frames: number; pageSize: number } | null {
    try {
      this.#shmFd ??= openSync(`${walPath.slice(0, -4)}-shm`, 'r');
      // WalIndexHdr (https://sqlite.org/walformat.html), in native byte order: szPage at 14, mxFrame at 16.
      const header = this.#shmHeader;
      if (readSync(this.#shmFd, header, 0, 20, 0) === 20) {
        const szPage = LITTLE_ENDIAN ? header.readUInt16LE(14) : header.readUInt16BE(14);
        const mxFrame = LITTLE_ENDIAN ? header.readUInt32LE(16) : header.readUInt32BE(16);
        if (szPage > 0) return { frames: mxFrame, pageSize: szPage === 1 ? 65536 : szPage };
      }
    } catch {
      // No wal-index file (an exclusive locking mode keeps it in memory).
    }
    return null;
  }

  /**
   * Checkpoint in the {@link Checkpointer}'s thread once the WAL is past its
   * size. Writes go on while it copies; but the WAL can start again from its
   * start only after a checkpoint that left no frame behind. After one that
   * did, the next follows at once, copying what came in meanwhile, with writes
   * still going on: when they pause for as long as it takes, it finds no new
   * frame, and no write waits. Under writes that never pause no checkpoint
   * would, and the WAL would grow without end; so when that one left frames
   * behind too, the third, as short, holds writes until it ends. A write held
   * so waits out a checkpoint, and a job ending then is late by as much.
   * (Catch-ups that never hold, one after another, bound the WAL too, once
   * one holds at a size; but under steady load they tripled the checkpoints
   * and their syncs of the database file.) Reads and everything else go on
   * throughout.
   */
  #maybeCheckpoint(): void {
    const walPath = this.#walPath;
    if (this.#closing || this.#checkpointing || !this.#checkpointer || !walPath) return;
    if (this.#pending.length > 0) return; // the next flush comes first; it checks again after it
    const used = this.#walBytesUsed(walPath);
    if (used < this.#checkpointBytes / 2) return;
    // Half way there: the thread starts now, so that writes never wait for its start.
    const checkpointer = this.#checkpointer;
    checkpointer.start();
    if (used < this.#checkpointBytes) return;
    if (!checkpointer.ready) {
      // The WAL filled faster than the thread started: this once, here.
      this.#checkpoint();
      return;
    }
    this.#holding = this.#behind >= 2;
    this.#checkpointing = checkpointer
      .run()
      .then(
        ({ checkpointed }) => {
          // The checkpoint's own count of frames is of the WAL as it began; frames written since
          // are in the wal-index (fewer, if a write has started the WAL again since).
          const frames = this.#walIndexHeader(walPath)?.frames ?? Number.POSITIVE_INFINITY;
          this.#behind = frames > checkpointed ? this.#behind + 1 : 0;
          this.#afterCheckpoint();
        },
        () => {
          // As in #checkpoint: nothing is lost, and it is tried again after the next sync.
        },
      )
      .finally(() => {
        this.#checkpointing = null;
        this.#holding = false;
        if (this.#pending.length > 0) this.#flush();
      });
  }

  #checkpoint(): void {
    try {
      this.#checkpointOrThrow();
    } catch {
      // A full disk can stop the database file from growing. The WAL still holds every write, so
      // nothing is lost: writes go on in its blocks (and fail once it must grow), and the
      // checkpoint is tried again after the next sync.
    }
  }

  #checkpointOrThrow(): void {
    this.#db.pragma('synchronous = FULL');
    try {
      // RESTART, not TRUNCATE: the next commit writes from the WAL's start, over blocks it already has.
      this.#db.pragma('wal_checkpoint(RESTART)');
    } finally {
      this.#db.pragma(`synchronous = ${this.#durable ? 'OFF' : 'NORMAL'}`);
    }
    this.#afterCheckpoint();
  }

  #afterCheckpoint(): void {
    // Should the WAL ever be recreated (every connection closed), sync the new file from now on.
    if (
      this.#walFd !== null &&
      statSync(this.#walPath!, { throwIfNoEntry: false })?.ino !== fstatSync(this.#walFd).ino
    ) {
      closeSync(this.#walFd);
      this.#walFd = null;
      if (this.#shmFd !== null) closeSync(this.#shmFd);
      this.#shmFd = null;
    }
  }
}
