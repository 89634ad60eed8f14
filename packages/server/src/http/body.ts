import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { ApiError } from '../errors.js';

/** Deeper JSON than this is refused: nothing longrun accepts needs it, and deep values make recursion blow up. */
export const MAX_JSON_DEPTH = 32;

/** A body longer than this is handled in a turn of the event loop after the one that parsed it. */
const LONG_BODY_CHARS = 64 * 1024;

function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d >= max) return true;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

/**
 * The JSON body parser: an empty body is no body (so `POST …/cancel` with a
 * JSON content type and nothing else works), `__proto__` keys are refused,
 * and depth is bounded.
 */
export function registerJsonParser(app: FastifyInstance): void {
  // The API speaks JSON only; a text/plain body is refused with 415 rather than read as a string.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    let value: unknown;
    try {
      value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (err) {
      done(
        new ApiError('invalid_json', {
          message: `The body is not valid JSON: ${(err as Error).message}`,
          cause: err,
        }),
        undefined,
      );
      return;
    }
    if (depthExceeds(value, MAX_JSON_DEPTH)) {
      done(
        new ApiError('invalid_request', {
          message: `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`,
        }),
        undefined,
      );
      return;
    }
    // A long body took milliseconds to decode and parse: let waiting requests (a health
    // probe) in before its handler takes as long again to check and store it.
    if (text.length > LONG_BODY_CHARS) setImmediate(done, null, value);
    else done(null, value);
  });
}
