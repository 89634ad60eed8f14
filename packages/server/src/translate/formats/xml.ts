/** A start, end or empty-element tag found in XML source. */
export interface XmlTag {
  /** The qualified name, e.g. "w:t". */
  name: string;
  kind: 'start' | 'end' | 'empty';
  start: number;
  end: number;
}

// attribute values may hold ">", so they are matched whole
const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const SKIPPED = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<![^>]*>/y;

/** Every tag of an XML document in order; comments, CDATA, processing instructions and doctype skipped. */
export function* xmlTags(source: string): Generator<XmlTag> {
  let at = 0;
  while (true) {
    const open = source.indexOf('<', at);
    if (open < 0) return;
    SKIPPED.lastIndex = open;
    if (SKIPPED.exec(source)) {
      at = SKIPPED.lastIndex;
      continue;
    }
    TAG.lastIndex = open;
    const m = TAG.exec(source);
    if (!m || m.index !== open) {
      at = open + 1;
      continue;
    }
    at = TAG.lastIndex;
    yield {
      name: m[2]!,
      kind: m[1] ? 'end' : m[4] ? 'empty' : 'start',
      start: open,
      end: at,
    };
  }
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Character data with its references resolved. */
export function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (ref, name: string) => {
    if (name[0] !== '#') return NAMED[name]!;
    const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ref;
  });
}

/** Text as XML character data; characters XML 1.0 cannot hold are dropped. */
export function encodeXml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML cannot hold
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
  );
}
