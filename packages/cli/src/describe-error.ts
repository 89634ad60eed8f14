import { APIConnectionError, APIConnectionTimeoutError, APIError } from '@longrun/client';
import { UsageError } from './errors.js';

/**
 * One line for the user: what went wrong and, where it helps, what to do.
 * With verbose, the stack and every cause follow.
 */
export function describeError(err: unknown, { verbose = false }: { verbose?: boolean } = {}): string {
  const line = `longrun: ${oneLine(err)}`;
  if (!verbose) return line;
  const chain: string[] = [line];
  let current: unknown = err;
  while (current instanceof Error) {
    chain.push(current.stack ?? `${current.name}: ${current.message}`);
    current = current.cause;
    if (current !== undefined) chain.push('caused by:');
  }
  if (current !== undefined && !(current instanceof Error)) chain.push(String(current));
  return chain.join('\n');
}

function oneLine(err: unknown): string {
  if (err instanceof UsageError) return err.message;
  if (err instanceof APIConnectionTimeoutError) return `the server did not answer in time (${err.message})`;
  if (err instanceof APIConnectionError)
    return `cannot reach the server: ${rootCause(err)} (is it running? set --url or LONGRUN_URL)`;
  if (err instanceof APIError) {
    const hint =
      err.status === 401
        ? ' (give a key with --api-key or LONGRUN_API_KEY)'
        : err.status === 403
          ? ' (this key may not do that)'
          : '';
    return `${err.message}${err.code ? ` [${err.code}]` : ''}${hint}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The innermost message: `connect ECONNREFUSED 127.0.0.1:8000` rather than `fetch failed`. */
function rootCause(err: Error): string {
  let current: unknown = err;
  let message = err.message;
  while (current instanceof Error) {
    message = current.message;
    current = current.cause;
  }
  return message;
}
