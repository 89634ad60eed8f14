/**
 * Redis's append-only file, turned on for a peer's turn: Redis's durability
 * matched to longrun's, then the settings found put back, also on error or
 * when the run is interrupted.
 */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { redisConnection } from '../lib/redis.js';

/** `everysec`: a crash of the machine may lose the last second of writes; `always`: nothing acknowledged. */
export type AppendFsync = 'everysec' | 'always';

export interface RedisPersistence {
  appendonly: string;
  appendfsync: string;
  save: string;
}

async function configGet(redis: Redis, name: string): Promise<string> {
  const reply = (await redis.call('CONFIG', 'GET', name)) as string[];
  const value = reply[1];
  if (value === undefined) throw new Error(`Redis has no setting ${name}`);
  return value;
}

/** The persistence settings of the machine's Redis. */
export async function redisPersistence(): Promise<RedisPersistence> {
  const redis = redisConnection();
  try {
    return {
      appendonly: await configGet(redis, 'appendonly'),
      appendfsync: await configGet(redis, 'appendfsync'),
      save: await configGet(redis, 'save'),
    };
  } finally {
    redis.disconnect();
  }
}

/** Turning the file on rewrites it from the data set in a child process; measure after that. */
async function rewriteFinished(redis: Redis): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const info = await redis.info('persistence');
    if (info.includes('aof_rewrite_in_progress:0') && info.includes('aof_rewrite_scheduled:0')) return;
    await sleep(100);
  }
  throw new Error('Redis did not finish rewriting its append-only file within 60 s');
}

/** Run `fn` with `appendonly yes` and `appendfsync` as given, then put back the two settings as found. */
export async function withAppendOnly<T>(appendfsync: AppendFsync, fn: () => Promise<T>): Promise<T> {
  const redis = redisConnection();
  try {
    const found = {
      appendfsync: await configGet(redis, 'appendfsync'),
      appendonly: await configGet(redis, 'appendonly'),
    };
    const restore = ['CONFIG', 'SET', 'appendfsync', found.appendfsync, 'appendonly', found.appendonly];
    // Interrupted: put the settings back before the signal ends the process.
    const onSignal = (signal: NodeJS.Signals) => {
      spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', ...restore], { stdio: 'ignore' });
      process.kill(process.pid, signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await redis.call('CONFIG', 'SET', 'appendfsync', appendfsync, 'appendonly', 'yes');
      await rewriteFinished(redis);
      return await fn();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await redis.call(restore[0]!, ...restore.slice(1));
    }
  } finally {
    redis.disconnect();
  }
}
