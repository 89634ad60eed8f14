#!/usr/bin/env node
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { WorkerEvent } from './remote-workers.js';

/**
 * A remote worker for the chaos scenarios, speaking the protocol of
 * docs/workers.md with plain fetch, as a worker in any language would (no
 * SDK, so that the server alone is under test). It serves one job type,
 * heartbeats as the server asks, "works" for a random time, completes with
 * an output that names it and the attempt, and writes what it does to stdout
 * as JSON lines (see WorkerEvent), which the harness reads.
 *
 * A job's input may give a worker its own working time, `hold_ms: {name: ms}`,
 * so that a scenario can make one worker hold a job long and another finish it fast.
 */

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    type: { type: 'string' },
    name: { type: 'string', default: 'worker' },
    slots: { type: 'string', default: '1' },
    'min-ms': { type: 'string', default: '500' },
    'max-ms': { type: 'string', default: '1500' },
    'timeout-ms': { type: 'string', default: '5000' },
  },
});
if (!values.server || !values.type) {
  process.stderr.write(
    'usage: remote-worker --server URL --type TYPE [--name N] [--slots N] [--min-ms] [--max-ms]\n',
  );
  process.exit(2);
}
const server = values.server.replace(/\/+$/, '');
const type = values.type;
const name = values.name;
const minMs = Number(values['min-ms']);
const maxMs = Number(values['max-ms']);
/** Each request's own limit: a cut-off network makes requests hang, not fail. */
const timeoutMs = Number(values['timeout-ms']);

const INPUT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    n: { type: 'integer' },
    hold_ms: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
  },
};

interface Claimed {
  ref: string;
  lease_token: string;
  job: { id: string; attempt: number; input: { hold_ms?: Record<string, number> } };
}

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: protocol answers are read field by field.
  body: any;
}

function emit(event: WorkerEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  waitMs = 0,
): Promise<Reply> {
  const res = await fetch(`${server}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs + waitMs),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

const codeOf = (r: Reply): string | undefined => r.body?.error?.code;

let worker = '';
let heartbeatMs = 1000;
let registering: Promise<void> | null = null;

/** Register (again after a 404 worker_not_found), retrying until the server answers. */
function register(): Promise<void> {
  registering ??= (async () => {
    for (;;) {
      try {
        const r = await post('/v1/workers', { name, types: [{ type, input_schema: INPUT_SCHEMA }] });
        if (r.status === 201) {
          worker = r.body.id;
          heartbeatMs = r.body.heartbeat_seconds * 1000;
          emit({ e: 'registered', worker, name });
          return;
        }
        emit({
          e: 'error',
          what: 'register',
          message: `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`,
        });
      } catch (err) {
        emit({ e: 'error', what: 'register', message: (err as Error).message });
      }
      await sleep(200);
    }
  })().finally(() => {
    registering = null;
  });
  return registering;
}

/** Heartbeat until the work time is over; false when the lease was lost (or the job canceled) meanwhile. */
async function workOn(claimed: Claimed, ms: number): Promise<boolean> {
  const path = `/v1/workers/${worker}/jobs/${encodeURIComponent(claimed.ref)}/heartbeat`;
  const end = Date.now() + ms;
  let progress = 0;
  while (Date.now() < end) {
    await sleep(Math.min(heartbeatMs, end - Date.now()));
    if (Date.now() >= end) break;
    progress = Math.min(99, progress + 10);
    try {
      const r = await post(path, { progress }, { 'lease-token': claimed.lease_token });
      if (r.status === 200 && !r.body.canceled) continue;
      emit({
        e: 'lost',
        ref: claimed.ref,
        token: claimed.lease_token,
        during: 'heartbeat',
        status: r.status,
        code: r.body?.canceled ? 'canceled' : codeOf(r),
      });
      return false;
    } catch (err) {
      // Cut off: keep working, and keep trying, as a worker cannot tell a slow network from a lost lease.
      emit({ e: 'error', what: 'heartbeat', ref: claimed.ref, message: (err as Error).message });
    }
  }
  return true;
}

/** Complete, retrying network errors and 5xx until the server answers (the answer decides, not the worker). */
async function complete(claimed: Claimed): Promise<void> {
  const path = `/v1/workers/${worker}/jobs/${encodeURIComponent(claimed.ref)}/complete`;
  const output = { worker: name, worker_id: worker, attempt: claimed.job.attempt };
  const giveUpAt = Date.now() + 120_000;
  emit({ e: 'sending', ref: claimed.ref, token: claimed.lease_token });
  while (Date.now() < giveUpAt) {
    try {
      const r = await post(path, { output, progress: 100 }, { 'lease-token': claimed.lease_token });
      if (r.status < 500) {
        emit({
          e: 'completed',
          ref: claimed.ref,
          token: claimed.lease_token,
          status: r.status,
          code: codeOf(r),
        });
        return;
      }
      emit({ e: 'error', what: 'complete', ref: claimed.ref, message: `${r.status}` });
    } catch (err) {
      emit({ e: 'error', what: 'complete', ref: claimed.ref, message: (err as Error).message });
    }
    await sleep(500);
  }
}

async function run(claimed: Claimed): Promise<void> {
  emit({
    e: 'claimed',
    worker,
    ref: claimed.ref,
    token: claimed.lease_token,
    id: claimed.job.id,
    attempt: claimed.job.attempt,
  });
  const ms = claimed.job.input.hold_ms?.[name] ?? minMs + Math.random() * (maxMs - minMs);
  if (await workOn(claimed, ms)) await complete(claimed);
}

/** One slot: claim a job, work it to its end, claim again. */
async function slot(): Promise<void> {
  for (;;) {
    if (registering) await registering;
    try {
      const waitSeconds = 5;
      const r = await post(
        `/v1/workers/${worker}/claim`,
        { max_jobs: 1, wait_seconds: waitSeconds },
        {},
        waitSeconds * 1000,
      );
      if (r.status === 404 && codeOf(r) === 'worker_not_found') {
        await register();
        continue;
      }
      if (r.status !== 200) {
        emit({ e: 'error', what: 'claim', message: `${r.status} ${JSON.stringify(r.body).slice(0, 200)}` });
        await sleep(200);
        continue;
      }
      for (const claimed of r.body.jobs as Claimed[]) await run(claimed);
    } catch (err) {
      emit({ e: 'error', what: 'claim', message: (err as Error).message });
      await sleep(200);
    }
  }
}

process.on('SIGTERM', () => process.exit(0));
await register();
await Promise.all(Array.from({ length: Number(values.slots) }, () => slot()));
