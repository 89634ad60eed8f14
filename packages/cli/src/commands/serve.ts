import { ConfigError, serve } from '@longrun/server';
import { UsageError } from '../errors.js';

/**
 * `longrun serve [flags]`: the server itself, in this process. Every flag is
 * handed to the server's own parser (`longrun serve --help` lists them).
 */
export async function serveCommand(flags: string[]): Promise<void> {
  try {
    await serve({ argv: flags });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message, { cause: err });
    throw new Error(`could not start: ${(err as Error).message}`, { cause: err });
  }
}
