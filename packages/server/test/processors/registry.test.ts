import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/processors/index.js';

const registry = defaultRegistry();
const check = (text: string) => registry.checkInput('text.to_video', { text }, { simulateErrorRate: 0 });

describe('input checks at submit', () => {
  it('refuses text.to_video text with NUL or another C0 control character, naming the field', () => {
    for (const c of ['\u0000', '\u0001', '\u0007', '\u0008', '\u000B', '\u000C', '\u001B', '\u001F']) {
      const result = check(`Hello${c} world.`);
      expect(result.ok, JSON.stringify(c)).toBe(false);
      if (!result.ok) expect(result.message).toMatch(/^input\.text must not contain NUL or other control/);
    }
  });

  it('takes tab, line feed and carriage return, and text beyond ASCII', () => {
    for (const text of ['One.\tTwo.', 'One.\nTwo.', 'One.\r\nTwo.', 'Ça va ? 日本語 😀']) {
      expect(check(text).ok, JSON.stringify(text)).toBe(true);
    }
  });
});
