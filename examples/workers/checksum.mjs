// A job type served by a remote worker: `longrun worker examples/workers/checksum.mjs`.
// It hashes a text with each algorithm asked for, one step at a time, reports its progress,
// writes the digests to checksums.txt (an artifact of the job) and returns them. See
// docs/workers.md, "The TypeScript SDK".
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineType } from '@longrun/worker';

export default defineType({
  type: 'example.checksum',
  description:
    'Hashes a text with SHA-256 (and others if asked): the digests in output and in checksums.txt.',
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['text'],
    properties: {
      text: { type: 'string', description: 'The text to hash, as UTF-8.' },
      algorithms: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { enum: ['sha256', 'sha512', 'sha1', 'md5'] },
        default: ['sha256'],
      },
      pause_ms: {
        type: 'integer',
        minimum: 0,
        maximum: 10000,
        default: 0,
        description:
          'A pause after each algorithm, so that a demonstration can watch the progress or cancel.',
      },
    },
  },
  async run(ctx) {
    const { text, algorithms, pause_ms: pauseMs } = ctx.input;
    const digests = {};
    for (const [i, algorithm] of algorithms.entries()) {
      ctx.progress((i / algorithms.length) * 100, { stage: 'hashing', message: algorithm });
      digests[algorithm] = createHash(algorithm).update(text, 'utf8').digest('hex');
      ctx.log(`${algorithm} ${digests[algorithm]}`);
      // Cancel fires the signal: the pause ends at once and the job stops here.
      if (pauseMs > 0) await sleep(pauseMs, undefined, { signal: ctx.signal });
    }
    const file = join(await ctx.tempDir(), 'checksums.txt');
    await writeFile(
      file,
      Object.entries(digests)
        .map(([a, d]) => `${a}  ${d}\n`)
        .join(''),
    );
    const artifact = await ctx.artifacts.put('checksums.txt', file, 'text/plain');
    return { digests, bytes: Buffer.byteLength(text), artifacts: [artifact] };
  },
});
