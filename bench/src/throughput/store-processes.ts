/** The processes of the stores the peers use, on this machine, for their CPU time. */
import { readFileSync } from 'node:fs';
import { adminQuery } from '../lib/postgres.js';
import { redisConnection } from '../lib/redis.js';
import { processesNamed } from './cpu.js';

export interface Backend {
  pid: number;
  backend_type: string;
  application_name: string;
}

/**
 * Of PostgreSQL's local processes, the ones working for a system whose
 * connections carry `tag` in their application_name, and the shared ones
 * (postmaster, checkpointer, WAL writer…): every one but the client
 * backends of other connections, which other work on the machine may hold.
 */
export function ownPostgresPids(
  local: readonly number[],
  activity: readonly Backend[],
  tag: string,
): number[] {
  const others = new Set(
    activity
      .filter((b) => b.backend_type === 'client backend' && !b.application_name.includes(tag))
      .map((b) => b.pid),
  );
  return local.filter((pid) => !others.has(pid));
}

/** {@link ownPostgresPids} now; null when PostgreSQL does not run on this machine. */
export async function postgresPids(tag: string): Promise<number[] | null> {
  const local = processesNamed('postgres');
  if (local.length === 0) return null;
  const { rows } = await adminQuery(
    "SELECT pid, backend_type, coalesce(application_name, '') AS application_name FROM pg_stat_activity",
  );
  return ownPostgresPids(local, rows as Backend[], tag);
}

function commOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The pid of the Redis on 127.0.0.1:6379 (one process, its threads included), or null when it is not local. */
export async function redisPid(): Promise<number | null> {
  const redis = redisConnection();
  try {
    const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    return Number.isInteger(pid) && commOf(pid) === 'redis-server' ? pid : null;
  } finally {
    redis.disconnect();
  }
}
