/** Where the SDK writes what it does; `console` fits. */
export interface Logger {
  error(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
}

export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };
const noop = () => {};

/** A logger that drops messages below `level`; everything when no logger is given. */
export function levelled(logger: Logger | undefined, level: LogLevel): Logger {
  const pick = (name: Exclude<LogLevel, 'off'>) =>
    logger && RANK[level] >= RANK[name] ? logger[name].bind(logger) : noop;
  return { error: pick('error'), warn: pick('warn'), info: pick('info'), debug: pick('debug') };
}
