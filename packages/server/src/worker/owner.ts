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

/** The process id in a lease owner, or null when it names none. */
export function ownerPid(owner: string): number | null {
  const pid = Number(owner.split(':').at(-2));
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Owners on this node whose process no longer exists. */
export function deadLocalOwners(owners: readonly string[], self: string, node: string): string[] {
  return owners.filter((owner) => {
    if (owner === self) return false;
    const pid = ownerPid(owner);
    if (owner.split(':').slice(0, -2).join(':') !== node || pid === null) return false;
    if (pid === process.pid) return false; // another pool of this very process: alive
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  });
}
