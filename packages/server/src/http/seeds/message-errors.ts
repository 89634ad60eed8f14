import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { toApiError } from '../errors.js';

/** The error body of the seed APIs: a sentence, and what else a seed's clients read beside it. */
export interface MessageError {
  error: string;
  [field: string]: string;
}

export function sendMessageError(reply: FastifyReply, status: number, body: MessageError): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * Every error of the routes in `scope` (thrown by a handler, a hook such as
 * the API-key check, or the body parser) in the seed APIs' shape,
 * `{"error": "<message>"}`, with longrun's status and headers (Retry-After,
 * WWW-Authenticate). Input the job type refuses (422 elsewhere) is a 400
 * here: those APIs answer bad input with 400.
 */
export function renderErrorsAsMessages(scope: FastifyInstance): void {
  scope.setErrorHandler((err: FastifyError, request, reply) => {
    const apiErr = toApiError(err);
    if (apiErr.statusCode >= 500) request.log.error({ err }, 'request failed');
    const status = apiErr.statusCode === 422 ? 400 : apiErr.statusCode;
    // The body of these APIs is the job's input: a field is named as the caller wrote it.
    const message =
      apiErr.code === 'invalid_input' || apiErr.code === 'input_too_large'
        ? apiErr.message.replace(/^input\./, '')
        : apiErr.message;
    return sendMessageError(reply.headers(apiErr.headers), status, { error: message });
  });
}
