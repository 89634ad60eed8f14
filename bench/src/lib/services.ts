import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

async function ensure(name: string, port: number, start: () => void): Promise<boolean> {
  if (await listening(port)) return true;
  console.log(`${name} is not answering on 127.0.0.1:${port}; starting it`);
  try {
    start();
  } catch (err) {
    console.warn(`could not start ${name}: ${(err as Error).message}`);
    return false;
  }
  for (let i = 0; i < 50; i++) {
    if (await listening(port)) return true;
    await sleep(200);
  }
  console.warn(`${name} did not come up on port ${port}`);
  return false;
}

/** The machine's Redis and PostgreSQL, started when they are down; which ones are reachable. */
export async function ensureServices(): Promise<{ redis: boolean; postgres: boolean }> {
  const redis = await ensure('Redis', 6379, () => {
    execFileSync('redis-server', ['--daemonize', 'yes'], { stdio: 'ignore' });
  });
  const postgres = await ensure('PostgreSQL', 5432, () => {
    for (const version of readdirSync('/etc/postgresql')) {
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
        stdio: 'ignore',
      });
    }
  });
  return { redis, postgres };
}
