import { HttpCore } from '../core.js';
import { newIdempotencyKey } from '../internal/idempotency-key.js';
import type { Queue } from '../types.js';
import type { CallOptions } from './jobs.js';

const path = (name: string) => `/v1/queues/${encodeURIComponent(name)}`;

/**
 * `client.queues`: the named queues of docs/api.md, with their counts. Pausing and resuming
 * need an operator's key when the server has keys (else `PermissionDeniedError`, `forbidden`);
 * an unknown name is a `NotFoundError` with the code `queue_not_found`.
 */
export class Queues {
  constructor(private readonly core: HttpCore) {}

  /**
   * Every queue, sorted by name. The route is not paged (a server has a handful of queues),
   * so this is the whole list rather than an iterable like `jobs.list()`.
   */
  async list({ signal }: CallOptions = {}): Promise<Queue[]> {
    const { data } = await this.core.request({ path: '/v1/queues', signal }, (r) =>
      HttpCore.json<{ data: Queue[] }>(r),
    );
    return data;
  }

  get(name: string, { signal }: CallOptions = {}): Promise<Queue> {
    return this.core.request({ path: path(name), signal }, (r) => HttpCore.json<Queue>(r));
  }

  /** Start nothing new from this queue; its running jobs finish. Idempotent. */
  pause(name: string, options: CallOptions = {}): Promise<Queue> {
    return this.post(name, 'pause', options);
  }

  /** Let the queue start jobs again. Idempotent. */
  resume(name: string, options: CallOptions = {}): Promise<Queue> {
    return this.post(name, 'resume', options);
  }

  private post(name: string, action: 'pause' | 'resume', { signal }: CallOptions): Promise<Queue> {
    return this.core.request(
      {
        method: 'POST',
        path: `${path(name)}/${action}`,
        headers: { 'idempotency-key': newIdempotencyKey() },
        signal,
      },
      (r) => HttpCore.json<Queue>(r),
    );
  }
}
