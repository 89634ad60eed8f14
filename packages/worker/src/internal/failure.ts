import { ERROR_CODE_PATTERN } from '../errors/job-failure.js';
import type { FailBody, Report } from './api.js';

/** The longest `error.message` the server takes. */
export const MAX_ERROR_MESSAGE = 2000;

/**
 * What a handler threw, as the body of a fail call. An error with a snake_case
 * `code` and a boolean `retryable` (a {@link JobFailure}, or any error shaped
 * like one) keeps them; anything else, thrown non-errors included, is
 * `processor_error` and retried while attempts remain.
 */
export function failureOf(err: unknown): Omit<FailBody, keyof Report> {
  const e = err as {
    code?: unknown;
    retryable?: unknown;
    retryInSeconds?: unknown;
    message?: unknown;
  } | null;
  const own =
    typeof e?.code === 'string' && ERROR_CODE_PATTERN.test(e.code) && typeof e.retryable === 'boolean';
  const retryIn =
    own && e.retryable && typeof e.retryInSeconds === 'number' && e.retryInSeconds >= 0
      ? e.retryInSeconds
      : undefined;
  return {
    error: { code: own ? (e.code as string) : 'processor_error', message: cut(messageOf(err)) },
    retry: own ? (e.retryable as boolean) : true,
    ...(retryIn === undefined ? {} : { retry_in_seconds: retryIn }),
  };
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  let text: string;
  try {
    text = typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
  } catch {
    text = String(err);
  }
  return `A non-error was thrown: ${text}`;
}

function cut(message: string): string {
  return message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE - 1)}…` : message;
}
