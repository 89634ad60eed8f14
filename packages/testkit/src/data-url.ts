/**
 * A valid base64 `data:` URL of an image, at most `chars` characters long (whole base64
 * quads), whose content differs by `n` so that no two are one string: the large inputs
 * that the chaos and benchmark runs store by the hundred.
 */
export function largeDataUrl(n: number, chars: number): string {
  const prefix = 'data:image/png;base64,';
  const tag = Buffer.from(String(n).padStart(12, '0')).toString('base64');
  const fill = 'QUJD'.repeat(Math.ceil((chars - prefix.length - tag.length) / 4));
  return `${prefix}${tag}${fill}`.slice(0, chars - ((chars - prefix.length) % 4));
}
