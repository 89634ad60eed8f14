import type { DocumentFormat } from './formats/format.js';

/**
 * The translated file's name: the upload's name with the target language
 * before the extension ("report.docx" -> "report.es.docx"), replacing a
 * source language tag already there ("talk.en.srt" -> "talk.es.srt").
 * Folders and control characters are dropped; a missing name or extension
 * comes from the format.
 */
export function outputFilename(
  filename: string | undefined,
  { source, target, format }: { source: string; target: string; format: DocumentFormat },
): string {
  // control characters have no place in a file name (nor in a Content-Disposition header)
  const base = [...(filename ?? '').split(/[\\/]/).pop()!]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c !== '\u007f')
    .join('')
    .trim();
  const dot = base.lastIndexOf('.');
  const hasExtension = dot > 0 && dot < base.length - 1;
  let stem = hasExtension ? base.slice(0, dot) : base || 'document';
  const extension = hasExtension ? base.slice(dot) : `.${format.extensions[0]}`;
  const tag = `.${source}`.toLowerCase();
  if (source !== 'auto' && stem.toLowerCase().endsWith(tag)) stem = stem.slice(0, -tag.length);
  return `${stem}.${target}${extension}`;
}
