import { createHash, timingSafeEqual } from 'node:crypto';

/** The tenant of an open server (no keys configured). */
export const DEFAULT_TENANT = 'default';
const TENANT_RE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * What a key may do. A client submits and reads its tenant's jobs; a worker
 * claims and works jobs of every tenant (docs/workers.md) and reads nothing
 * else; an operator is a client that also pauses queues and sees every
 * tenant's counts and the workers (GET /v1/queues, /metrics, GET /v1/workers).
 */
export const KEY_ROLES = Object.freeze(['client', 'worker', 'operator'] as const);
export type KeyRole = (typeof KEY_ROLES)[number];

/** Older names of roles, still accepted where a role is written: `tenant` was the client role. */
export const ROLE_ALIASES: Readonly<Record<string, KeyRole>> = Object.freeze({ tenant: 'client' });

interface KeyEntry {
  hash: Buffer;
  tenant: string;
  role: KeyRole;
}

/** Who a presented key belongs to. */
export interface KeyHolder {
  tenant: string;
  role: KeyRole;
}

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * API keys and the tenant each belongs to. Only SHA-256 hashes are kept, and
 * a presented key is compared against every entry in constant time, so
 * neither memory nor timing gives a key away.
 */
export class ApiKeys {
  readonly #entries: KeyEntry[];

  private constructor(entries: KeyEntry[]) {
    this.#entries = entries;
  }

  /**
   * From `key:tenant,key:tenant` (for worker keys, `key:name`: the name labels
   * the key). Throws with a message naming the bad entry (never the key itself).
   */
  static parse(spec: string, role: KeyRole = 'client'): ApiKeys {
    const entries: KeyEntry[] = [];
    for (const [i, part] of spec.split(',').entries()) {
      const item = part.trim();
      if (!item) continue;
      const colon = item.lastIndexOf(':');
      const key = colon === -1 ? '' : item.slice(0, colon);
      const tenant = colon === -1 ? '' : item.slice(colon + 1);
      if (key.length < 8)
        throw new Error(`API key entry ${i + 1}: write key:tenant with a key of 8 or more characters`);
      if (!TENANT_RE.test(tenant))
        throw new Error(
          `API key entry ${i + 1}: the ${role === 'worker' ? 'name' : 'tenant'} must be 1-64 of A-Z a-z 0-9 . _ -`,
        );
      entries.push({ hash: hashKey(key), tenant, role });
    }
    if (entries.length === 0) throw new Error('API keys: no key:tenant entry found');
    return new ApiKeys(entries);
  }

  /** From SHA-256 hashes (a keys file keeps no key in the clear). */
  static fromHashes(entries: readonly { sha256: Buffer; tenant: string; role: KeyRole }[]): ApiKeys {
    return new ApiKeys(entries.map(({ sha256, tenant, role }) => ({ hash: sha256, tenant, role })));
  }

  /** Both sets of keys at once. */
  concat(other: ApiKeys): ApiKeys {
    return new ApiKeys([...this.#entries, ...other.#entries]);
  }

  /** A short, stable name of a presented key (for rate limits), never the key itself. */
  static idOf(key: string): string {
    return hashKey(key).subarray(0, 12).toString('base64url');
  }

  /** The holder of a presented key, or null. */
  holderOf(key: string): KeyHolder | null {
    const presented = hashKey(key);
    let holder: KeyHolder | null = null;
    for (const entry of this.#entries) {
      if (timingSafeEqual(presented, entry.hash) && holder === null) {
        holder = { tenant: entry.tenant, role: entry.role };
      }
    }
    return holder;
  }
}

/** The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1]!;
  }
  const x = headers['x-api-key'];
  return typeof x === 'string' && x.length > 0 ? x.trim() : null;
}
