import { readFileSync } from 'node:fs';
import { parseSecret, type SecretSet } from '../webhooks/signing.js';
import { ApiKeys, KEY_ROLES, type KeyRole, ROLE_ALIASES } from './keys.js';

/**
 * The keys file: API keys as SHA-256 hashes (hex), each with its tenant, and
 * per tenant an optional webhook secret (and one being rotated out):
 *
 * ```json
 * {
 *   "keys": [
 *     { "sha256": "<64 hex digits>", "tenant": "acme" },
 *     { "sha256": "<64 hex digits>", "tenant": "ops", "role": "operator" },
 *     { "sha256": "<64 hex digits>", "tenant": "gpu-farm", "role": "worker" }
 *   ],
 *   "tenants": {
 *     "acme": {
 *       "webhook_secret": "whsec_…",
 *       "webhook_secret_previous": "whsec_…",
 *       "webhook_secret_previous_until": "2030-01-31T00:00:00Z"
 *     }
 *   }
 * }
 * ```
 */
export interface KeysFile {
  keys: ApiKeys;
  secrets: Map<string, SecretSet>;
}

const TENANT_RE = /^[A-Za-z0-9._-]{1,64}$/;

export class KeysFileError extends Error {
  override name = 'KeysFileError';
}

export function loadKeysFile(path: string): KeysFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new KeysFileError(`keys file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseKeysFile(doc, path);
}

export function parseKeysFile(doc: unknown, where = 'keys file'): KeysFile {
  const fail = (msg: string): never => {
    throw new KeysFileError(`${where}: ${msg}`);
  };
  if (!isObject(doc)) return fail('must be a JSON object with "keys" (and optionally "tenants")');
  const rawKeys = doc.keys;
  if (!Array.isArray(rawKeys) || rawKeys.length === 0) return fail('"keys" must be a non-empty array');
  const entries = rawKeys.map((entry, i) => {
    if (!isObject(entry)) return fail(`keys[${i}] must be {"sha256", "tenant"} (and optionally "role")`);
    const { sha256, tenant, role: written = 'client' } = entry;
    const role = typeof written === 'string' ? (ROLE_ALIASES[written] ?? written) : written;
    if (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256)) {
      return fail(
        `keys[${i}].sha256 must be the 64 hex digits of the key's SHA-256 (printf %s KEY | sha256sum)`,
      );
    }
    if (typeof tenant !== 'string' || !TENANT_RE.test(tenant)) {
      return fail(`keys[${i}].tenant must be 1-64 of A-Z a-z 0-9 . _ -`);
    }
    if (!KEY_ROLES.includes(role as KeyRole)) {
      return fail(`keys[${i}].role must be one of ${KEY_ROLES.map((r) => `"${r}"`).join(', ')}`);
    }
    return { sha256: Buffer.from(sha256, 'hex'), tenant, role: role as KeyRole };
  });
  const secrets = new Map<string, SecretSet>();
  const tenants = doc.tenants ?? {};
  if (!isObject(tenants)) return fail('"tenants" must be an object keyed by tenant');
  for (const [tenant, conf] of Object.entries(tenants)) {
    if (!isObject(conf)) return fail(`tenants.${tenant} must be an object`);
    const secret = conf.webhook_secret;
    if (secret === undefined) continue;
    const set: SecretSet = { current: secretOf(secret, `tenants.${tenant}.webhook_secret`, fail) };
    if (conf.webhook_secret_previous !== undefined) {
      const until = Date.parse(String(conf.webhook_secret_previous_until ?? ''));
      if (!Number.isFinite(until)) {
        return fail(`tenants.${tenant}.webhook_secret_previous_until must be an ISO 8601 time`);
      }
      set.previous = {
        key: secretOf(conf.webhook_secret_previous, `tenants.${tenant}.webhook_secret_previous`, fail),
        until,
      };
    }
    secrets.set(tenant, set);
  }
  return { keys: ApiKeys.fromHashes(entries), secrets };
}

function secretOf(value: unknown, name: string, fail: (msg: string) => never): Buffer {
  if (typeof value !== 'string') return fail(`${name} must be a string`);
  try {
    return parseSecret(value);
  } catch (err) {
    return fail(`${name}: ${(err as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
