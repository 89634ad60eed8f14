import pg from 'pg';

/**
 * The message every write of the PostgreSQL store sends when jobs change,
 * and the channel it goes on. The store builds it in SQL ({@link notifySql}),
 * the change feed reads it back ({@link parseNotices}): one module owns the
 * format, so the two sides cannot drift apart.
 *
 * One statement sends one notification for all the rows it wrote, not one
 * per row: PostgreSQL serialises every committing transaction that notified
 * on one lock, and its queue costs per message. The payload is
 * `{"o": origin, "n": [[tenant, id, seq, version, status, type, queue], …]}`;
 * a statement that wrote more than one payload holds is split into several.
 *
 * A statement notifies only while a process other than its writer listens:
 * each process's LISTEN connection is registered in the schema's `listeners`
 * table ({@link registerListener}) and taken out when it closes. A process
 * alone writes without notifying; its own changes reach its own listeners
 * when its writes return.
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

/** The columns of a notice's tuple, in order. */
const TUPLE = [
  'tenant',
  'id',
  'seq',
  'version',
  'status',
  'type',
  'queue',
] as const satisfies readonly Exclude<keyof ChangeNotice, 'origin'>[];

/**
 * The bytes of notices one notification carries, under PostgreSQL's limit of
 * 8000 for a payload: a notification holds notices while they fit in this
 * many, plus at most one more of up to {@link ALONE_BYTES}.
 */
const PAYLOAD_BYTES = 6000;
/** A notice longer than this (long ids) goes in a notification of its own. */
const ALONE_BYTES = 1000;

/** The SQL of the notifications of a statement's written rows (see {@link notifySql}). */
export interface NotifySql {
  /** A `WITH` item, named `notified`, that sends them; evaluated only through {@link column}. */
  cte: string;
  /** An item of the statement's SELECT list that makes the CTE run, once. */
  column: string;
  /** The columns the CTE reads of the written rows: the least a `RETURNING` of them gives. */
  reads: string;
}

/**
 * The notifications of the rows of `rows` (a CTE of written job rows) on
 * `channel`; the writer's origin is the text parameter `originParam` (e.g.
 * `$7`). Sent in the writer's statement, so they go out exactly when the
 * change commits, and not at all when it wrote nothing, or when no process
 * but the writer is in `listeners` (the table, schema-qualified) as the
 * statement begins. The CTE is MATERIALIZED, so however the planner joins
 * it, each `pg_notify` runs once; it runs when the SELECT list's
 * uncorrelated subquery is first evaluated.
 */
export function notifySql(channel: string, rows: string, originParam: string, listeners: string): NotifySql {
  const tuple = `json_build_array(${TUPLE.map((field) => `${rows}.${field}`).join(', ')})::text`;
  // Each notice's bytes, and a running sum over the ones that share notifications, number the
  // notification it goes in; one over ALONE_BYTES gets a number of its own (negative).
  const cte = `notified AS MATERIALIZED (
      SELECT pg_notify(${pg.escapeLiteral(channel)}, payload) FROM (
        SELECT '{"o":' || to_json(${originParam}::text) || ',"n":[' || string_agg(e, ',' ORDER BY seq) || ']}' AS payload
        FROM (
          SELECT seq, e, CASE WHEN b > ${ALONE_BYTES} THEN -seq
            ELSE (sum(CASE WHEN b > ${ALONE_BYTES} THEN 0 ELSE b END) OVER (ORDER BY seq) - b) / ${PAYLOAD_BYTES} END AS part
          FROM (SELECT seq, e, octet_length(e) + 1 AS b FROM (
            SELECT ${rows}.seq, ${tuple} AS e FROM ${rows}
            WHERE EXISTS (SELECT 1 FROM ${listeners} l WHERE l.origin <> ${originParam}::text)
          ) r) t
        ) p GROUP BY part ORDER BY min(seq)
      ) n
    )`;
  return { cte, column: '(SELECT count(*) FROM notified) AS notified', reads: TUPLE.join(', ') };
}

/**
 * Register `client`, a LISTEN connection of the process whose writes carry
 * `origin`, in `listeners` (the table, schema-qualified): from the commit on,
 * every other process's writes notify it. The rows of LISTEN connections
 * that are gone (their backend has ended) are removed on the way, so that a
 * process that died stops costing the others their notifications; a process
 * whose connection was only cut registers again when it reconnects.
 */
export async function registerListener(
  client: pg.ClientBase,
  listeners: string,
  origin: string,
): Promise<void> {
  await client.query(
    `WITH gone AS (
       DELETE FROM ${listeners} l WHERE l.origin <> $1
         -- Another role's backends show no start: their pid alone then keeps their row.
         AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                         WHERE a.pid = l.pid AND (a.backend_start IS NULL OR a.backend_start = l.started))
     )
     INSERT INTO ${listeners} (origin, pid, started)
     SELECT $1, pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()
     ON CONFLICT (origin) DO UPDATE SET pid = EXCLUDED.pid, started = EXCLUDED.started`,
    [origin],
  );
}

/** Take the LISTEN connection of `origin` out of `listeners`: other processes stop notifying it. */
export async function unregisterListener(
  client: pg.ClientBase,
  listeners: string,
  origin: string,
): Promise<void> {
  await client.query(`DELETE FROM ${listeners} WHERE origin = $1`, [origin]);
}

/**
 * The notices of a notification's payload, in order; none when it is JSON
 * but not a change notification, and a malformed notice is left out. Throws
 * when the payload is not JSON at all.
 */
export function parseNotices(payload: string | undefined): ChangeNotice[] {
  const raw = JSON.parse(payload ?? '') as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const { o, n } = raw as { o?: unknown; n?: unknown };
  if (!Array.isArray(n)) return [];
  const origin = text(o);
  const notices: ChangeNotice[] = [];
  for (const tuple of n) {
    if (!Array.isArray(tuple)) continue;
    const [tenant, id, seq, version, status, type, queue] = tuple as unknown[];
    if (typeof tenant !== 'string' || typeof id !== 'string') continue;
    if (typeof seq !== 'number' || typeof version !== 'number') continue;
    notices.push({
      tenant,
      id,
      seq,
      version,
      status: text(status),
      type: text(type),
      queue: text(queue),
      origin,
    });
  }
  return notices;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
