import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, settingsHelp } from './config.js';

export interface ServeOptions {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Where the "listening" line and help go. @default process.stdout */
  out?: NodeJS.WritableStream;
  /** Install SIGTERM/SIGINT handlers that drain and exit. @default true */
  handleSignals?: boolean;
}

export const SERVE_USAGE = `Usage: longrun serve [options]

Runs the longrun server: HTTP API and, unless --role api, workers.
Every option is also an environment variable; the option wins.

${settingsHelp()}
  --help                           show this help`;

/** The base URL of a listening app, with IPv6 hosts in brackets. */
export function listeningUrl(app: FastifyInstance): string {
  const address = app.server.address();
  if (!address || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * Start a server from flags and environment, print `longrun listening on
 * http://HOST:PORT` when it is ready, and drain on SIGTERM or SIGINT (a second
 * signal exits at once). Throws {@link ConfigError} on a bad setting.
 */
export async function serve({
  argv = process.argv.slice(2),
  env = process.env,
  out = process.stdout,
  handleSignals = true,
}: ServeOptions = {}): Promise<FastifyInstance | null> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.write(`${SERVE_USAGE}\n`);
    return null;
  }
  const config = loadConfig({ argv, env });
  const app = await buildApp(config);
  await app.listen({ host: config.host, port: config.port });
  out.write(`longrun listening on ${listeningUrl(app)}\n`);
  if (handleSignals) {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        app.log.warn({ signal }, 'second signal: exiting without draining');
        process.exit(1);
      }
      stopping = true;
      app.log.info({ signal }, 'shutting down: no new work; running jobs get the grace period');
      app.close().then(
        () => process.exit(0),
        (err) => {
          app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  }
  return app;
}

export { ConfigError };
