import { describe, expect, it } from 'vitest';
import { JobFailure, UnrecoverableError } from '../../src/index.js';
import { failureOf, MAX_ERROR_MESSAGE } from '../../src/internal/failure.js';

describe('failureOf: what a handler threw, as a fail call', () => {
  it('keeps a JobFailure’s code and retry, and its retry delay', () => {
    expect(failureOf(new JobFailure('gpu_out_of_memory', 'CUDA OOM at frame 512'))).toEqual({
      error: { code: 'gpu_out_of_memory', message: 'CUDA OOM at frame 512' },
      retry: true,
    });
    expect(failureOf(new JobFailure('rate_limited', 'later', { retryInSeconds: 30 }))).toEqual({
      error: { code: 'rate_limited', message: 'later' },
      retry: true,
      retry_in_seconds: 30,
    });
    expect(failureOf(new UnrecoverableError('bad_video', 'not a video'))).toEqual({
      error: { code: 'bad_video', message: 'not a video' },
      retry: false,
    });
  });

  it('takes any error with a snake_case code and a boolean retryable (the server’s own JobFailure too)', () => {
    const err = Object.assign(new Error('no such voice'), { code: 'unknown_voice', retryable: false });
    expect(failureOf(err)).toEqual({
      error: { code: 'unknown_voice', message: 'no such voice' },
      retry: false,
    });
  });

  it('makes other errors processor_error, retried', () => {
    expect(failureOf(new TypeError('x is undefined'))).toEqual({
      error: { code: 'processor_error', message: 'x is undefined' },
      retry: true,
    });
    // Node's own codes are not the job's: ENOENT has no retryable, and is not snake_case.
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    expect(failureOf(enoent).error.code).toBe('processor_error');
    const noFlag = Object.assign(new Error('m'), { code: 'some_code' });
    expect(failureOf(noFlag).error.code).toBe('processor_error');
    expect(failureOf(new Error('')).error.message).toBe('Error');
  });

  it('describes thrown non-errors', () => {
    expect(failureOf('plain string').error).toEqual({
      code: 'processor_error',
      message: 'A non-error was thrown: plain string',
    });
    expect(failureOf({ a: 1 }).error.message).toBe('A non-error was thrown: {"a":1}');
    expect(failureOf(undefined).error.message).toBe('A non-error was thrown: undefined');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(failureOf(cyclic).error.message).toBe('A non-error was thrown: [object Object]');
  });

  it('cuts a message to what the server takes', () => {
    const { message } = failureOf(new Error('m'.repeat(5000))).error;
    expect(message).toHaveLength(MAX_ERROR_MESSAGE);
    expect(message.endsWith('…')).toBe(true);
  });
});

describe('JobFailure', () => {
  it('refuses a code the server would refuse', () => {
    expect(() => new JobFailure('Bad-Code', 'm')).toThrow(/must match/);
    expect(() => new JobFailure('x'.repeat(65), 'm')).toThrow(/must match/);
  });

  it('is an Error with its name and cause', () => {
    const cause = new Error('inner');
    const err = new UnrecoverableError('bad_input', 'm', { cause });
    expect(err).toBeInstanceOf(JobFailure);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('UnrecoverableError');
    expect(err.cause).toBe(cause);
    expect(err.retryable).toBe(false);
  });
});
