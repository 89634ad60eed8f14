import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Processor } from '../../src/processors/processor.js';

/** A job type, `test.report`, that leaves one artifact: report.txt holding `content`. */
export function reportProcessor(content: string | Uint8Array): Processor {
  return {
    type: 'test.report',
    description: 'Writes report.txt.',
    inputSchema: { type: 'object' },
    async run(ctx) {
      const path = join(await ctx.tempDir(), 'report.txt');
      await writeFile(path, content);
      return { artifacts: [await ctx.artifacts.put('report.txt', path, 'text/plain')] };
    },
  };
}
