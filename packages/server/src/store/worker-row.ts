import type { JsonObject } from '../jobs/model.js';
import type { HeldJob, RemoteType, WorkerRecord } from './store.js';

/** A `remote_types` row as both stores read it: the schema as JSON text, times in ms. */
export interface RemoteTypeRow {
  type: string;
  description: string;
  input_schema: string;
  queue: string;
  declared_at: number;
}

/** A `workers` row as both stores read it: the type names as JSON text, times in ms. */
export interface WorkerRow {
  id: string;
  name: string;
  key_id: string | null;
  types: string;
  registered_at: number;
  last_seen_at: number;
}

/** A running job's fields that {@link HeldJob} shows, as both stores select them. */
export interface HeldJobRow {
  lease_owner: string;
  tenant: string;
  id: string;
  type: string;
  started_at: number;
}

export function toRemoteType(row: RemoteTypeRow): RemoteType {
  return {
    type: row.type,
    description: row.description,
    inputSchema: JSON.parse(row.input_schema) as JsonObject,
    queue: row.queue,
    declaredAt: Number(row.declared_at),
  };
}

export function toWorker(row: WorkerRow): WorkerRecord {
  return {
    id: row.id,
    name: row.name,
    keyId: row.key_id,
    types: JSON.parse(row.types) as string[],
    registeredAt: Number(row.registered_at),
    lastSeenAt: Number(row.last_seen_at),
  };
}

export function toHeldJob(row: HeldJobRow): HeldJob {
  return {
    owner: row.lease_owner,
    tenant: row.tenant,
    id: row.id,
    type: row.type,
    startedAt: Number(row.started_at),
  };
}

/**
 * The declarations to write, one per type: when a list names a type twice, the
 * later one (as written one after the other, the later wins). In name order, so
 * concurrent registrations lock shared types in one order.
 */
export function latestDeclarations(types: readonly RemoteType[]): RemoteType[] {
  const byType = new Map<string, RemoteType>();
  for (const t of types) byType.set(t.type, t);
  return [...byType.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}
