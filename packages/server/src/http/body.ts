import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { ApiError } from '../errors.js';

/** Deeper JSON than this is refused: nothing longrun accepts needs it, and deep values make recursion blow up. */
export const MAX_JSON_DEPTH = 32;

/** A body longer than this is decoded, parsed and handled in turns of the event loop of its own (see {@link inTurn}). */
const LONG_BODY_BYTES = 64 * 1024;

/** Work on long bodies waiting for its turn, first come first served. */
const turns: (() => void)[] = [];
let turnSet = false;

function nextTurn(): void {
  turnSet = false;
  try {
    turns.shift()?.();
  } finally {
    // An immediate set from an immediate runs after the loop's next look at I/O.
    if (turns.length > 0 && !turnSet) {
      turnSet = true;
      setImmediate(nextTurn);
    }
  }
}

/**
 * Run `task` in a turn of the event loop with no other long body's work:
 * decoding and parsing a megabyte of JSON takes milliseconds, and checking
 * and storing it as long again. Several such requests arriving together
 * would otherwise run back to back, every other request (a health probe)
 * waiting behind all of them; taking turns, it waits behind one.
 */
function inTurn(task: () => void): void {
  turns.push(task);
  if (!turnSet) {
    turnSet = true;
    setImmediate(nextTurn);
  }
}

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
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length <= LONG_BODY_BYTES) {
      parse(bytes, done);
      return;
    }
    inTurn(() => parse(bytes, (error, value) => (error ? done(error) : inTurn(() => done(null, value)))));
  });
}

type Done = (error: Error | null, value?: unknown) => void;

function parse(bytes: Buffer, done: Done): void {
  const text = bytes.toString('utf8');
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
    );
    return;
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) {
    done(
      new ApiError('invalid_request', {
        message: `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`,
      }),
    );
    return;
  }
  done(null, value);
}
