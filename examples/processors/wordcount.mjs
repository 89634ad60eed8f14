// A job type of your own, loaded by `longrun serve --processors examples/processors/wordcount.mjs`.
// It counts the words of a text, reports its progress as it goes, writes every word's count to
// counts.csv (an artifact of the job) and returns the commonest words. See docs/processors.md.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineProcessor, UnrecoverableError } from '@longrun/server';

/** Letters and digits, with inner apostrophes (don't, l'eau): a word in any script. */
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
/** Progress moves in about this many steps, whatever the text's length. */
const STEPS = 20;

export default defineProcessor({
  type: 'text.wordcount',
  description:
    'Counts the words of a text: the totals and the commonest words in output, every word with its count in counts.csv.',
  // Counting waits on nothing but the CPU: as many at once as the machine has cores.
  queue: 'text',
  work: 'cpu',
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['text'],
    properties: {
      // No maxLength: --max-input-size bounds the whole input at submit.
      text: { type: 'string', minLength: 1, description: 'The text whose words are counted.' },
      top: {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        default: 10,
        description: 'How many of the commonest words output.top lists.',
      },
      min_length: {
        type: 'integer',
        minimum: 1,
        maximum: 100,
        default: 1,
        description: 'Words with fewer letters than this are not counted.',
      },
      pause_ms: {
        type: 'integer',
        minimum: 0,
        maximum: 10000,
        default: 0,
        description: 'A pause after each step, so that a demonstration can watch the progress or cancel.',
      },
    },
  },
  async run(ctx) {
    const { text, top, min_length: minLength, pause_ms: pauseMs } = ctx.input;
    const lines = text.split(/\r?\n/);
    const perStep = Math.ceil(lines.length / STEPS);
    const counts = new Map();
    let words = 0;
    ctx.progress(0, { stage: 'counting', message: `Counting the words of ${lines.length} lines` });
    for (let start = 0; start < lines.length; start += perStep) {
      // Cancel, timeout and shutdown fire the signal: stop between steps.
      ctx.signal.throwIfAborted();
      for (const line of lines.slice(start, start + perStep)) {
        for (const [word] of line.toLowerCase().matchAll(WORD)) {
          if ([...word].length < minLength) continue;
          words += 1;
          counts.set(word, (counts.get(word) ?? 0) + 1);
        }
      }
      const done = Math.min(lines.length, start + perStep);
      ctx.progress(Math.floor((done / lines.length) * 90), { message: `${done} of ${lines.length} lines` });
      // The signal ends the pause at once on cancel.
      if (pauseMs > 0) await sleep(pauseMs, undefined, { signal: ctx.signal });
    }
    if (words === 0) {
      // The same text fails the same way on every attempt: fail now rather than retry.
      throw new UnrecoverableError(
        'processor_error',
        `The text has no words of ${minLength} or more letters.`,
      );
    }
    ctx.log(`counted ${words} words, ${counts.size} different`);

    ctx.progress(90, { stage: 'writing', message: 'Writing counts.csv' });
    const ranked = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
    // Written in the attempt's scratch folder, then moved into the job's artifacts.
    const path = join(await ctx.tempDir(), 'counts.csv');
    await writeFile(path, `word,count\n${ranked.map(([word, n]) => `${word},${n}\n`).join('')}`);
    const csv = await ctx.artifacts.put('counts.csv', path, 'text/csv');
    ctx.progress(100, { stage: 'done', message: `${words} words` });

    return {
      words,
      unique_words: counts.size,
      lines: lines.length,
      top: ranked.slice(0, top).map(([word, count]) => ({ word, count })),
      artifacts: [csv],
    };
  },
});
