import type { BatchLimits, TranslateOptions, TranslationBackend } from './backend.js';

const PLAIN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ACCENTED = [...'áƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ'];
const ACCENT = new Map([...PLAIN].map((c, i) => [c, ACCENTED[i]!]));

// left as they are, so that links and addresses still work
const KEPT = /(https?:\/\/\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+)/;

/**
 * Pseudo-localisation, not translation: each text comes back with its
 * letters accented, about 30% longer and in brackets, "Hello world" as
 * "[Ĥéļļö ŵöŕļð ~~~]". It needs nothing installed and shows what a
 * translation would do to a document: every translated piece is visible,
 * longer text and other scripts meet the layout, and anything left in
 * plain ASCII was not sent.
 */
export class PseudoBackend implements TranslationBackend {
  readonly name = 'pseudo';
  readonly detectsLanguage = true;
  readonly batch: BatchLimits = { maxTexts: 200, maxChars: 50_000 };

  async translate(texts: readonly string[], { signal }: TranslateOptions): Promise<string[]> {
    signal?.throwIfAborted();
    return texts.map(pseudoLocalize);
  }
}

export function pseudoLocalize(text: string): string {
  const accented = text
    .split(KEPT)
    .map((part, i) => (i % 2 === 1 ? part : [...part].map((c) => ACCENT.get(c) ?? c).join('')))
    .join('');
  const padding = '~'.repeat(Math.max(1, Math.round([...text].length * 0.3)));
  return `[${accented} ${padding}]`;
}
