import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The thread's code, as CommonJS source: the same text runs from the
 * compiled package and from the TypeScript sources under test. It opens its
 * own connection to the database and checkpoints on each message.
 * `synchronous = FULL` makes the checkpoint sync the WAL before it copies
 * frames out and the database file before it marks them copied, so the WAL is
 * written over only once what it held is on disk. PASSIVE takes no lock a
 * writer or reader waits on; it copies what no reader still needs.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
parentPort.postMessage('ready');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ result: db.pragma('wal_checkpoint(PASSIVE)')[0] });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
});
`;

/** A checkpoint's outcome, as `PRAGMA wal_checkpoint` gives it: frames in the WAL and frames copied out. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** What the group committer asks of the checkpoints' thread. */
export interface Checkpoints {
  /** A checkpoint asked now starts at once. */
  readonly ready: boolean;
  /** Make ready ahead of need. */
  start(): void;
  /** Checkpoint the WAL; rejects if one is already running, or if it fails. */
  run(): Promise<CheckpointResult>;
  close(): Promise<void>;
}

type Reply = 'ready' | { result: CheckpointResult } | { error: string };

/**
 * Checkpoints of one SQLite database run in a thread of their own. A
 * checkpoint copies megabytes of pages and syncs the database file: on the
 * event loop that holds every request for tens of milliseconds, far more when
 * the disk is busy. The thread is started ahead of need ({@link start}), runs
 * one checkpoint at a time, and is started again if it dies.
 */
export class Checkpointer implements Checkpoints {
  readonly #filename: string;
  #worker: Worker | null = null;
  #ready = false;
  #waiting: { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void } | null = null;

  constructor(filename: string) {
    this.#filename = filename;
  }

  /** The thread has its connection open: a checkpoint asked now starts at once. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Checkpoint the WAL in the thread (started if it is not); rejects if one is already running, or if it fails. */
  run(): Promise<CheckpointResult> {
    if (this.#waiting) return Promise.reject(new Error('a checkpoint is already running'));
    const worker = this.start();
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      worker.ref();
      worker.postMessage('checkpoint');
    });
  }

  /** Let the thread close its connection and end; waits for a checkpoint under way. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = null;
    this.#ready = false;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Held until it has ended: a process with nothing else to do would otherwise end first.
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  /**
   * Start the thread, if it is not running: it takes ~100 ms to load the
   * driver and open the database, which a checkpoint that writes wait for
   * should not include.
   */
  start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(SOURCE, {
      eval: true,
      // None of the process's flags: `--input-type=module` would make the source a module, without `require`.
      execArgv: [],
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        filename: this.#filename,
      },
    });
    // Between checkpoints the thread keeps no process alive.
    worker.unref();
    worker.on('message', (reply: Reply) => {
      if (reply === 'ready') {
        if (this.#worker === worker) this.#ready = true;
        return;
      }
      worker.unref();
      const waiting = this.#waiting;
      this.#waiting = null;
      if ('result' in reply) waiting?.resolve(reply.result);
      else waiting?.reject(new Error(`the WAL checkpoint failed: ${reply.error}`));
    });
    const gone = (error: Error) => {
      if (this.#worker === worker) {
        this.#worker = null;
        this.#ready = false;
      }
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting?.reject(error);
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the checkpoint thread exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }
}
