import { LongrunError } from '@longrun/client';

/**
 * Why a handler's `ctx.signal` fired: the job was canceled, its lease was lost
 * (it expired, or the worker was forgotten), or the worker stopped and the
 * drain ran out. Whatever the handler does after that is not reported.
 */
export type StopReason = 'canceled' | 'lease_lost' | 'shutdown';

/** The `reason` of a handler's aborted `ctx.signal`. */
export class JobStopped extends LongrunError {
  override name = 'JobStopped';
  readonly reason: StopReason;

  constructor(reason: StopReason, { cause }: { cause?: unknown } = {}) {
    super(`job stopped: ${reason}`, { cause });
    this.reason = reason;
  }
}
