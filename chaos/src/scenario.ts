import type { ScenarioResult } from './report.js';

export interface ScenarioContext {
  /** The short version: fewer jobs, shorter soak. */
  quick: boolean;
  /** The shared PostgreSQL the PostgreSQL scenarios use (each in a schema of its own); null skips them. */
  pgUrl: string | null;
  /** Progress lines, to stderr. */
  log: (line: string) => void;
  /** Copy server output to stderr. */
  echo: boolean;
}

export interface Scenario {
  name: string;
  /** One line: the promise it tries to break. */
  title: string;
  run(ctx: ScenarioContext, result: ScenarioResult): Promise<void>;
}
