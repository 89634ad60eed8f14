/** The fields of a queued job that decide when it is claimed. */
export interface Waiting {
  seq: number;
  tenant: string;
  priority: number;
  run_at: number;
}

/**
 * The claim order of a queue, for a store that picks in code (the PostgreSQL
 * store says the same in SQL; the conformance suite holds them to one order):
 * the highest priority first; within a priority, the tenant whose next job
 * has the lowest turn (its running jobs plus those taken so far) goes next;
 * ties by `run_at`, then `seq`. `next(tenant, skip)` gives a tenant's due jobs
 * in its own order (priority, then run_at, then seq) from the `skip`th on, a
 * few at a time, so a tenant with 10,000 waiting jobs costs no more than one
 * with a single job.
 */
export function takeTurns<J extends Waiting>({
  tenants,
  next,
  running,
  limit,
  tenantLimit,
}: {
  tenants: readonly string[];
  next: (tenant: string, skip: number) => J[];
  running: ReadonlyMap<string, number>;
  limit: number;
  tenantLimit: number | null;
}): J[] {
  const lines = tenants.map((tenant) => ({
    tenant,
    turn: (running.get(tenant) ?? 0) + 1,
    taken: 0,
    buffer: next(tenant, 0),
  }));
  const picked: J[] = [];
  while (picked.length < limit) {
    let best: (typeof lines)[number] | undefined;
    for (const line of lines) {
      const head = line.buffer[0];
      if (!head || (tenantLimit !== null && line.turn > tenantLimit)) continue;
      if (!best || before(head, line.turn, best.buffer[0]!, best.turn)) best = line;
    }
    if (!best) break;
    picked.push(best.buffer.shift()!);
    best.turn += 1;
    best.taken += 1;
    if (best.buffer.length === 0 && picked.length < limit) best.buffer = next(best.tenant, best.taken);
  }
  return picked;
}

function before(a: Waiting, aTurn: number, b: Waiting, bTurn: number): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (aTurn !== bTurn) return aTurn < bTurn;
  if (a.run_at !== b.run_at) return a.run_at < b.run_at;
  return a.seq < b.seq;
}
