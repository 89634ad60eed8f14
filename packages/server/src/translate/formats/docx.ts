import { TranslationError } from '../errors.js';
import { checkCount, type DocumentFormat, type ParsedDocument } from './format.js';
import { applyEdits, type Edit, SegmentList, splitPadding } from './segments.js';
import { decodeXml, encodeXml, xmlTags } from './xml.js';
import { readZip, writeZip, type ZipEntry } from './zip.js';

/** The parts whose text is translated: the body, headers, footers, footnotes and endnotes. */
const TEXT_PARTS = /^word\/(?:document\d*|header\d*|footer\d*|footnotes|endnotes)\.xml$/;

const WORD_NAMESPACES = [
  'http://schemas.openxmlformats.org/wordprocessingml/2006/main',
  'http://purl.oclc.org/ooxml/wordprocessingml/main',
];

/** One w:t element: where its start tag and text are, and the formatting of its run. */
interface TextElement {
  tagStart: number;
  /** The start tag as written. */
  startTag: string;
  contentEnd: number;
  text: string;
  /** The run's properties (w:rPr) as written: runs with the same ones look the same. */
  style: string;
}

/** Text that reads as one piece: the w:t elements of a paragraph between tabs, breaks and fields. */
type Chunk = TextElement[];

/**
 * DOCX: a zip of XML parts. Each paragraph's text is translated as one
 * piece (split at tabs, line breaks and fields), even when Word cut it into
 * many runs, and the translation is put back into the same runs: all of it
 * in the first run when the runs look alike, else spread over each stretch
 * of like-looking runs in proportion to the stretch's share of the
 * original, at word boundaries. Only w:t elements change; every other byte
 * of every part is kept, and every other file of the archive is copied.
 */
export function parseDocx(bytes: Uint8Array): ParsedDocument {
  const entries = readZip(bytes);
  if (!entries.some((e) => e.name === 'word/document.xml')) {
    throw new TranslationError(
      'unsupported_document',
      'The zip archive has no word/document.xml: not a DOCX.',
    );
  }
  const segments = new SegmentList();
  const parts = entries
    .filter((e) => TEXT_PARTS.test(e.name))
    .map((entry) => {
      const source = decodePart(entry);
      return { entry, source, chunks: chunksOf(source, entry.name) };
    });
  // the white space around a chunk's words stays where it is; only the words are sent
  const slots = new Map<Chunk, { slot: number; lead: string; trail: string }>();
  for (const part of parts) {
    for (const chunk of part.chunks) {
      const { lead, core, trail } = splitPadding(chunk.map((t) => t.text).join(''));
      slots.set(chunk, { slot: segments.add(core), lead, trail });
    }
  }
  return {
    segments: segments.texts,
    render(translations) {
      checkCount(segments.texts, translations);
      const rewritten = new Map<string, Uint8Array>();
      for (const { entry, source, chunks } of parts) {
        const edits: Edit[] = [];
        for (const chunk of chunks) {
          const { slot, lead, trail } = slots.get(chunk)!;
          if (slot < 0) continue;
          const texts = distribute(chunk, lead + translations[slot]! + trail);
          chunk.forEach((element, i) => {
            edits.push(textEdit(element, texts[i]!));
          });
        }
        if (edits.length > 0) rewritten.set(entry.name, new TextEncoder().encode(applyEdits(source, edits)));
      }
      return writeZip(entries.map((e): ZipEntry => ({ ...e, data: rewritten.get(e.name) ?? e.data })));
    },
  };
}

function decodePart(entry: ZipEntry): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(entry.data);
  } catch (err) {
    throw new TranslationError('unsupported_document', `${entry.name} is not UTF-8 XML.`, { cause: err });
  }
}

/** The prefix bound to the WordprocessingML namespace ('' when it is the default namespace). */
function wordPrefix(source: string, part: string): string {
  for (const m of source.matchAll(/\sxmlns(?::([\w.-]+))?\s*=\s*["']([^"']*)["']/g)) {
    if (WORD_NAMESPACES.includes(m[2]!)) return m[1] ?? '';
  }
  throw new TranslationError('unsupported_document', `${part} does not use the WordprocessingML namespace.`);
}

/** Elements that end a piece of text within a paragraph. */
const BREAKS = new Set(['tab', 'br', 'cr', 'ptab', 'sym', 'fldChar', 'fldSimple', 'instrText']);

