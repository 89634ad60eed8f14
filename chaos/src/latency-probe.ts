import { Worker } from 'node:worker_threads';

/** What a probe saw: the latency of each answered request, in ms, and how many failed. */
export interface ProbeResult {
  latencies: number[];
  failures: number;
}

/**
 * The probe's loop, run in its own thread: a scenario that builds megabyte
 * bodies and parses megabyte answers would otherwise delay its own timer and
 * charge the server for the harness's pauses.
 */
const PROBE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, intervalMs, timeoutMs } = workerData;
let running = true;
const latencies = [];
let failures = 0;
parentPort.on('message', () => { running = false; });
(async () => {
  // Untimed: a new thread's first fetch loads undici and opens the connection,
  // 35-45 ms on an idle machine, and in a short run it alone would be the p99.
  await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then((res) => res.arrayBuffer(), () => {});
  parentPort.postMessage('ready');
  while (running) {
    const started = performance.now();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      if (res.ok) latencies.push(performance.now() - started);
      else failures += 1;
    } catch {
      failures += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  parentPort.postMessage({ latencies, failures });
})();
`;

/**
 * GET `url` every `intervalMs` from another thread until `stop()` (which may be
 * called again), timing each answer. `ready` settles once the thread is warm
 * and the timed requests begin: start the load after it, so that a thread
 * starting up on a busy machine is not charged to the server.
 */
export function startLatencyProbe(
  url: string,
  { intervalMs = 50, timeoutMs = 10_000 }: { intervalMs?: number; timeoutMs?: number } = {},
): { ready: Promise<void>; stop(): Promise<ProbeResult> } {
  const worker = new Worker(PROBE_SOURCE, { eval: true, workerData: { url, intervalMs, timeoutMs } });
  let warm: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    warm = resolve;
  });
  const done = new Promise<ProbeResult>((resolve, reject) => {
    worker.on('message', (message: 'ready' | ProbeResult) => {
      if (message === 'ready') return warm();
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
  // A thread that dies before it is warm must not leave the scenario waiting.
  done.then(warm, warm);
  let stopped: Promise<ProbeResult> | null = null;
  return {
    ready,
    stop() {
      if (!stopped) {
        worker.postMessage('stop');
        stopped = done;
      }
      return stopped;
    },
  };
}
