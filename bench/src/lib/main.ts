import { pathToFileURL } from 'node:url';
import type { Scenario } from './scenario.js';

/**
 * Runs `main` when the module at `moduleUrl` is the program itself, not one the runner
 * imported; an error is printed and exits 1.
 */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

/** Runs scenario `run` when its module is the program itself (`--quick` for a short run), and prints its tables. */
export function runScenarioIfMain(moduleUrl: string, run: Scenario): void {
  runIfMain(moduleUrl, async () => {
    const result = await run({ quick: process.argv.includes('--quick') });
    console.table(result.rows);
    console.table(result.goals);
  });
}
