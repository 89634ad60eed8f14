import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The name an upload has until it is complete. */
const TEMP_PREFIX = '.upload-';

/**
 * Where uploaded files' bytes live: `<root>/<tenant>/<id>`, beside the
 * artifacts (with PostgreSQL, a folder every node mounts). An upload is
 * written to a dot file in the tenant's folder (same file system, so the
 * final rename is atomic) and never served under that name: file ids start
 * with `file_`.
 */
export class FileStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  #dir(tenant: string): string {
    // Tenants are validated elsewhere; encoded anyway so that none can name a parent folder.
    return join(
      this.root,
      encodeURIComponent(tenant).replace(/^\.+/, (d) => '%2E'.repeat(d.length)),
    );
  }

  /** The path of a stored file (which may not exist). */
  path(tenant: string, id: string): string {
    if (!/^file_[A-Za-z0-9]+$/.test(id)) throw new Error(`invalid file id: ${JSON.stringify(id)}`);
    return join(this.#dir(tenant), id);
  }

  /** A fresh path to write an upload to, on the same file system as its final place. */
  async tempPath(tenant: string): Promise<string> {
    await mkdir(this.#dir(tenant), { recursive: true });
    return join(this.#dir(tenant), `${TEMP_PREFIX}${randomUUID()}`);
  }

  /** Move a finished upload into place as file `id`; atomic: readers never see half a file. */
  async commit(tenant: string, id: string, tempPath: string): Promise<void> {
    await rename(tempPath, this.path(tenant, id));
  }

  /** The file's size, or null when it is gone. */
  async size(tenant: string, id: string): Promise<number | null> {
    try {
      return (await stat(this.path(tenant, id))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async remove(tenant: string, id: string): Promise<void> {
    await rm(this.path(tenant, id), { force: true });
  }

  /** Remove an upload's temporary file; a missing one is fine. */
  async discard(tempPath: string): Promise<void> {
    await rm(tempPath, { force: true });
  }

  /**
   * Remove the temporary files of uploads that nothing has written to for
   * `idleMs`: a process that died mid-upload leaves its file behind (one that
   * lives discards its own). An upload under way writes every few
   * milliseconds, so an idle hour cannot be one. Returns how many were removed.
   */
  async removeAbandoned(idleMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const tenant of await readdir(this.root).catch(() => [])) {
      const dir = join(this.root, tenant);
      for (const name of await readdir(dir).catch(() => [])) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        const path = join(dir, name);
        const written = await stat(path).then(
          (s) => s.mtimeMs,
          () => null,
        );
        if (written === null || now - written < idleMs) continue;
        await rm(path, { force: true });
        removed += 1;
      }
    }
    return removed;
  }
}
