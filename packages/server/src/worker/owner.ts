import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A lease owner names the host and process that holds a job, plus a random
 * part, so that at start a node can tell which leases belong to processes on
 * its own host that are gone (their jobs need not wait for the lease to expire).
 */
export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** Owners on this host whose process no longer exists. */
export function deadLocalOwners(owners: readonly string[], self: string): string[] {
  const host = hostname();
  return owners.filter((owner) => {
    if (owner === self) return false;
    const parts = owner.split(':');
    const pid = Number(parts.at(-2));
    if (parts.slice(0, -2).join(':') !== host || !Number.isInteger(pid) || pid <= 0) return false;
    if (pid === process.pid) return false; // another pool of this very process: alive
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  });
}
