import { TranslationError } from '../errors.js';
import { docx } from './docx.js';
import type { DocumentFormat, FormatName } from './format.js';
import { html } from './html.js';
import { markdown } from './markdown.js';
import { plainText } from './plain-text.js';
import { subRip } from './subrip.js';
import { webVtt } from './webvtt.js';
import { isZip } from './zip.js';

/** Every format, by name. */
export const FORMATS: Readonly<Record<FormatName, DocumentFormat>> = Object.freeze({
  text: plainText,
  markdown,
  subrip: subRip,
  webvtt: webVtt,
  html,
  docx,
});

const BY_MEDIA_TYPE: Record<string, FormatName> = {
  'text/plain': 'text',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'application/x-subrip': 'subrip',
  'text/x-subrip': 'subrip',
  'application/x-srt': 'subrip',
  'text/srt': 'subrip',
  'text/vtt': 'webvtt',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
};

export interface DetectOptions {
  bytes: Uint8Array;
  /** The uploaded file's name; its extension decides first. */
  filename?: string | undefined;
  /** The upload's media type; parameters such as charset are ignored. */
  contentType?: string | undefined;
}

/**
 * The format of a document: a zip archive is a DOCX or nothing; otherwise
 * the file name's extension, then the media type (when it is not a generic
 * one), then the text itself (WEBVTT header, SubRip timing, HTML markup),
 * plain text last.
 */
export function detectFormat({ bytes, filename, contentType }: DetectOptions): DocumentFormat {
  const extension = filename?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (isZip(bytes)) {
    if (extension && extension !== 'docx') {
      throw new TranslationError(
        'unsupported_document',
        `A .${extension} zip archive cannot be translated; of zip-based documents only DOCX is.`,
      );
    }
    return docx;
  }
  const byExtension = Object.values(FORMATS).find((f) => extension && f.extensions.includes(extension));
  if (byExtension && byExtension.name !== 'docx') return byExtension;
  if (extension === 'docx') {
    throw new TranslationError('unsupported_document', 'The .docx file is not a zip archive: it is damaged.');
  }
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  const byType = mediaType ? BY_MEDIA_TYPE[mediaType] : undefined;
  if (byType && byType !== 'text' && byType !== 'docx') return FORMATS[byType];
  if (looksBinary(bytes)) {
    throw new TranslationError(
      'unsupported_document',
      `${filename ?? 'The document'} is binary; the formats translated are ${SUPPORTED}.`,
    );
  }
  return FORMATS[sniff(bytes)];
}

const SUPPORTED = 'plain text, Markdown, SubRip (.srt), WebVTT (.vtt), HTML and DOCX';

function sniff(bytes: Uint8Array): FormatName {
  const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 2048)).replace(/^\ufeff/, '');
  if (/^WEBVTT(?:[ \t]|\r|\n|$)/.test(head)) return 'webvtt';
  if (/^\s*\d+\s*\r?\n\s*\d{1,3}:\d{2}:\d{2}[,.]\d{1,3}\s*-->/.test(head)) return 'subrip';
  if (/^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i.test(head))
    return 'html';
  return 'text';
}

/** A NUL in the first 8 KiB, or a PDF: no text format is written so (UTF-16 has a byte order mark). */
function looksBinary(bytes: Uint8Array): boolean {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (utf16) return false;
  const pdf = bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46;
  return pdf || bytes.subarray(0, 8192).includes(0);
}
