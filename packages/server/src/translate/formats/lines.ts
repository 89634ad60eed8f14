/** A line of text and the line break that ended it ('' for the last line of a file without one). */
export interface Line {
  text: string;
  eol: string;
}

/** Every line, with its own line break, so that joining `text + eol` gives back the input exactly. */
export function splitLines(source: string): Line[] {
  const lines: Line[] = [];
  const pattern = /([^\r\n]*)(\r\n|\r|\n|$)/g;
  for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
    lines.push({ text: match[1]!, eol: match[2]! });
    if (match[2] === '') break;
  }
  return lines;
}

export function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.text + l.eol).join('');
}
