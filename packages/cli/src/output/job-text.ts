import type { Job } from '@longrun/client';
import { age, bytes } from './format.js';

/** One line per artifact of a finished job, with the command that fetches it. */
export function artifactLines(job: Job): string[] {
  return (job.output?.artifacts ?? []).map(
    (a) => `${a.name} (${a.content_type}, ${bytes(a.size)}): longrun download ${job.id} ${a.name}`,
  );
}

/** `longrun status`: the job as aligned `field  value` lines, empty fields left out. */
export function jobText(job: Job, now = Date.now()): string {
  const when = (iso: string | null) => (iso ? `${iso} (${age(iso, now)} ago)` : null);
  const { artifacts: _artifacts, ...output } = job.output ?? {};
  const fields: [string, string | null][] = [
    ['id', job.id],
    ['type', job.type],
    ['status', job.status],
    ['progress', `${job.progress}%`],
    ['stage', job.stage],
    ['message', job.message],
    ['queue', job.queue_position === null ? null : `${job.queue_position} ahead`],
    ['attempt', `${job.attempt} of ${job.max_attempts}`],
    ['error', job.error ? `${job.error.code}: ${job.error.message}` : null],
    ['created', when(job.created_at)],
    ['started', when(job.started_at)],
    ['finished', when(job.finished_at)],
    ['eta', job.finished_at ? null : job.eta],
    ['input', JSON.stringify(job.input)],
    ['output', job.output ? JSON.stringify(output) : null],
  ];
  const lines = fields.filter((f): f is [string, string] => f[1] !== null);
  const width = Math.max(...lines.map(([k]) => k.length)) + 2;
  const text = lines.map(([k, v]) => `${k.padEnd(width)}${v}`);
  const artifacts = artifactLines(job);
  if (artifacts.length > 0) text.push('artifacts', ...artifacts.map((a) => `  ${a}`));
  return `${text.join('\n')}\n`;
}
