import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_ERRORS, ApiError, type ApiErrorCode } from '../errors.js';
import { StoreUnavailableError } from '../store/store.js';
import { compatError, isCompatRequest } from './compat-errors.js';

/** Fastify's own error codes, mapped to ours. */
const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_BAD_URL: 'invalid_request',
  FST_ERR_MAX_PARAM_LENGTH: 'invalid_request',
  FST_ERR_ASYNC_CONSTRAINT: 'invalid_request',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_PARSE_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CHARSET: 'unsupported_media_type',
};

/**
 * The status and body an error is answered with: `{"error": {"code",
 * "message", "details"?}}`, except on the status API kept for its clients,
 * which answers as that API did, whatever raised the error (the router, a
 * body parser, a hook or the handler).
 */
function rendered(request: FastifyRequest, err: ApiError): { status: number; body: object } {
  if (isCompatRequest(request)) return compatError(err);
  const body: { error: { code: string; message: string; details?: unknown } } = {
    error: { code: err.code, message: err.message },
  };
  if (err.details !== undefined) body.error.details = err.details;
  return { status: err.statusCode, body };
}

/** What to tell the caller for Fastify errors whose code's own message would not say what is wrong. */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'The path is not valid percent-encoded UTF-8.',
  FST_ERR_MAX_PARAM_LENGTH: 'A path segment is longer than 1024 characters; no id or name is that long.',
};

export function sendError(reply: FastifyReply, err: ApiError): FastifyReply {
  const { status, body } = rendered(reply.request, err);
  return reply.code(status).headers(err.headers).type('application/json; charset=utf-8').send(body);
}

const DISK_CODES: Record<string, string> = {
  SQLITE_FULL: 'the disk is full',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  SQLITE_READONLY: 'the data dir is read-only',
  EROFS: 'the data dir is read-only',
  SQLITE_IOERR: 'an I/O error',
  EIO: 'an I/O error',
};

/**
 * What is wrong with the disk, when a write failed because of it (full,
 * read-only, failing): the store is down for writes, not the request wrong.
 */
export function diskTrouble(err: Error): string | null {
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code !== 'string') return null;
  return DISK_CODES[code] ?? DISK_CODES[code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1')] ?? null;
}

/** The first of a schema's complaints about the part `where` of a request (e.g. `body`), as `invalid_request`. */
export function schemaError(
  validation: readonly { instancePath?: string; message?: string | undefined; params?: unknown }[],
  where: string,
  cause?: unknown,
): ApiError {
  const first = validation[0];
  const field = first?.instancePath ? `${where}${first.instancePath.replace(/\//g, '.')}` : where;
  const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
  const extra = (first?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
  const message = missing
    ? `${field}.${missing} is required`
    : extra
      ? `${field}.${extra} is not a known field`
      : `${field} ${first?.message ?? 'is invalid'}`;
  return new ApiError('invalid_request', { message, cause });
}

/** Turn whatever a handler or Fastify threw into an {@link ApiError}. */
export function toApiError(err: FastifyError | Error): ApiError {
  if (err instanceof ApiError) return err;
  const fe = err as FastifyError;
  if (fe.validation) return schemaError(fe.validation, fe.validationContext ?? 'request', err);
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped)
    return new ApiError(mapped, {
      message: FASTIFY_MESSAGES[fe.code!] ?? API_ERRORS[mapped].message,
      cause: err,
    });
  if (fe.statusCode === 413) return new ApiError('payload_too_large', { cause: err });
  if (fe.statusCode === 415) return new ApiError('unsupported_media_type', { cause: err });
  if (fe.statusCode === 429) return new ApiError('rate_limited', { cause: err });
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ApiError('invalid_request', { message: fe.message, cause: err });
  }
  const disk = diskTrouble(err);
  if (disk) {
    return new ApiError('store_unavailable', {
      message: `The job store cannot write to disk (${disk}); retry once the data dir has space and is writable.`,
      cause: err,
    });
  }
  if (
    err instanceof StoreUnavailableError ||
    (err as NodeJS.ErrnoException).code === 'SQLITE_BUSY' ||
    /ECONNREFUSED|Connection terminated/.test(err.message)
  ) {
    return new ApiError('store_unavailable', { cause: err });
  }
  return new ApiError('internal_error', { cause: err });
}

/** One error handler renders every error as `{"error": {"code", "message", "details"?}}`. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const apiErr = toApiError(err);
    if (apiErr.statusCode >= 500) request.log.error({ err }, 'request failed');
    if (mustLinger(request, reply)) return answerAndLinger(request, reply, apiErr);
    return sendError(reply, apiErr);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new ApiError('route_not_found', {
        message: `No route ${request.method} ${request.url.split('?', 1)[0]}.`,
      }),
    ),
  );
}

/** How long a connection answered before its body arrived keeps reading (and dropping) that body. */
const LINGER_MS = 5_000;
const lingering = new WeakSet<Duplex>();

/** Fastify closes the connection after this answer, and the request's body has not all arrived. */
function mustLinger(request: FastifyRequest, reply: FastifyReply): boolean {
  const socket = request.raw.socket;
  return (
    /close/i.test(String(reply.getHeader('connection') ?? '')) &&
    !request.raw.complete &&
    !!socket &&
    !socket.destroyed &&
    !lingering.has(socket)
  );
}

/**
 * Makes an error answered before the request's body has arrived (a 413 above
 * all) reach the client. Node closes such a connection as soon as the answer
 * is written, and closing a socket with unread bytes makes the kernel send a
 * reset that destroys the answer in flight: a client still writing its body
 * would see EPIPE or ECONNRESET, never the 413. Like nginx's lingering close,
 * the answer (with `Connection: close`, so no client sends another request on
 * the connection) is written by hand, the rest of the body is read and
 * dropped, and the connection is closed once the body has ended, or after
 * {@link LINGER_MS} at the latest.
 */
function answerAndLinger(request: FastifyRequest, reply: FastifyReply, err: ApiError): void {
  const req = request.raw;
  const socket = req.socket;
  lingering.add(socket);
  reply.hijack();
  const { status, body } = rendered(request, err);
  const text = JSON.stringify(body);
  const extra = Object.entries(err.headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.write(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n${extra}` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  req.on('data', () => {});
  req.once('end', () => socket.end());
  req.resume();
}

/**
 * Errors Node raises on a connection before any route runs (a request too
 * slow to arrive, headers too large, bytes that are not HTTP), answered in the
 * same shape as every other error; then the connection is closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (lingering.has(socket)) {
    // Answered already; what arrives now is the rest of a body being dropped.
    socket.destroy();
    return;
  }
  const code: ApiErrorCode =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 'request_timeout'
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? 'headers_too_large'
        : 'invalid_request';
  const { status } = API_ERRORS[code];
  const message =
    code === 'invalid_request' ? 'The request is not valid HTTP/1.1.' : API_ERRORS[code].message;
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

export { API_ERRORS };
