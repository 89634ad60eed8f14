import { Longrun } from '@longrun/client';
import { type Command, Option } from 'commander';

export const DEFAULT_URL = 'http://127.0.0.1:8000';

/** The options every command that talks to a server takes. */
export interface ClientFlags {
  url: string;
  apiKey?: string;
  verbose?: boolean;
}

/** Add --url, --api-key and --verbose (with their environment variables) to a command. */
export function withClientOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'the server').env('LONGRUN_URL').default(DEFAULT_URL))
    .addOption(new Option('--api-key <key>', 'API key, when the server has keys').env('LONGRUN_API_KEY'))
    .option('--verbose', 'print stack traces and causes of errors');
}

export function makeClient({ url, apiKey }: ClientFlags): Longrun {
  return new Longrun({ baseUrl: url, ...(apiKey ? { apiKey } : {}) });
}

/** True when a live bar can be drawn: the terminal the bar goes to is a TTY. */
export function isTerminal(stream: NodeJS.WritableStream = process.stderr): boolean {
  return (stream as NodeJS.WriteStream).isTTY === true;
}
