/**
 * The job states and the one table of allowed transitions. Every store and
 * the service check a change against {@link canTransition}; nothing else
 * decides whether a job may move.
 */
export const JOB_STATES = Object.freeze({
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  canceled: 'canceled',
} as const);

export type JobStatus = (typeof JOB_STATES)[keyof typeof JOB_STATES];

export const ALL_STATES: readonly JobStatus[] = Object.freeze(Object.values(JOB_STATES));

export const TERMINAL_STATES: ReadonlySet<JobStatus> = new Set<JobStatus>([
  JOB_STATES.completed,
  JOB_STATES.failed,
  JOB_STATES.canceled,
]);

/**
 * from -> the states it may move to. `running -> queued` is a retry (attempts
 * left), a released job on shutdown, or an expired lease.
 */
export const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = Object.freeze({
  queued: Object.freeze(['running', 'canceled'] as const),
  running: Object.freeze(['queued', 'completed', 'failed', 'canceled'] as const),
  completed: Object.freeze([] as const),
  failed: Object.freeze([] as const),
  canceled: Object.freeze([] as const),
});

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATES.has(status);
}

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && Object.hasOwn(JOB_STATES, value);
}

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The states a job may be in for a move to `to` to be allowed: what SQL `WHERE status IN (...)` uses. */
export function sourcesOf(to: JobStatus): JobStatus[] {
  return ALL_STATES.filter((from) => canTransition(from, to));
}
