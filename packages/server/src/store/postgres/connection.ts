import pg from 'pg';

/**
 * Connection details shared by the PostgreSQL store and the change feed's
 * LISTEN connection: type parsing, session settings, and how to tell a lost
 * connection from an error in a statement.
 */

/** A schema name longrun accepts: a plain lower-case identifier, short enough for channel names. */
export const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;

export function checkSchema(schema: string): string {
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new Error(
      `"${schema}" is not a usable schema name: use 1-48 of a-z, 0-9 and _, starting with a letter or _`,
    );
  }
  return schema;
}

export function ident(name: string): string {
  return pg.escapeIdentifier(name);
}

const INT8 = 20;
const JSON_OID = 114;

/**
 * bigint (ms times, seq, counts) as numbers, which they fit; json as its text,
 * so rows look like SQLite's and one `toJob` reads both.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return (value: string) => Number(value);
    if (oid === JSON_OID) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Client settings for every longrun connection. */
export function clientConfig(connectionString: string, applicationName: string): pg.ClientConfig {
  return {
    connectionString,
    application_name: applicationName,
    types,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: 10_000,
    // A process that dies inside a transaction must not hold row locks until TCP notices.
    idle_in_transaction_session_timeout: 60_000,
  };
}

const CONNECTION_CODES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The connection (not the statement) failed: the server is gone, restarting, or unreachable. */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('08') || CONNECTION_CODES.has(code))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable|Client was closed/i.test(
    err.message,
  );
}

/** A transaction the server rolled back on its own, which may simply be tried again. */
export function isRetryableTxError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

/** The characters of text in `values` and the arrays among them: what writing them as literals escapes. */
export function textLength(values: readonly unknown[]): number {
  let length = 0;
  for (const value of values) {
    if (typeof value === 'string') length += value.length;
    else if (Array.isArray(value))
      for (const item of value) if (typeof item === 'string') length += item.length;
  }
  return length;
}

/** A value {@link literal} cannot write. */
export class NotALiteralError extends Error {
  override name = 'NotALiteralError';
}

/**
 * A value as an SQL literal, for a statement sent with others in one simple
 * query: text escaped, numbers checked finite. An array is an untyped literal
 * in PostgreSQL's array syntax (`'{1,NULL,"a b"}'`), which takes the type
 * of the parameter it is given for, as a bound array would. Text with a NUL
 * is refused: the protocol ends a simple query's text at its first NUL, and
 * what follows would be read as the next message.
 */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return finite(value);
  if (typeof value === 'string') return quoted(withoutNul(value));
  if (Array.isArray(value)) return quoted(`{${value.map(arrayElement).join(',')}}`);
  throw new NotALiteralError(`cannot write a ${typeof value} as an SQL literal`);
}

function withoutNul(text: string): string {
  if (text.includes('\u0000')) throw new NotALiteralError('cannot write a NUL in an SQL literal');
  return text;
}

/**
 * Text as a string constant, as `pg.escapeLiteral` writes it (quotes doubled;
 * with a backslash, an `E''` string with backslashes doubled too), made by
 * whole-string operations: `escapeLiteral` appends one character at a time,
 * and a batch's columns, an array literal each, are kilobytes of text.
 */
function quoted(text: string): string {
  if (!QUOTE_OR_BACKSLASH.test(text)) return `'${text}'`;
  const doubled = text.replace(QUOTES_AND_BACKSLASHES, '$&$&');
  return text.includes('\\') ? ` E'${doubled}'` : `'${doubled}'`;
}

const QUOTE_OR_BACKSLASH = /['\\]/;
const QUOTES_AND_BACKSLASHES = /['\\]/g;
const QUOTE_OR_BACKSLASH_IN_ARRAY = /["\\]/;
const QUOTES_AND_BACKSLASHES_IN_ARRAY = /["\\]/g;

function finite(value: number): string {
  if (!Number.isFinite(value)) throw new NotALiteralError(`cannot write ${value} as an SQL literal`);
  return String(value);
}

/** An element of an array literal: NULL, a number, or text quoted with `"` and `\` escaped. */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return finite(value);
  if (typeof value === 'string') {
    withoutNul(value);
    return QUOTE_OR_BACKSLASH_IN_ARRAY.test(value)
      ? `"${value.replace(QUOTES_AND_BACKSLASHES_IN_ARRAY, '\\$&')}"`
      : `"${value}"`;
  }
  throw new NotALiteralError(`cannot write a ${typeof value} in an SQL array literal`);
}
