import { randomBytes } from 'node:crypto';

/**
 * Client-chosen ids: 1-128 characters of [A-Za-z0-9._:-], not dots alone:
 * `.` and `..` name the current and parent folder in paths and URLs (a
 * client or proxy normalises `/status/..` away), so no id may be one.
 */
export const JOB_ID_PATTERN = '^(?!\\.+$)[A-Za-z0-9._:-]{1,128}$';
/** The rule in words, for error messages. */
export const JOB_ID_RULE = '1-128 characters of A-Z a-z 0-9 . _ : -, not dots alone';
const JOB_ID_RE = new RegExp(JOB_ID_PATTERN);

export function isValidJobId(id: unknown): id is string {
  return typeof id === 'string' && JOB_ID_RE.test(id);
}

/** Random bytes drawn from a pool filled 4 KiB at a time: one call into the CSPRNG per 256 ids. */
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = POOL_SIZE;

function random16(): Buffer {
  if (offset + 16 > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  offset += 16;
  return pool.subarray(offset - 16, offset);
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits, so ids
 * made by the server sort by creation time.
 */
export function newJobId(now = Date.now()): string {
  const bytes = Buffer.from(random16());
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
