/**
 * What a job type is called: dot-separated words of a-z, 0-9, _ and -,
 * each starting with a letter (`simulate`, `image.to_video`, `acme.transcode_h265`),
 * at most 64 characters, as POST /v1/jobs accepts. Built-in and module types
 * alike: a name is a URL query value and a CLI argument, so it stays plain.
 */
export const JOB_TYPE_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;
export const JOB_TYPE_MAX_LENGTH = 64;
export const JOB_TYPE_RULE =
  'dot-separated words of a-z, 0-9, _ and -, each starting with a letter (e.g. acme.wordcount), at most 64 characters';

export function isJobTypeName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= JOB_TYPE_MAX_LENGTH && JOB_TYPE_PATTERN.test(value);
}
