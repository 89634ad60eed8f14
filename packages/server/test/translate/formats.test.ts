import { describe, expect, it } from 'vitest';
import { TranslationError } from '../../src/translate/errors.js';
import { detectFormat, FORMATS } from '../../src/translate/formats/detect.js';
import { escapeMarkdown } from '../../src/translate/formats/markdown.js';
import { wrapLike } from '../../src/translate/formats/segments.js';
import {
  docxFixture,
  type Fixture,
  htmlFixture,
  markdownFixture,
  plainTextFixture,
  subRipFixture,
  webVttFixture,
} from './fixtures.js';

const decode = (bytes: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
const encode = (text: string) => new TextEncoder().encode(text);
const upper = (texts: readonly string[]) => texts.map((t) => t.toUpperCase());

const textFixtures: Array<[string, Fixture]> = [
  ['text', plainTextFixture],
  ['markdown', markdownFixture],
  ['subrip', subRipFixture],
  ['webvtt', webVttFixture],
  ['html', htmlFixture],
];

describe('every text format', () => {
  it.each(textFixtures)(
    '%s: lists each piece of prose once, in order, and keeps the rest byte for byte',
    (name, fixture) => {
      const format = detectFormat(fixture);
      expect(format.name).toBe(name);
      const parsed = format.parse(fixture.bytes);
      expect(parsed.segments).toEqual(fixture.texts);
      const out = decode(parsed.render(upper(parsed.segments)));
      for (const kept of fixture.kept) expect(out).toContain(kept);
      // what is written back reads again as the same format, with the translations as its text
      expect(FORMATS[format.name].parse(encode(out)).segments).toEqual(upper(fixture.texts));
    },
  );

  it.each([
    ['subrip', subRipFixture],
    ['webvtt', webVttFixture],
    ['html', htmlFixture],
  ] as const)('%s: written back with its own text, the document is the same bytes', (_, fixture) => {
    const parsed = detectFormat(fixture).parse(fixture.bytes);
    expect(parsed.render(parsed.segments)).toEqual(fixture.bytes);
  });

  it('refuses a count of translations that does not match', () => {
    const parsed = FORMATS.text.parse(plainTextFixture.bytes);
    expect(() => parsed.render(['one'])).toThrow(RangeError);
  });
});

describe('plain text', () => {
  it('rewraps a hard-wrapped paragraph on as many lines and keeps list markers and indentation', () => {
    const parsed = FORMATS.text.parse(plainTextFixture.bytes);
    const out = decode(
      parsed.render([
        'Notas',
        'El equipo acordó el plan. El trabajo empieza el lunes.',
        'Comprar',
        'Reservar la sala dos días',
      ]),
    );
    expect(out).toBe(
      'Notas\n\nEl equipo acordó el plan. El\ntrabajo empieza el lunes.\n\n- Comprar\n- Reservar la\n  sala dos días\n\n2024\n',
    );
  });

  it('keeps a byte order mark and CRLF line ends, and reads Windows-1252', () => {
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...encode('Hello there\r\n\r\nGood day\r\n')]);
    const parsed = FORMATS.text.parse(bom);
    expect(decode(parsed.render(['Hola', 'Buen día']))).toBe('\ufeffHola\r\n\r\nBuen día\r\n');
    const latin1 = Uint8Array.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]); // "Café ok"
    expect(FORMATS.text.parse(latin1).segments).toEqual(['Café ok']);
  });

  it('refuses binary bytes', () => {
    expect(() => FORMATS.text.parse(Uint8Array.from([0x41, 0, 0x42]))).toThrow(TranslationError);
  });
});

