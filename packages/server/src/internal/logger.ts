/** What the server's parts log to: the shape of pino's logger, so the app's own logger fits. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Logs nothing: the logger of a part given none. */
export const silentLogger: Logger = Object.freeze({ info() {}, warn() {}, error() {} });
