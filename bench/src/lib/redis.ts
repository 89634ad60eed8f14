import { Redis } from 'ioredis';

/**
 * A connection to the machine's Redis, as BullMQ needs it: its blocking reads
 * must not give up after a few retries, and each blocking reader needs its own.
 */
export function redisConnection(): Redis {
  return new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null });
}
