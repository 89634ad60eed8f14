import type { Image, Nodes, Text } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfm } from 'micromark-extension-gfm';
import type { ParsedText } from './format.js';
import { applyEdits, type Edit, SegmentList, wrapLike } from './segments.js';
import { textFormat } from './text-codec.js';

/** Where one translated piece goes back in the source. */
interface Place {
  slot: number;
  start: number;
  end: number;
  /** What each line after the first starts with (container markers: "> ", indentation). */
  prefixes: string[];
  /** How long the words on each line were. */
  lineLengths: number[];
  eol: string;
  /** Whether the piece starts a line, where "# " or "1. " would begin a block. */
  atLineStart: boolean;
}

// nodes whose text is not prose: kept byte for byte
const KEPT = new Set([
  'code',
  'inlineCode',
  'html',
  'yaml',
  'toml',
  'definition',
  'footnoteReference',
  'break',
]);

/**
 * Markdown (CommonMark with GFM tables, strikethrough, footnotes and task
 * lists; YAML or TOML front matter): the prose is translated where it
 * stands in the source, and every other byte is kept — code blocks, inline
 * code, HTML, URLs and link targets, front matter, list and heading markup,
 * container prefixes of wrapped lines. Each text run between inline markup
 * is translated on its own; a run wrapped over several lines comes back
 * wrapped on about as many, behind the same prefixes.
 */
export function parseMarkdown(source: string): ParsedText {
  const tree = fromMarkdown(source, {
    extensions: [frontmatter(['yaml', 'toml']), gfm()],
    mdastExtensions: [frontmatterFromMarkdown(['yaml', 'toml']), gfmFromMarkdown()],
  });
  const segments = new SegmentList();
  const places: Place[] = [];

  const visit = (node: Nodes): void => {
    if (KEPT.has(node.type)) return;
    if (node.type === 'text') {
      addText(node);
      return;
    }
    if (node.type === 'image') {
      addAlt(node);
      return;
    }
    // an autolink (<https://…>, www.…) shows its URL: not prose
    if (node.type === 'link' && source[node.position?.start.offset ?? 0] !== '[') return;
    // the text of [label] and [label][] is also the key to its definition: changing it breaks the link
    if ((node.type === 'linkReference' || node.type === 'imageReference') && node.referenceType !== 'full')
      return;
    if ('children' in node) for (const child of node.children) visit(child);
  };

  const addText = (node: Text) => {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start === undefined || end === undefined) return;
    const place = placeOf(source, start, end);
    if (!place) return;
    const slot = segments.add(node.value.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ').trim());
    if (slot >= 0) places.push({ ...place, slot });
  };

  const addAlt = (node: Image) => {
    const start = node.position?.start.offset;
    const alt = node.alt ?? '';
    if (start === undefined || alt.trim() === '') return;
    const from = start + 2; // after "!["
    const to = closingBracket(source, from);
    if (to < 0) return;
    const place = placeOf(source, from, to);
    if (!place) return;
    const slot = segments.add(alt.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ').trim());
    if (slot >= 0) places.push({ ...place, slot });
  };

  visit(tree);
  return {
    segments: segments.texts,
    render(translations) {
      const edits: Edit[] = places.map((p) => {
        const lines = wrapLike(translations[p.slot]!, p.lineLengths);
        const text = lines
          .map((line, i) => {
            const escaped = escapeMarkdown(line, i > 0 || p.atLineStart);
            return i === 0 ? escaped : p.eol + p.prefixes[i - 1] + escaped;
          })
          .join('');
        return { start: p.start, end: p.end, text };
      });
      return applyEdits(source, edits);
    },
  };
}

/** Where the bracket that closes the one before `from` is, minding escapes and nested brackets; -1 if none. */
function closingBracket(source: string, from: number): number {
  let depth = 0;
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') depth++;
    else if (c === ']' && depth-- === 0) return i;
  }
  return -1;
}

/**
 * The words of `source.slice(start, end)` without the white space around
 * them, and the container prefix of each further line they run on.
 */
function placeOf(source: string, start: number, end: number): Omit<Place, 'slot'> | null {
  const slice = source.slice(start, end);
  const eol = slice.includes('\r\n') ? '\r\n' : '\n';
  const lines: Array<{ at: number; prefix: string; body: string }> = [];
  const pattern = /([^\r\n]*)(\r\n|\r|\n|$)/g;
  for (let m = pattern.exec(slice); m; m = pattern.exec(slice)) {
    // a paragraph line never starts with white space or an unescaped ">": whatever does is a container's
    const prefix = lines.length === 0 ? '' : /^[ \t>]*/.exec(m[1]!)![0];
    lines.push({ at: m.index, prefix, body: m[1]!.slice(prefix.length) });
    if (m[2] === '') break;
  }
  const content = lines.filter((l) => l.body.trim() !== '');
  const first = content[0];
  const last = content.at(-1);
  if (!first || !last) return null;
  const from = start + first.at + first.prefix.length + (first.body.length - first.body.trimStart().length);
  const to = start + last.at + last.prefix.length + last.body.trimEnd().length;
  const lineStart = Math.max(source.lastIndexOf('\n', from - 1), source.lastIndexOf('\r', from - 1)) + 1;
  return {
    start: from,
    end: to,
    prefixes: content.slice(1).map((l) => l.prefix),
    lineLengths: content.map((l) => l.body.trim().length),
    eol,
    atLineStart: /^[ \t>]*$/.test(source.slice(lineStart, from)),
  };
}

/**
 * Translated text made literal in Markdown: characters that would start
 * emphasis, code, links, HTML, strikethrough or table cells are escaped,
 * and at the start of a line whatever would begin a heading, list, quote or
 * rule.
 */
export function escapeMarkdown(text: string, atLineStart: boolean): string {
  let out = text.replace(/[\\`*_[\]<~|]/g, '\\$&').replace(/&(?=#?[a-z0-9]+;)/gi, '&amp;');
  if (atLineStart) {
    out = out.replace(/^([#>+=-])/, '\\$1').replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2');
  }
  return out;
}

export const markdown = textFormat({
  name: 'markdown',
  extensions: ['md', 'markdown', 'mdown', 'mkd', 'mkdn'],
  contentType: 'text/markdown; charset=utf-8',
  parseText: parseMarkdown,
});
