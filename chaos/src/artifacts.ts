import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { removeDir, tempDir } from '@longrun/testkit';
import type { JobView } from './jobs.js';

const run = promisify(execFile);

let ffprobe: Promise<string | null> | undefined;
function findFfprobe(): Promise<string | null> {
  ffprobe ??= run('ffprobe', ['-version']).then(
    () => 'ffprobe',
    () => null,
  );
  return ffprobe;
}

/**
 * Download every artifact a completed job lists and check it is whole: the
 * bytes received match Content-Length and the size the job reported, and a
 * video parses with ffprobe (when installed). Returns what is wrong, if anything.
 */
export async function brokenArtifacts(base: string, job: JobView): Promise<string[]> {
  const problems: string[] = [];
  const listed = (job.output?.artifacts ?? []) as { name: string; size: number; url: string }[];
  for (const a of listed) {
    const res = await fetch(`${base}${a.url}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) {
      problems.push(`${job.id}/${a.name}: ${res.status}`);
      continue;
    }
    const length = Number(res.headers.get('content-length'));
    if (bytes.length !== a.size || length !== a.size) {
      problems.push(
        `${job.id}/${a.name}: ${bytes.length} bytes received, ${length} announced, ${a.size} listed`,
      );
      continue;
    }
    if (a.name.endsWith('.mp4')) {
      if (bytes.subarray(4, 8).toString('latin1') !== 'ftyp')
        problems.push(`${job.id}/${a.name}: no ftyp box`);
      const probe = await findFfprobe();
      if (probe) {
        const dir = tempDir('longrun-chaos-artifact-');
        try {
          const file = join(dir, a.name);
          writeFileSync(file, bytes);
          await run(probe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
        } catch (err) {
          problems.push(`${job.id}/${a.name}: ffprobe: ${(err as Error).message.split('\n')[0]}`);
        } finally {
          removeDir(dir);
        }
      }
    }
  }
  return problems;
}

/**
 * Ask for the artifacts a running job will have: until the job lists them,
 * the answer must be 404, never a part of a file. Returns what was served wrongly.
 */
export async function servedEarly(base: string, job: JobView, names: readonly string[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const name of names) {
    const res = await fetch(`${base}/v1/jobs/${encodeURIComponent(job.id)}/artifacts/${name}`);
    await res.arrayBuffer();
    if (res.status === 404) continue;
    // The job may have finished since it was listed; then the file must be whole.
    const now = await fetch(`${base}/v1/jobs/${encodeURIComponent(job.id)}`);
    const fresh = (await now.json()) as JobView;
    if (res.status === 200 && fresh.status === 'completed')
      wrong.push(...(await brokenArtifacts(base, fresh)));
    else wrong.push(`${job.id}/${name}: ${res.status} while the job was ${fresh.status}`);
  }
  return wrong;
}
