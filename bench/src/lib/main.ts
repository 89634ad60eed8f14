import { pathToFileURL } from 'node:url';

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
