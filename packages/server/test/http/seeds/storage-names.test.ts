import { describe, expect, it } from 'vitest';
import { readStorageName, storageName } from '../../../src/http/seeds/storage-names.js';

describe('storage names', () => {
  it('name an artifact by its stem, the job id and its extension', () => {
    expect(storageName('01a2-b3', 'video.mp4')).toBe('video_01a2-b3.mp4');
    expect(storageName('20250101_143022', 'video.mp4')).toBe('video_20250101_143022.mp4');
    expect(storageName('job', 'output')).toBe('output_job');
  });

  it('lead back to the job and the artifact, ids with underscores, dots and colons included', () => {
    for (const [id, artifact] of [
      ['0194f0c2-8d25-7997-a886-3d68a121e68f', 'video.mp4'],
      ['20250101_143022', 'video.mp4'],
      ['a.b:c', 'captions.vtt'],
      ['a_b_c_d', 'video.mp4'],
    ] as const) {
      expect(readStorageName(storageName(id, artifact))[0]).toEqual({ jobId: id, artifact });
    }
  });

  it('offer every split at an underscore, leftmost first, and nothing for a name no job could have', () => {
    expect(readStorageName('my_file_abc.txt')).toEqual([
      { jobId: 'file_abc', artifact: 'my.txt' },
      { jobId: 'abc', artifact: 'my_file.txt' },
    ]);
    expect(readStorageName('video.mp4')).toEqual([]);
    expect(readStorageName('_abc.mp4')).toEqual([]);
    expect(readStorageName('..%2f_x.mp4')).toEqual([]);
    expect(readStorageName(`v_${'x'.repeat(200)}.mp4`)).toEqual([]);
  });
});
