import type { BatchLimits } from './backends/backend.js';

/** Texts cut into consecutive batches within the limits; a text longer than `maxChars` goes alone. */
export function toBatches(texts: readonly string[], { maxTexts, maxChars }: BatchLimits): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const text of texts) {
    if (current.length > 0 && (current.length >= maxTexts || chars + text.length > maxChars)) {
      batches.push(current);
      current = [];
      chars = 0;
    }
    current.push(text);
    chars += text.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
