import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const DIR = new URL('../../dashboard/', import.meta.url);

const FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
} as const;

/**
 * The dashboard: static files read once at start, served with a strict
 * Content-Security-Policy. It is live through /v1/events and asks for an API
 * key when the server has keys, keeping it in the browser only.
 */
export function dashboardRoutes(app: FastifyInstance): void {
  const files = new Map(
    Object.entries(FILES).map(([name, type]) => [name, { body: readFileSync(new URL(name, DIR)), type }]),
  );
  const send =
    (name: keyof typeof FILES) => async (_request: unknown, reply: import('fastify').FastifyReply) => {
      const file = files.get(name)!;
      return reply
        .type(file.type)
        .headers({
          'cache-control': 'no-cache',
          'content-security-policy':
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        })
        .send(file.body);
    };
  const hide = { schema: { hide: true } };
  app.get('/', hide, send('index.html'));
  app.get('/dashboard/app.js', hide, send('app.js'));
  app.get('/dashboard/style.css', hide, send('style.css'));
}
