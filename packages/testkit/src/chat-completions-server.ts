import { type JsonHandler, parseJson, type ServiceControls, startJsonService } from './json-service.js';

export interface ChatCompletionsServerOptions {
  /** What the "model" makes of each text: deterministic, so tests know the answer. @default upper case */
  translate?: (text: string) => string;
  /** When set, requests must carry `Authorization: Bearer <key>` (else 401). @default none */
  apiKey?: string;
}

export interface ChatCompletionsServer extends ServiceControls {
  /** The API base, e.g. http://127.0.0.1:12345/v1 */
  url: string;
  /** How many times each text was asked to be translated, by answered requests. */
  readonly counts: ReadonlyMap<string, number>;
  /** Answer each of the next `count` requests with this message content (a model that misbehaves). */
  replyNext(count: number, content: string): void;
}

/**
 * A small OpenAI-compatible chat-completions server: `POST
 * /v1/chat/completions` takes the last user message as a JSON array of
 * texts and answers, as the assistant, a JSON array of their translations.
 */
export async function startChatCompletionsServer({
  translate = (text) => text.toUpperCase(),
  apiKey,
}: ChatCompletionsServerOptions = {}): Promise<ChatCompletionsServer> {
  const counts = new Map<string, number>();
  const canned: string[] = [];
  const error = (status: number, message: string, type: string) => ({
    status,
    json: { error: { message, type, param: null, code: null } },
  });

  const handle: JsonHandler = ({ method, path, headers, body }) => {
    if (method !== 'POST' || path !== '/v1/chat/completions')
      return error(404, 'Not found', 'invalid_request_error');
    if (apiKey !== undefined && headers.authorization !== `Bearer ${apiKey}`) {
      return error(401, 'Incorrect API key provided.', 'invalid_request_error');
    }
    const request = parseJson(body) as {
      model?: unknown;
      messages?: Array<{ role: string; content: unknown }>;
    };
    if (typeof request?.model !== 'string')
      return error(400, 'you must provide a model parameter', 'invalid_request_error');
    if (!Array.isArray(request.messages)) return error(400, 'messages is required', 'invalid_request_error');
    let content = canned.shift();
    if (content === undefined) {
      const user = request.messages.findLast((m) => m.role === 'user');
      const texts = typeof user?.content === 'string' ? parseJson(user.content) : undefined;
      if (!Array.isArray(texts)) return error(400, 'expected a JSON array of texts', 'invalid_request_error');
      for (const text of texts) counts.set(String(text), (counts.get(String(text)) ?? 0) + 1);
      content = JSON.stringify(texts.map((t) => translate(String(t))));
    }
    return {
      status: 200,
      json: {
        id: `chatcmpl-${Date.now()}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      },
    };
  };

  const service = await startJsonService(handle);
  return Object.assign(service, {
    url: `http://127.0.0.1:${service.port}/v1`,
    counts,
    replyNext(count: number, content: string) {
      for (let i = 0; i < count; i++) canned.push(content);
    },
  });
}
