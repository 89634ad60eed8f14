import fastJson from 'fast-json-stringify';
import { NOT_ASCII, takeInputJson } from '../jobs/input-limits.js';
import type { JsonObject, StoredJob } from '../jobs/model.js';
import { jobSchema } from './schemas.js';

const stringify = fastJson(jobSchema as unknown as Parameters<typeof fastJson>[0]) as (
  job: unknown,
) => string;
const cache = new WeakMap<StoredJob, string>();

/**
 * A job as JSON, public fields only. One snapshot is serialised once however
 * many SSE streams and waiters receive it.
 */
export function jobJson(job: StoredJob): string {
  let text = cache.get(job);
  if (text === undefined) {
    text = stringify(job);
    cache.set(job, text);
  }
  return text;
}

/** Past this many bytes of JSON fields, a job is sent as bytes spliced around its input's (see {@link jobBody}). */
const LONG_JOB_BYTES = 64 * 1024;
const bodies = new WeakMap<StoredJob, Buffer>();
const inputBodies = new WeakMap<JsonObject, Buffer>();
/** What a job is serialised with in place of its input, then found and replaced. */
const NO_INPUT: JsonObject = {};

/** A JSON text's UTF-8: of ASCII alone (a data: URL, base64) encoded as Latin-1, several times faster and the same bytes. */
function utf8(text: string): Buffer {
  return Buffer.from(text, NOT_ASCII.test(text) ? 'utf8' : 'latin1');
}

/**
 * A job as the body of a reply. A long one is sent as bytes, encoded once per
 * snapshot: a string body is measured and then encoded again as it is
 * written, each a pass over every byte. Its input, which never changes and
 * which the snapshots of a job share (the store hands on one object), is
 * encoded once for all of them, and each snapshot's body is the rest of the
 * job's JSON spliced around it.
 */
export function jobBody(job: StoredJob): string | Buffer {
  if (job.json_bytes < LONG_JOB_BYTES) return jobJson(job);
  let body = bodies.get(job);
  if (body === undefined) {
    body = spliced(job);
    bodies.set(job, body);
  }
  return body;
}

function spliced(job: StoredJob): Buffer {
  const rest: Record<string, unknown> = { ...job, input: NO_INPUT };
  const text = stringify(rest);
  // The fields before the input are strings, numbers and nulls, whose JSON cannot hold an
  // unescaped quote: the first `,"input":{}` is the input's own.
  const key = ',"input":';
  const at = text.indexOf(`${key}{}`);
  if (at < 0) return Buffer.from(jobJson(job));
  let input = inputBodies.get(job.input);
  if (input === undefined) {
    input = utf8(takeInputJson(job.input));
    inputBodies.set(job.input, input);
  }
  const head = at + key.length;
  return Buffer.concat([Buffer.from(text.slice(0, head)), input, Buffer.from(text.slice(head + 2))]);
}
