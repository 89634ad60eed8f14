import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../src/errors.js';
import { checkDataUrls, storedInputJson, takeInputJson } from '../../src/jobs/input-limits.js';

const limits = { maxDataUrlSize: 1024, maxInputSize: 1000 };
const overhead = JSON.stringify({ t: '' }).length;

describe('the stored size of an input', () => {
  it('measures bytes, not characters: ASCII up to the limit is kept, more bytes of other text are not', () => {
    const ascii = { t: 'a'.repeat(1000 - overhead) };
    expect(storedInputJson(ascii, limits)).toBe(JSON.stringify(ascii));
    expect(() => storedInputJson({ t: 'a'.repeat(1001 - overhead) }, limits)).toThrow(ApiError);
    // 600 characters, 1,200 bytes: under the limit in characters, over it in bytes.
    const accented = { t: 'é'.repeat(600) };
    let refused: unknown;
    try {
      storedInputJson(accented, limits);
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'input_too_large', details: { size: 600 * 2 + overhead } });
    // A control character is escaped to six ASCII characters, and counted as such.
    expect(storedInputJson({ t: '\u0001'.repeat(100) }, limits)).toHaveLength(600 + overhead);
  });

  it("keeps a long input's JSON for one reply, so that a megabyte input is serialised once", () => {
    const unlimited = { maxDataUrlSize: Number.POSITIVE_INFINITY, maxInputSize: Number.POSITIVE_INFINITY };
    const long = { image_url: `data:image/png;base64,${'A'.repeat(100_000)}` };
    const text = storedInputJson(long, unlimited);
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      expect(takeInputJson(long)).toBe(text);
      expect(stringify).not.toHaveBeenCalled();
      // Taken once: a later reply serialises it (and keeps what it made of it).
      expect(takeInputJson(long)).toBe(text);
      expect(stringify).toHaveBeenCalledTimes(1);
      // A short input's JSON is not kept.
      const short = { n: 1 };
      storedInputJson(short, unlimited);
      stringify.mockClear();
      takeInputJson(short);
      expect(stringify).toHaveBeenCalledTimes(1);
    } finally {
      stringify.mockRestore();
    }
  });
});

describe('data: URLs in an input', () => {
  const dataUrl = (chars: number) => `data:image/png;base64,${'A'.repeat(chars - 22)}`;
  const refusal = (input: unknown) => {
    try {
      checkDataUrls(input, limits);
      return null;
    } catch (err) {
      return err;
    }
  };

  it('names the field of the first one over the limit, however deep, and passes the rest', () => {
    const input = {
      title: dataUrl(5000).replace('data:', 'text:'),
      frames: [{ url: dataUrl(1024) }, { url: 'https://x.example/a.png', alt: [1, null, dataUrl(1025)] }],
      later: dataUrl(2000),
    };
    expect(refusal(input)).toMatchObject({
      code: 'input_too_large',
      details: { field: 'input.frames[1].alt[2]', size: 1025, limit: 1024 },
    });
    expect(refusal({ image_url: dataUrl(1024), n: 3, nested: { list: [] } })).toBeNull();
    expect(refusal(`DATA:${'x'.repeat(2000)}`)).toMatchObject({ details: { field: 'input' } });
  });
});
