/** What every benchmark scenario module exports: `export async function run(opts): Promise<ScenarioResult>`. */
export interface ScenarioOptions {
  /** A short run (the whole benchmark under 3 minutes) instead of the full one. */
  quick: boolean;
}

export interface Goal {
  /** The goal as stated, e.g. "longrun/SQLite >= 1.5x BullMQ jobs/s". */
  goal: string;
  met: boolean;
  /** The measured figure behind the verdict, e.g. "1.62x (2400 vs 1480 jobs/s)". */
  figure: string;
}

/** One panel of the report's chart: horizontal bars, one group per label, one bar per series. */
export interface ChartPanel {
  title: string;
  unit: string;
  /** Names of the bars inside each group (e.g. ["p50", "p99"]); one name for plain bars. */
  series: string[];
  groups: Array<{ label: string; values: number[] /** Drawn in the accent colour. */; ours?: boolean }>;
  /** A dashed reference line, e.g. a goal. */
  mark?: { value: number; label: string };
  /** Lower is better (only changes the caption). */
  lowerIsBetter?: boolean;
}

export interface ScenarioResult {
  name: string;
  rows: Array<Record<string, string | number>>;
  goals: Array<Goal>;
  /** How the figures were taken, for the report (Markdown). */
  method?: string;
  /** Panels for the report's chart; without them the report draws one from the rows. */
  charts?: ChartPanel[];
}

export type Scenario = (opts: ScenarioOptions) => Promise<ScenarioResult>;
