import type { Logger, LogLevel } from '@longrun/client';

const LEVELS = ['error', 'warn', 'info', 'debug'] as const;

/** `logger` with the messages below `level` dropped; silent when there is no logger. */
export function withLevel(logger: Logger | undefined, level: LogLevel): Logger {
  const keep = level === 'off' ? 0 : LEVELS.indexOf(level) + 1;
  const ignore = () => {};
  const [error, warn, info, debug] = LEVELS.map((name, i) =>
    logger && i < keep ? logger[name].bind(logger) : ignore,
  );
  return { error: error!, warn: warn!, info: info!, debug: debug! };
}
