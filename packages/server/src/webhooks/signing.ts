import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signing: the signed content is `<webhook-id>.<webhook-timestamp>.<body>`,
 * the signature `v1,<base64 HMAC-SHA256>` with the secret's bytes (the base64 after `whsec_`).
 * Several signatures, space-separated, let a receiver holding either of two secrets verify
 * during a rotation.
 */

/** The key bytes of a `whsec_…` secret. Throws with a message saying what is expected. */
export function parseSecret(secret: string): Buffer {
  const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret.trim());
  if (!m)
    throw new Error(
      'a webhook secret is whsec_ followed by base64, e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    );
  const key = Buffer.from(m[1]!, 'base64');
  if (key.length < 24 || key.length > 64) {
    throw new Error(`a webhook secret must hold 24 to 64 bytes; this one holds ${key.length}`);
  }
  return key;
}

/** The `webhook-signature` header value for one message, signed with each key. */
export function signatureHeader({
  id,
  timestamp,
  body,
  keys,
}: {
  id: string;
  /** Seconds since the epoch, as sent in `webhook-timestamp`. */
  timestamp: number;
  body: string;
  keys: readonly Buffer[];
}): string {
  const content = `${id}.${timestamp}.${body}`;
  return keys.map((key) => `v1,${createHmac('sha256', key).update(content).digest('base64')}`).join(' ');
}

/** A secret and, while it is rotated out, the one before it. */
export interface SecretSet {
  current: Buffer;
  previous?: { key: Buffer; until: number } | undefined;
}

/** The keys that sign now: the current one, and the previous one until its time is up. */
export function signingKeys(set: SecretSet, now: number): Buffer[] {
  return set.previous && now < set.previous.until ? [set.current, set.previous.key] : [set.current];
}

/**
 * Which secrets sign each tenant's webhooks: the tenant's own (from the keys
 * file), else the server's.
 */
export class WebhookSecrets {
  readonly #global: SecretSet | null;
  readonly #tenants: ReadonlyMap<string, SecretSet>;

  constructor({
    global,
    tenants = new Map(),
  }: { global: SecretSet | null; tenants?: ReadonlyMap<string, SecretSet> }) {
    this.#global = global;
    this.#tenants = tenants;
  }

  has(tenant: string): boolean {
    return this.#tenants.has(tenant) || this.#global !== null;
  }

  /** The keys signing `tenant`'s webhooks now; empty when none is configured. */
  keysFor(tenant: string, now = Date.now()): Buffer[] {
    const set = this.#tenants.get(tenant) ?? this.#global;
    return set ? signingKeys(set, now) : [];
  }
}
