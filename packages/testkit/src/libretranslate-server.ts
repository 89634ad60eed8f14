import { type JsonHandler, parseJson, type ServiceControls, startJsonService } from './json-service.js';

export interface LibreTranslateServerOptions {
  /** The "translation": deterministic, so tests know the answer. @default upper case */
  translate?: (text: string, target: string) => string;
  /** When set, requests must carry this `api_key` (else 403). @default none */
  apiKey?: string;
  /** The language codes offered, each to every other. @default en, es, de, fr, it, pt, pt-BR, ja */
  languages?: string[];
  /** The most texts one request may carry (the server's --batch-limit; else 400). @default no limit */
  batchLimit?: number;
}

export interface LibreTranslateServer extends ServiceControls {
  /** The base URL, e.g. http://127.0.0.1:12345 */
  url: string;
  /** How many times each text was asked to be translated, by answered requests. */
  readonly counts: ReadonlyMap<string, number>;
}

const LANGUAGES = ['en', 'es', 'de', 'fr', 'it', 'pt', 'pt-BR', 'ja'];

/**
 * A small server that speaks the LibreTranslate API (`POST /translate`
 * with `q` a string or an array, `source` or `auto`, `target`, `format`,
 * `api_key`; `GET /languages`), with its error bodies `{"error": …}`.
 */
export async function startLibreTranslateServer({
  translate = (text) => text.toUpperCase(),
  apiKey,
  languages = LANGUAGES,
  batchLimit = Number.POSITIVE_INFINITY,
}: LibreTranslateServerOptions = {}): Promise<LibreTranslateServer> {
  const counts = new Map<string, number>();
  const error = (status: number, message: string) => ({ status, json: { error: message } });

  const handle: JsonHandler = ({ method, path, headers, body }) => {
    if (method === 'GET' && path === '/languages') {
      return {
        status: 200,
        json: languages.map((code) => ({ code, name: code, targets: languages.filter((l) => l !== code) })),
      };
    }
    if (method !== 'POST' || path !== '/translate') return error(404, 'Not Found');
    const form = String(headers['content-type']).startsWith('application/x-www-form-urlencoded');
    const params = form ? formBody(body) : parseJson(body);
    if (!params || typeof params !== 'object') return error(400, 'Invalid request: missing q parameter');
    const { q, source, target, format = 'text', api_key } = params as Record<string, unknown>;
    if (apiKey !== undefined && api_key !== apiKey) return error(403, 'Invalid API key');
    if (q === undefined) return error(400, 'Invalid request: missing q parameter');
    if (typeof source !== 'string') return error(400, 'Invalid request: missing source parameter');
    if (typeof target !== 'string') return error(400, 'Invalid request: missing target parameter');
    if (source !== 'auto' && !languages.includes(source)) return error(400, `${source} is not supported`);
    if (!languages.includes(target)) return error(400, `${target} is not supported`);
    if (format !== 'text' && format !== 'html')
      return error(400, `${String(format)} format is not supported`);
    const texts = Array.isArray(q) ? q : [q];
    if (!texts.every((t) => typeof t === 'string')) return error(400, 'Invalid request: q must be text');
    if (texts.length > batchLimit)
      return error(400, `Invalid request: request (${texts.length}) exceeds text limit (${batchLimit})`);
    for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
    const translated = texts.map((t) => translate(t, target));
    const detected = { confidence: 90, language: 'en' };
    return {
      status: 200,
      json: {
        translatedText: Array.isArray(q) ? translated : translated[0],
        ...(source === 'auto'
          ? { detectedLanguage: Array.isArray(q) ? texts.map(() => detected) : detected }
          : {}),
      },
    };
  };

  const service = await startJsonService(handle);
  return Object.assign(service, { url: `http://127.0.0.1:${service.port}`, counts });
}

function formBody(body: string): Record<string, unknown> {
  const params = new URLSearchParams(body);
  const out: Record<string, unknown> = Object.fromEntries(params);
  const q = params.getAll('q');
  if (q.length > 1) out.q = q;
  return out;
}
