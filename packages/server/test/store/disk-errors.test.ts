import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { toApiError } from '../../src/http/errors.js';
import { SqliteJobStore } from '../../src/store/sqlite/store.js';
import { tempDir } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';

useCleanup();

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('disk trouble', () => {
  it('a write that failed on a full, read-only or failing disk is a 503 store_unavailable that says why', () => {
    for (const [code, why] of [
      ['SQLITE_FULL', 'the disk is full'],
      ['ENOSPC', 'the disk is full'],
      ['SQLITE_READONLY', 'the data dir is read-only'],
      ['SQLITE_READONLY_DBMOVED', 'the data dir is read-only'],
      ['EROFS', 'the data dir is read-only'],
      ['SQLITE_IOERR_WRITE', 'an I/O error'],
    ] as const) {
      const err = toApiError(withCode('database or disk is full', code));
      expect([code, err.statusCode, err.code]).toEqual([code, 503, 'store_unavailable']);
      expect(err.message).toContain(why);
    }
    expect(toApiError(withCode('no such table', 'SQLITE_ERROR')).code).toBe('internal_error');
  });

  it('a database that cannot be opened is named in the error', () => {
    const dir = tempDir();
    const filename = join(dir, 'longrun.db');
    mkdirSync(filename); // a folder where the file should be
    expect(() => new SqliteJobStore({ filename, synchronous: defaultConfig().sqliteSynchronous })).toThrow(
      `cannot open the SQLite database ${filename}`,
    );
  });
});
