/** A setting the server cannot start with; the message names the flag or variable and what it accepts. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
