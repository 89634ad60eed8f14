/** A single log line is cut at this many characters. */
export const MAX_LOG_LINE = 2000;
/**
 * Free text as every backend can keep it: NUL becomes U+FFFD (PostgreSQL
 * text cannot hold NUL; SQLite could, but both stores must answer alike).
 */
export function cleanText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

export function cleanNullable(text: string | null | undefined): string | null | undefined {
  return typeof text === 'string' ? cleanText(text) : text;
}

/** Log lines as the stores keep them: cleaned, and cut at {@link MAX_LOG_LINE} characters. */
export function cleanLogLines(lines: readonly string[]): string[] {
  return lines.map((raw) => {
    const line = cleanText(raw);
    return line.length > MAX_LOG_LINE ? `${line.slice(0, MAX_LOG_LINE - 1)}…` : line;
  });
}
