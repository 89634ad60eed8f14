import mammoth from 'mammoth';
import type { Nodes } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfm } from 'micromark-extension-gfm';
import { expect } from 'vitest';
import type { FormatName } from '../../src/translate/formats/format.js';

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The structure of a document, which translation must not change. */
export async function structure(format: FormatName, bytes: Uint8Array): Promise<unknown> {
  switch (format) {
    case 'markdown': {
      const tree = fromMarkdown(decode(bytes), {
        extensions: [frontmatter(['yaml']), gfm()],
        mdastExtensions: [frontmatterFromMarkdown(['yaml']), gfmFromMarkdown()],
      });
      const types: string[] = [];
      const walk = (node: Nodes) => {
        types.push(node.type);
        if ('children' in node) for (const child of node.children) walk(child);
      };
      walk(tree);
      return types;
    }
    case 'subrip':
    case 'webvtt':
      return decode(bytes)
        .split(/\r?\n/)
        .filter((l) => l.includes('-->') || /^\d+$/.test(l) || l === '');
    case 'html':
      return [...decode(bytes).matchAll(/<\/?[a-zA-Z][^>]*>/g)].map((m) =>
        m[0].replace(/\b(alt|title|placeholder)=("[^"]*"|'[^']*'|[^\s>]+)/g, '$1=…'),
      );
    case 'docx': {
      const { value, messages } = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) });
      expect(messages.filter((m) => m.type === 'error')).toEqual([]);
      return [...value.matchAll(/<\/?[a-z0-9]+/g)].map((m) => m[0]);
    }
    case 'text':
      return decode(bytes).split('\n').length;
  }
}