function chunksOf(source: string, part: string): Chunk[] {
  const prefix = wordPrefix(source, part);
  const local = (name: string): string | null => {
    if (prefix === '') return name.includes(':') ? null : name;
    return name.startsWith(`${prefix}:`) ? name.slice(prefix.length + 1) : null;
  };
  const chunks: Chunk[] = [];
  // open paragraphs, innermost last (a text box puts paragraphs inside a paragraph's run)
  const paragraphs: Chunk[] = [];
  const runs: Array<{ style: string }> = [];
  let styleFrom = -1;
  let styleDepth = 0;
  let propertiesDepth = 0;
  let openText: { tagStart: number; startTag: string } | null = null;
  const closeChunk = () => {
    const current = paragraphs.at(-1);
    if (current && current.length > 0) chunks.push(current.splice(0));
  };
  for (const tag of xmlTags(source)) {
    const name = local(tag.name);
    if (name === null) continue;
    if (name === 't' && openText) {
      if (tag.kind !== 'end') continue;
      const content = source.slice(openText.tagStart + openText.startTag.length, tag.start);
      const run = runs.at(-1);
      const paragraph = paragraphs.at(-1);
      // text outside a run or paragraph, or with markup inside, is left alone
      if (run && paragraph && !content.includes('<')) {
        paragraph.push({ ...openText, contentEnd: tag.start, text: decodeXml(content), style: run.style });
      } else {
        closeChunk();
      }
      openText = null;
      continue;
    }
    switch (name) {
      case 'p':
        if (tag.kind === 'start') {
          closeChunk();
          paragraphs.push([]);
        } else if (tag.kind === 'end') {
          closeChunk();
          paragraphs.pop();
        }
        break;
      case 'r':
        if (tag.kind === 'start') runs.push({ style: '' });
        else if (tag.kind === 'end') runs.pop();
        break;
      case 'pPr':
        if (tag.kind === 'start') propertiesDepth++;
        else if (tag.kind === 'end') propertiesDepth--;
        break;
      case 'rPr':
        // the run's own properties (a tracked change nests older ones inside), not the paragraph mark's in w:pPr
        if (runs.length === 0 || propertiesDepth > 0) break;
        if (tag.kind === 'empty' && styleDepth === 0) runs.at(-1)!.style = '';
        if (tag.kind === 'start' && styleDepth++ === 0) styleFrom = tag.start;
        if (tag.kind === 'end' && --styleDepth === 0) runs.at(-1)!.style = source.slice(styleFrom, tag.end);
        break;
      case 't':
        if (tag.kind === 'start')
          openText = { tagStart: tag.start, startTag: source.slice(tag.start, tag.end) };
        break;
      default:
        if (BREAKS.has(name)) closeChunk();
    }
  }
  return chunks;
}

/**
 * The translation cut into one text per element of the chunk: elements in
 * a stretch of like-looking runs give all their text to the stretch's first
 * element; stretches get shares in proportion to their original length, cut
 * at spaces (or anywhere in text written without spaces).
 */
function distribute(chunk: Chunk, translation: string): string[] {
  const stretches: number[][] = [];
  chunk.forEach((element, i) => {
    const last = stretches.at(-1);
    if (last && chunk[last[0]!]!.style === element.style) last.push(i);
    else stretches.push([i]);
  });
  const out: string[] = chunk.map(() => '');
  if (stretches.length === 1) {
    out[0] = translation;
    return out;
  }
  const lengths = stretches.map((s) => s.reduce((sum, i) => sum + chunk[i]!.text.length, 0));
  const total = lengths.reduce((a, b) => a + b, 0);
  const cuts = cutPoints(translation);
  let from = 0;
  let before = 0;
  stretches.forEach((stretch, k) => {
    before += lengths[k]!;
    let to = translation.length;
    if (k < stretches.length - 1) {
      const target = (translation.length * before) / total;
      to = cuts.reduce(
        (best, cut) => (cut >= from && Math.abs(cut - target) < Math.abs(best - target) ? cut : best),
        from,
      );
    }
    out[stretch[0]!] = translation.slice(from, to);
    from = to;
  });
  return out;
}

/** Where text may be cut between runs: after each space, or between any two characters when there is none. */
function cutPoints(text: string): number[] {
  const cuts: number[] = [];
  const hasSpaces = /\s/.test(text);
  for (let i = 1; i < text.length; i++) {
    if (hasSpaces ? /\s/.test(text[i - 1]!) && !/\s/.test(text[i]!) : true) cuts.push(i);
  }
  return cuts;
}

function textEdit(element: TextElement, text: string): Edit {
  let tag = element.startTag;
  // XML drops white space at the edges of a w:t unless told to keep it
  if (/^\s|\s$/.test(text) && !/\sxml:space\s*=/.test(tag)) tag = `${tag.slice(0, -1)} xml:space="preserve">`;
  return { start: element.tagStart, end: element.contentEnd, text: tag + encodeXml(text) };
}

export const docx: DocumentFormat = {
  name: 'docx',
  extensions: ['docx'],
  contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  parse: parseDocx,
};
