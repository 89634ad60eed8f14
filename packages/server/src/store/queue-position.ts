/** A queued job's position is counted up to this many jobs ahead: each read costs at most that much. */
export const POSITION_CAP = 10_000;

/** The counts a queue position is made of, as {@link positionColumns} selects them. */
export interface PositionCounts {
  /** Due jobs of a higher priority, any tenant. */
  pos_higher: number | string | null;
  /** The same tenant's jobs of the same priority ahead of it. */
  pos_own: number | string | null;
  /** Other tenants' due jobs of the same priority. */
  pos_others: number | string | null;
  /** Other tenants waiting in the queue. */
  pos_tenants: number | string | null;
}

/**
 * SQL columns (both dialects) with the counts of {@link queuePosition} for
 * the queued row `j` of `jobs`; `now` is the placeholder of the current time.
 * Each count stops at {@link POSITION_CAP}, and the tenants are found by
 * skipping through the queue's index, so a deep queue costs a bounded read.
 * Each skip is `ORDER BY tenant LIMIT 1`, not `min(tenant)`: PostgreSQL,
 * without statistics for the table (a new table, autovacuum off), may take
 * `min` over every queued job through another index; only the tenant
 * index gives that order, so the first entry is read there.
 */
export function positionColumns(jobs: string, j: string, now: string): string {
  const capped = (where: string) =>
    `CASE WHEN ${j}.status = 'queued' THEN (SELECT count(*) FROM (SELECT 1 FROM ${jobs} q
       WHERE q.status = 'queued' AND q.queue = ${j}.queue AND ${where} LIMIT ${POSITION_CAP}) c) END`;
  const due = `q.run_at <= CASE WHEN ${j}.run_at > ${now} THEN ${j}.run_at ELSE ${now} END`;
  return `${capped(`q.priority > ${j}.priority AND ${due}`)} AS pos_higher,
    ${capped(`q.tenant = ${j}.tenant AND q.priority = ${j}.priority AND (q.run_at < ${j}.run_at OR (q.run_at = ${j}.run_at AND q.seq < ${j}.seq))`)} AS pos_own,
    ${capped(`q.tenant <> ${j}.tenant AND q.priority = ${j}.priority AND ${due}`)} AS pos_others,
    CASE WHEN ${j}.status = 'queued' THEN (WITH RECURSIVE t(tenant) AS (
      SELECT (SELECT q.tenant FROM ${jobs} q WHERE q.status = 'queued' AND q.queue = ${j}.queue ORDER BY q.tenant LIMIT 1)
      UNION ALL
      SELECT (SELECT q.tenant FROM ${jobs} q WHERE q.status = 'queued' AND q.queue = ${j}.queue AND q.tenant > t.tenant
              ORDER BY q.tenant LIMIT 1)
      FROM t WHERE t.tenant IS NOT NULL
    ) SELECT count(*) FROM t WHERE t.tenant IS NOT NULL AND t.tenant <> ${j}.tenant) END AS pos_tenants`;
}

/**
 * The jobs that will run before a queued one: every due job of a higher
 * priority, its own tenant's jobs ahead of it, and, since tenants take turns,
 * from the other tenants' jobs of its priority about one per tenant for each
 * of its own turns (an estimate: it leaves out who is running now). Null for
 * a job that is not queued.
 */
export function queuePosition(c: PositionCounts): number | null {
  if (c.pos_own === null || c.pos_own === undefined) return null;
  const own = Number(c.pos_own);
  const turns = Math.min(Number(c.pos_others), (own + 1) * Number(c.pos_tenants));
  return Math.min(POSITION_CAP, Number(c.pos_higher) + own + turns);
}
