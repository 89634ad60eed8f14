import { readdirSync, readFileSync } from 'node:fs';

/** One numbered, append-only SQL file: `0001_name.sql`. A shipped file is never edited. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations in `dir`, in order. */
export function readMigrations(dir: URL): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(new URL(file, dir), 'utf8'),
    }));
}
