import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Artifact names: a plain file name, no folders, no dot files. */
export const ARTIFACT_NAME_PATTERN = '^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$';
const ARTIFACT_NAME_RE = new RegExp(ARTIFACT_NAME_PATTERN);

export function isValidArtifactName(name: string): boolean {
  return ARTIFACT_NAME_RE.test(name) && !name.includes('..');
}

export interface StoredArtifact {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * Where job artifacts live. The disk implementation is the only one today;
 * in PostgreSQL mode its root is a folder every node mounts. An object store
 * can implement the same interface.
 */
export interface ArtifactStorage {
  /** Move (or copy) a finished file in as the job's artifact `name`; atomic: readers never see half a file. */
  put(tenant: string, jobId: string, name: string, fromPath: string): Promise<StoredArtifact>;
  /** The stored file, or null. */
  stat(tenant: string, jobId: string, name: string): Promise<StoredArtifact | null>;
  /** Remove every artifact of a job. */
  removeJob(tenant: string, jobId: string): Promise<void>;
}

export class DiskArtifactStorage implements ArtifactStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  #dir(tenant: string, jobId: string): string {
    // Ids and tenants are validated to [A-Za-z0-9._:-]; encode anyway so neither can name a parent folder.
    return join(
      this.root,
      encodeURIComponent(tenant),
      encodeURIComponent(jobId).replace(/^\.+/, (d) => '%2E'.repeat(d.length)),
    );
  }

  #path(tenant: string, jobId: string, name: string): string {
    if (!isValidArtifactName(name)) throw new Error(`invalid artifact name: ${JSON.stringify(name)}`);
    return join(this.#dir(tenant, jobId), name);
  }

  async put(tenant: string, jobId: string, name: string, fromPath: string): Promise<StoredArtifact> {
    const target = this.#path(tenant, jobId, name);
    await mkdir(this.#dir(tenant, jobId), { recursive: true });
    // A dot name can never be requested (see ARTIFACT_NAME_PATTERN), so a half-copied file is never served.
    const staging = join(this.#dir(tenant, jobId), `.partial-${randomUUID()}`);
    try {
      await rename(fromPath, staging);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyFile(fromPath, staging);
      await unlink(fromPath);
    }
    await rename(staging, target);
    const s = await stat(target);
    return { path: target, size: s.size, mtimeMs: s.mtimeMs };
  }

  async stat(tenant: string, jobId: string, name: string): Promise<StoredArtifact | null> {
    if (!isValidArtifactName(name)) return null;
    const path = this.#path(tenant, jobId, name);
    try {
      const s = await stat(path);
      return s.isFile() ? { path, size: s.size, mtimeMs: s.mtimeMs } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async removeJob(tenant: string, jobId: string): Promise<void> {
    await rm(this.#dir(tenant, jobId), { recursive: true, force: true });
  }
}
