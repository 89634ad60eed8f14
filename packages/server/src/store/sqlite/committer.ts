import { closeSync, fstatSync, fsync, openSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';

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
  /** Flush a file descriptor to disk (injectable for tests). @default fs.fsync */
  fsync?: (fd: number) => Promise<void>;
}

interface Op {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How one committed write's promise ends: resolved once synced, or rejected if the sync fails. */
interface Settle {
  ok: () => void;
  fail: (error: unknown) => void;
}

const fsyncAsync = (fd: number) =>
  new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));

/**
 * Group commit for a single SQLite writer. Writes asked for in the same tick
 * run in one transaction, so they share one sync. With `durable`, SQLite's
 * own syncing is off and the WAL file is fsynced in libuv's thread pool: the
 * event loop never blocks on the disk, and while one fsync runs the next
 * batch commits, so batches grow with load. A write's promise settles only
 * after an fsync that began after its commit has finished, so nothing that
 * was acknowledged (or published) can be lost to a power cut. Checkpoints
 * run under `synchronous=FULL`, so the database file is on disk before the
 * WAL is truncated.
 */
export class GroupCommitter {
  readonly #db: Database.Database;
  readonly #walPath: string | null;
  readonly #checkpointBytes: number;
  readonly #fsync: (fd: number) => Promise<void>;
  #pending: Op[] = [];
  #awaitingSync: Settle[] = [];
  #syncing: Promise<void> | null = null;
  #walFd: number | null = null;
  #broken: unknown = null;

  constructor({
    db,
    filename,
    durable,
    checkpointBytes = 4 * 1024 * 1024,
    fsync = fsyncAsync,
  }: CommitterOptions) {
    this.#db = db;
    this.#walPath = durable && filename !== ':memory:' ? `${filename}-wal` : null;
    this.#checkpointBytes = checkpointBytes;
    this.#fsync = fsync;
    if (this.#walPath) {
      db.pragma('synchronous = OFF');
      db.pragma('wal_autocheckpoint = 0');
    } else {
      db.pragma('synchronous = NORMAL');
    }
  }

  /** Run `fn` inside the next group transaction; resolves with its result once committed (and synced). */
  run<T>(fn: () => T): Promise<T> {
    if (this.#broken) return Promise.reject(this.#broken);
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });
  }

  /** Commit what is queued, wait for the last sync, checkpoint, and let go of the WAL. */
  async close(): Promise<void> {
    this.#flush();
    while (this.#syncing) await this.#syncing;
    if (this.#walFd !== null && !this.#broken) this.#checkpoint();
    if (this.#walFd !== null) closeSync(this.#walFd);
    this.#walFd = null;
  }

  #flush(): void {
    const batch = this.#pending;
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
    if (!this.#walPath) {
      for (const settle of settles) settle.ok();
      return;
    }
    this.#awaitingSync.push(...settles);
    this.#startSync();
  }

  #commitFlat(batch: Op[]): Settle[] {
    const values = this.#db.transaction(() => batch.map((op) => op.fn())).immediate();
    return batch.map((op, i) => ({ ok: () => op.resolve(values[i]), fail: op.reject }));
  }

  #commitIsolated(batch: Op[]): Settle[] {
    return this.#db
      .transaction(() =>
        batch.map((op): Settle => {
          try {
            const value = this.#db.transaction(op.fn)();
            return { ok: () => op.resolve(value), fail: op.reject };
          } catch (error) {
            return { ok: () => op.reject(error), fail: op.reject };
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
    if (this.#walFd === null) this.#walFd = openSync(this.#walPath!, 'r+');
    return this.#walFd;
  }

  #maybeCheckpoint(): void {
    if (this.#walFd === null || fstatSync(this.#walFd).size < this.#checkpointBytes) return;
    if (this.#pending.length > 0) return; // the next flush comes first; it checks again after its sync
    this.#checkpoint();
  }

  #checkpoint(): void {
    this.#db.pragma('synchronous = FULL');
    try {
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.#db.pragma('synchronous = OFF');
    }
    // Should the WAL ever be recreated (every connection closed), sync the new file from now on.
    if (
      this.#walFd !== null &&
      statSync(this.#walPath!, { throwIfNoEntry: false })?.ino !== fstatSync(this.#walFd).ino
    ) {
      closeSync(this.#walFd);
      this.#walFd = null;
    }
  }
}
