import { extname } from 'node:path';
import { isValidArtifactName } from '../../artifacts/storage.js';
import { isValidJobId } from '../../jobs/ids.js';

/**
 * The file name under which `/v1/storage/download/` serves a job's artifact:
 * the artifact's stem, an underscore, the job id, the artifact's extension
 * (`video.mp4` of job `abc` is `video_abc.mp4`). The name alone leads back to
 * the job, so the route needs nothing but the job store.
 */
export function storageName(jobId: string, artifact: string): string {
  const ext = extname(artifact);
  return `${artifact.slice(0, artifact.length - ext.length)}_${jobId}${ext}`;
}

/** Readings of a name tried before giving up: an id or stem with a few underscores still resolves. */
const MAX_READINGS = 4;

/**
 * The (job id, artifact) pairs a storage name can stand for, the likeliest
 * first: split at each underscore, leftmost first, since artifact stems are
 * short words (video, captions) and job ids may hold underscores.
 */
export function readStorageName(filename: string): { jobId: string; artifact: string }[] {
  const ext = extname(filename);
  const base = filename.slice(0, filename.length - ext.length);
  const readings: { jobId: string; artifact: string }[] = [];
  for (let i = base.indexOf('_'); i > 0 && readings.length < MAX_READINGS; i = base.indexOf('_', i + 1)) {
    const jobId = base.slice(i + 1);
    const artifact = base.slice(0, i) + ext;
    if (isValidJobId(jobId) && isValidArtifactName(artifact)) readings.push({ jobId, artifact });
  }
  return readings;
}
