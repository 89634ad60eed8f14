import { parse, type DefaultTreeAdapterTypes as T } from 'parse5';
import type { ParsedText } from './format.js';
import { applyEdits, type Edit, SegmentList, splitPadding } from './segments.js';
import { textFormat } from './text-codec.js';

/** Elements whose content is code, data or typed text, never prose. */
const RAW = new Set(['script', 'style', 'code', 'pre', 'kbd', 'samp', 'var', 'textarea', 'math']);

/** Attributes a reader sees or hears. */
const HUMAN_ATTRIBUTES = new Set(['alt', 'title', 'placeholder', 'aria-label']);

interface Piece {
  text: string;
  start: number;
  end: number;
  /** The quote to escape when the piece is an attribute value; '' for text, or for a value written without quotes. */
  quote: '"' | "'" | '' | null;
}

/**
 * HTML: the text nodes and the alt, title, placeholder and aria-label
 * attributes are translated where they stand in the source; every tag,
 * attribute, comment and byte between them is kept. Nothing inside script,
 * style, code, pre, kbd, samp, var, textarea or math is touched, nor any
 * element marked `translate="no"` or `class="notranslate"` (until a
 * descendant says `translate="yes"`).
 */
export function parseHtml(source: string): ParsedText {
  const doc = parse(source, { sourceCodeLocationInfo: true, scriptingEnabled: false });
  const pieces: Piece[] = [];

  const visit = (node: T.ParentNode, translating: boolean) => {
    for (const child of node.childNodes) {
      if (child.nodeName === '#text') {
        if (translating) addText(child as T.TextNode);
      } else if ('tagName' in child) {
        const on = translateFlag(child) ?? translating;
        if (on) addAttributes(child);
        if (RAW.has(child.tagName)) continue;
        visit(child, on);
        if (child.tagName === 'template') visit((child as T.Template).content, on);
      }
    }
  };

  const addText = (node: T.TextNode) => {
    const loc = node.sourceCodeLocation;
    if (!loc) return;
    const raw = source.slice(loc.startOffset, loc.endOffset);
    const { lead, core, trail } = splitPadding(raw);
    if (core === '') return;
    pieces.push({
      text: node.value.replace(/[ \t\n\r\f]+/g, ' ').trim(),
      start: loc.startOffset + lead.length,
      end: loc.endOffset - trail.length,
      quote: null,
    });
  };

  const addAttributes = (element: T.Element) => {
    for (const attr of element.attrs) {
      if (!HUMAN_ATTRIBUTES.has(attr.name) || attr.namespace) continue;
      const loc = element.sourceCodeLocation?.attrs?.[attr.name];
      if (!loc) continue;
      const raw = source.slice(loc.startOffset, loc.endOffset);
      const head = /^[^\s=]+\s*=\s*(["']?)/.exec(raw);
      if (!head) continue;
      const quote = head[1] as '"' | "'" | '';
      const valueStart = loc.startOffset + head[0].length;
      const valueEnd = loc.endOffset - quote.length;
      const { lead, trail } = splitPadding(source.slice(valueStart, valueEnd));
      pieces.push({
        text: attr.value.replace(/[ \t\n\r\f]+/g, ' ').trim(),
        start: valueStart + lead.length,
        end: valueEnd - trail.length,
        quote,
      });
    }
  };

  visit(doc, true);

  // the parser mends broken markup; should it ever place two nodes on the same source, the first one wins
  pieces.sort((a, b) => a.start - b.start);
  const segments = new SegmentList();
  const places: Array<Piece & { slot: number }> = [];
  let reached = 0;
  for (const piece of pieces) {
    if (piece.start < reached || piece.end <= piece.start) continue;
    const slot = segments.add(piece.text);
    if (slot < 0) continue;
    places.push({ ...piece, slot });
    reached = piece.end;
  }

  return {
    segments: segments.texts,
    render(translations) {
      const edits: Edit[] = places.map((p) => ({
        start: p.start,
        end: p.end,
        text: escapeHtml(translations[p.slot]!, p.quote),
      }));
      return applyEdits(source, edits);
    },
  };
}

function translateFlag(element: T.Element): boolean | null {
  const flag = element.attrs
    .find((a) => a.name === 'translate')
    ?.value.trim()
    .toLowerCase();
  if (flag === 'no') return false;
  if (flag === 'yes' || flag === '') return true;
  const classes = element.attrs.find((a) => a.name === 'class')?.value.split(/\s+/) ?? [];
  return classes.includes('notranslate') ? false : null;
}

/** Text as HTML source: as text content, as an attribute value in its quotes, or unquoted (then quoted). */
function escapeHtml(text: string, quote: Piece['quote']): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (quote === null) return escaped;
  if (quote === "'") return escaped.replace(/'/g, '&#39;');
  const inDouble = escaped.replace(/"/g, '&quot;');
  // an unquoted value ends at the first space: the translation gets the quotes it needs
  return quote === '' && /[\s"'=<>`]/.test(text) ? `"${inDouble}"` : inDouble;
}

export const html = textFormat({
  name: 'html',
  extensions: ['html', 'htm', 'xhtml'],
  contentType: 'text/html; charset=utf-8',
  parseText: parseHtml,
});
