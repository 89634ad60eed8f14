/** A fresh `Idempotency-Key` for one call: its retries share it, so they never act twice. */
export function newIdempotencyKey(): string {
  return `longrun-client-${globalThis.crypto.randomUUID()}`;
}
