import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import mammoth from 'mammoth';
import { describe, expect, it } from 'vitest';
import { TranslationError } from '../../src/translate/errors.js';
import { FORMATS } from '../../src/translate/formats/detect.js';
import { docxFixture, IMAGE_BYTES } from './fixtures.js';

const fixture = docxFixture();
const parsed = FORMATS.docx.parse(fixture.bytes);
const upper = parsed.render(parsed.segments.map((t) => t.toUpperCase()));
const files = (bytes: Uint8Array) => unzipSync(bytes);
// the XML without the text of w:t elements (and the xml:space a changed one may gain): the structure
const skeleton = (xml: string) =>
  xml
    .replace(/<w:t(?: xml:space="preserve")?>[^<]*<\/w:t>/g, '<w:t/>')
    .replace(/<w:t(?: xml:space="preserve")?\/>/g, '<w:t/>');

describe('DOCX', () => {
  it('gives each paragraph (between tabs and fields) as one text, runs cut by Word joined', () => {
    expect(parsed.segments).toEqual(fixture.texts);
  });

  it('writes a document a DOCX reader opens, translated, with bold and headings kept', async () => {
    const { value: text } = await mammoth.extractRawText({ buffer: Buffer.from(upper) });
    // mammoth's raw text is the body alone: the footnote is in its HTML, headers and footers in the XML below
    const inBody = fixture.texts.filter(
      (t) => !['Company confidential', 'Page', 'The footnote explains it.'].includes(t),
    );
    for (const t of inBody) expect(text).toContain(t.toUpperCase());
    expect(text).not.toContain('quick brown');
    const { value: html, messages } = await mammoth.convertToHtml({ buffer: Buffer.from(upper) });
    expect(messages.filter((m) => m.type === 'error')).toEqual([]);
    expect(html).toContain('<h1><strong>ANNUAL REPORT</strong></h1>');
    expect(html).toMatch(/<p>THIS IS <strong>IMPORTANT ?<\/strong> ?FOR EVERYONE\.<\/p>/);
    expect(html).toContain('<a href="https://example.com/">VISIT OUR SITE</a>');
    expect(html).toContain('THE FOOTNOTE EXPLAINS IT.');
    expect(html).toContain('<td><p>CELL ONE</p></td><td><p>2024</p></td>');
  });

  it('changes only the text of w:t elements; every other file is the same bytes', () => {
    const before = files(fixture.bytes);
    const after = files(upper);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const [name, data] of Object.entries(before)) {
      if (/^word\/(document|header1|footer1|footnotes)\.xml$/.test(name)) {
        expect(skeleton(strFromU8(after[name]!))).toBe(skeleton(strFromU8(data)));
        expect(strFromU8(after[name]!)).not.toBe(strFromU8(data));
      } else {
        expect(after[name]).toEqual(data);
      }
    }
    expect(after['word/media/image1.png']).toEqual(IMAGE_BYTES);
    expect(strFromU8(after['word/header1.xml']!)).toContain('COMPANY CONFIDENTIAL');
    expect(strFromU8(after['word/footer1.xml']!)).toContain(
      '<w:instrText xml:space="preserve"> PAGE </w:instrText>',
    );
  });

  it('puts a paragraph cut into runs by revision marks back into the first run', () => {
    const xml = strFromU8(files(upper)['word/document.xml']!);
    expect(xml).toContain(
      '<w:r w:rsidR="00A1"><w:t xml:space="preserve">THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG.</w:t></w:r><w:r w:rsidR="00B2"><w:t xml:space="preserve"></w:t></w:r>',
    );
  });

  it('spreads a translation over differently styled runs in proportion, at word boundaries', () => {
    const out = FORMATS.docx.parse(fixture.bytes);
    const translations = out.segments.map((t) =>
      t === 'This is important for everyone.' ? 'Esto es muy importante para todos.' : t,
    );
    const xml = strFromU8(files(out.render(translations))['word/document.xml']!);
    const texts = [
      ...xml.matchAll(/<w:r w:rsidR="00A1">(?:<w:rPr><w:b\/><\/w:rPr>)?<w:t[^>]*>([^<]*)<\/w:t>/g),
    ].map((m) => m[1]);
    const at = texts.indexOf('Esto es ');
    expect(texts.slice(at, at + 3)).toEqual(['Esto es ', 'muy importante ', 'para todos.']);
  });

  it('keeps the white space around a paragraph where it was, and escapes what XML needs', () => {
    const xml = strFromU8(files(upper)['word/document.xml']!);
    expect(xml).toContain('RESEARCH &amp; DEVELOPMENT');
    expect(xml).toContain('<w:t xml:space="preserve"> AFTER THE BOX</w:t>');
    expect(strFromU8(files(upper)['word/footer1.xml']!)).toContain('<w:t xml:space="preserve">PAGE </w:t>');
  });

  it('refuses a zip without word/document.xml, and bytes that are no zip', () => {
    const noDocument = zipSync({ 'word/other.xml': strToU8('<x/>') });
    expect(() => FORMATS.docx.parse(noDocument)).toThrow(/no word\/document.xml/);
    expect(() => FORMATS.docx.parse(fixture.bytes.subarray(0, 100))).toThrow(TranslationError);
  });
});
