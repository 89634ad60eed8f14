import { randomBytes } from 'node:crypto';

/**
 * A lease owner names the node and process that holds a job, plus a random
 * part, so that a node can tell which leases belong to processes on the same
 * node that are gone (their jobs need not wait for the lease to expire).
 * Nodes that may share a name (containers given the same --hostname, whose
 * names default to it) must be given distinct ones, or one would take
 * another's live processes for dead ones.
 */
export function newOwnerId(node: string): string {
  return `${node}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** Owners on this node whose process no longer exists. */
export function deadLocalOwners(owners: readonly string[], self: string, node: string): string[] {
  return owners.filter((owner) => {
    if (owner === self) return false;
    const parts = owner.split(':');
    const pid = Number(parts.at(-2));
    if (parts.slice(0, -2).join(':') !== node || !Number.isInteger(pid) || pid <= 0) return false;
    if (pid === process.pid) return false; // another pool of this very process: alive
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  });
}
