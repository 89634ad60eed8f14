import pg from 'pg';

/**
 * The message every write of the PostgreSQL store sends when a job changes,
 * and the channel it goes on. The store builds it in SQL ({@link notifySql}),
 * the change feed reads it back ({@link parseNotice}): one module owns the
 * format, so the two sides cannot drift apart.
 */

/** The NOTIFY channel of the jobs in one schema. */
export function jobsChannel(schema: string): string {
  return `${schema}:jobs`;
}

/** What a notification tells of a change. */
export interface ChangeNotice {
  tenant: string;
  id: string;
  /** The job's seq: a job deleted and created again under its id has a larger one. */
  seq: number;
  version: number;
  status: string | null;
  type: string | null;
  queue: string | null;
  /** The {@link PostgresJobStore.origin} of the store that wrote the change. */
  origin: string | null;
}

/** The payload's keys: one letter per field keeps it tiny, far under the 8000-byte limit. */
const KEYS = {
  tenant: 't',
  id: 'i',
  seq: 'q',
  version: 'v',
  status: 's',
  type: 'y',
  queue: 'k',
  origin: 'o',
} as const satisfies Record<keyof ChangeNotice, string>;

/**
 * The `pg_notify` of a changed row `alias` on `channel`, as an item of a
 * SELECT list (`notified`); the writer's origin is the text parameter
 * `originParam` (e.g. `$7`). Sent in the writer's transaction, so it goes
 * out exactly when the change commits.
 */
export function notifySql(channel: string, alias: string, originParam: string): string {
  const fields = Object.entries(KEYS).map(([field, key]) =>
    field === 'origin' ? `'${key}', ${originParam}::text` : `'${key}', ${alias}.${field}`,
  );
  return `pg_notify(${pg.escapeLiteral(channel)}, json_build_object(${fields.join(', ')})::text) AS notified`;
}

/**
 * A notification's payload as a notice; null when it is JSON but not a
 * change notice. Throws when it is not JSON at all.
 */
export function parseNotice(payload: string | undefined): ChangeNotice | null {
  const raw = JSON.parse(payload ?? '') as Record<string, unknown> | null;
  if (raw === null || typeof raw !== 'object') return null;
  const { [KEYS.tenant]: tenant, [KEYS.id]: id, [KEYS.seq]: seq, [KEYS.version]: version } = raw;
  if (typeof tenant !== 'string' || typeof id !== 'string') return null;
  if (typeof seq !== 'number' || typeof version !== 'number') return null;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    tenant,
    id,
    seq,
    version,
    status: text(raw[KEYS.status]),
    type: text(raw[KEYS.type]),
    queue: text(raw[KEYS.queue]),
    origin: text(raw[KEYS.origin]),
  };
}