describe('Markdown', () => {
  it('escapes what would turn translated text into markup', () => {
    expect(escapeMarkdown('a *b* [c] `d` <e> ~f~ | g & h &amp; i', false)).toBe(
      'a \\*b\\* \\[c\\] \\`d\\` \\<e> \\~f\\~ \\| g & h &amp;amp; i',
    );
    expect(escapeMarkdown('# not a heading', true)).toBe('\\# not a heading');
    expect(escapeMarkdown('1. not a list', true)).toBe('1\\. not a list');
    expect(escapeMarkdown('- not an item', false)).toBe('- not an item');
  });

  it('puts translations behind the quote markers of every line they wrap onto', () => {
    const out = decode(
      FORMATS.markdown
        .parse(encode('> one two three\n> four five six\n'))
        .render(['uno dos tres cuatro cinco seis']),
    );
    expect(out).toBe('> uno dos tres\n> cuatro cinco seis\n');
  });

  it('translates image alt text written with escapes and brackets', () => {
    const parsed = FORMATS.markdown.parse(encode('![a \\*starred\\* [nested] word](x.png "T")\n'));
    expect(parsed.segments).toEqual(['a *starred* [nested] word']);
    expect(decode(parsed.render(['un *mot*']))).toBe('![un \\*mot\\*](x.png "T")\n');
  });

  it('leaves the label of a shortcut reference alone (it names the link definition)', () => {
    const parsed = FORMATS.markdown.parse(
      encode('See [the guide] and [docs][ref].\n\n[the guide]: /g\n[ref]: /d\n'),
    );
    // "." has no letter: it is not sent
    expect(parsed.segments).toEqual(['See', 'and', 'docs']);
  });
});

describe('subtitles', () => {
  const lines = (bytes: Uint8Array) => decode(bytes).split(/\r?\n/);
  const timings = (bytes: Uint8Array) => lines(bytes).filter((l) => l.includes('-->'));

  it('SubRip: keeps numbers, timings, coordinates, tags and line breaks; a two-line cue stays two lines', () => {
    const parsed = FORMATS.subrip.parse(subRipFixture.bytes);
    const out = parsed.render(upper(parsed.segments));
    expect(timings(out)).toEqual(timings(subRipFixture.bytes));
    expect(decode(out)).toContain(
      '1\r\n00:00:01,000 --> 00:00:04,200\r\nWELCOME TO THE SHOW,\r\nMY FRIENDS.\r\n\r\n',
    );
    expect(decode(out)).toContain('<i>TONIGHT WE TALK ABOUT RIVERS.</i>\r\n');
    expect(decode(out)).toContain('- ARE YOU READY?\r\n- ALWAYS.\r\n');
    expect(decode(out)).toContain('{\\an8}I <b>REALLY</b> MEAN IT.');
    expect(lines(out).length).toBe(lines(subRipFixture.bytes).length);
  });

  it('never writes an empty line inside a cue, and keeps the tags of lines it no longer needs', () => {
    const srt = encode('1\n00:00:01,000 --> 00:00:02,000\n<i>one\ntwo</i>\n');
    const out = decode(FORMATS.subrip.parse(srt).render(['uno\n\n']));
    expect(out).toBe('1\n00:00:01,000 --> 00:00:02,000\n<i>uno</i>\n');
  });

  it('WebVTT: keeps the header, NOTE and STYLE blocks, identifiers, settings and voice tags; escapes markup', () => {
    const parsed = FORMATS.webvtt.parse(webVttFixture.bytes);
    const out = decode(
      parsed.render(['Bonjour & bienvenue au cours.', 'Asseyez-vous <svp>.', 'Trois', 'mots ici']),
    );
    expect(timings(encode(out))).toEqual(timings(webVttFixture.bytes));
    expect(out).toContain('<v Professor>Bonjour &amp; bienvenue\nau cours.\n');
    expect(out).toContain('<c.loud>Asseyez-vous &lt;svp&gt;.</c>');
    expect(out).toContain('<00:00:05.000>Trois <00:00:05.500>mots ici');
    expect(out.startsWith('WEBVTT - Lecture one\nKind: captions\n\nNOTE')).toBe(true);
  });

  it('WebVTT: a file without the WEBVTT line is refused', () => {
    expect(() => FORMATS.webvtt.parse(encode('00:00.000 --> 00:01.000\nHi\n'))).toThrow(/WEBVTT/);
  });
});

describe('HTML', () => {
  // tag names and attributes in order; the values of the attributes people read are masked
  const tags = (html: string) =>
    [...html.matchAll(/<\/?[a-zA-Z][^>]*>/g)].map((m) =>
      m[0].replace(/\b(alt|title|placeholder|aria-label)=("[^"]*"|'[^']*'|[^\s>]+)/g, '$1=…'),
    );

  it('keeps every tag and attribute; translates text nodes and alt, title, placeholder', () => {
    const source = decode(htmlFixture.bytes);
    const parsed = FORMATS.html.parse(htmlFixture.bytes);
    const out = decode(parsed.render(upper(parsed.segments)));
    expect(tags(out)).toEqual(tags(source));
    expect(out).toContain('alt="SNOW ON THE PEAK"');
    expect(out).toContain("title='BOOK A TRIP'");
    expect(out).toContain('<title>TRAVEL GUIDE</title>');
    expect(out).toContain('BUT THE VIEW IS WORTH IT &amp; MORE.');
    expect(out).toContain('<td>12 KM</td>');
  });

  it('quotes an unquoted attribute when its translation has spaces, and escapes quotes', () => {
    const parsed = FORMATS.html.parse(encode('<img alt=Cat title="Big cat">'));
    expect(decode(parsed.render(['Le chat', 'Le "gros" chat']))).toBe(
      '<img alt="Le chat" title="Le &quot;gros&quot; chat">',
    );
  });

  it('a descendant marked translate="yes" is translated inside a translate="no" element', () => {
    const parsed = FORMATS.html.parse(
      encode('<div translate="no">Brand <span translate="yes">tagline here</span></div>'),
    );
    expect(parsed.segments).toEqual(['tagline here']);
  });
});

describe('format detection', () => {
  const detect = (bytes: Uint8Array, filename?: string, contentType?: string) =>
    detectFormat({ bytes, filename, contentType }).name;

  it('goes by extension, then media type, then content', () => {
    expect(detect(encode('# Title'), 'a.md')).toBe('markdown');
    expect(detect(encode('plain'), 'upload', 'text/markdown; charset=utf-8')).toBe('markdown');
    expect(detect(encode('WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n'))).toBe('webvtt');
    expect(detect(encode('1\n00:00:01,000 --> 00:00:02,000\nHi\n'), 'upload.bin')).toBe('subrip');
    expect(detect(encode('<!doctype html><p>Hi</p>'), undefined, 'text/plain')).toBe('html');
    expect(detect(encode('Just words'))).toBe('text');
    expect(detect(docxFixture().bytes, 'file')).toBe('docx');
  });

  it('refuses binary files and zips that are not DOCX', () => {
    expect(() => detect(encode('%PDF-1.7\n...'), 'paper.pdf')).toThrow(TranslationError);
    expect(() => detect(docxFixture().bytes, 'sheet.xlsx')).toThrow(/only DOCX/);
    expect(() => detect(encode('not a zip'), 'broken.docx')).toThrow(/not a zip/);
  });
});

describe('wrapLike', () => {
  it('spreads words over at most the lines given, in their proportions, never an empty line', () => {
    expect(wrapLike('one two three four', [10, 10])).toEqual(['one two', 'three four']);
    expect(wrapLike('one two three four', [30, 5])).toEqual(['one two three', 'four']);
    expect(wrapLike('one', [5, 5, 5])).toEqual(['one']);
    expect(wrapLike('one two', [5, 5, 5])).toEqual(['one', 'two']);
    expect(wrapLike('a\n\nb', [3])).toEqual(['a b']);
    expect(wrapLike('这是一个句子', [3, 3])).toEqual(['这是一个句子']);
  });
});
