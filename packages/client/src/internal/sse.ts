/** One Server-Sent Event. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * An incremental parser of the text/event-stream format (WHATWG HTML §9.2):
 * feed it text as it arrives; it calls `onEvent` per complete event and
 * `onComment` per comment line (pings).
 */
export class SseParser {
  #buffer = '';
  #data: string[] = [];
  #event = '';
  #id: string | undefined;
  #lastId: string | undefined;
  #sawCr = false;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly onComment: (text: string) => void = () => {},
  ) {}

  /** The last event id seen, for `Last-Event-ID` when reconnecting. */
  get lastEventId(): string | undefined {
    return this.#lastId;
  }

  feed(chunk: string): void {
    let text = this.#buffer + chunk;
    if (this.#sawCr && text.startsWith('\n')) text = text.slice(1);
    this.#sawCr = false;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c !== '\n' && c !== '\r') continue;
      this.#line(text.slice(start, i));
      if (c === '\r') {
        if (i + 1 === text.length) this.#sawCr = true;
        else if (text[i + 1] === '\n') i++;
      }
      start = i + 1;
    }
    this.#buffer = text.slice(start);
  }

  #line(line: string): void {
    if (line === '') {
      this.#dispatch();
      return;
    }
    if (line.startsWith(':')) {
      this.onComment(line.slice(1).trim());
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
  }

  #dispatch(): void {
    if (this.#id !== undefined) this.#lastId = this.#id;
    if (this.#data.length > 0) {
      this.onEvent({ event: this.#event || 'message', data: this.#data.join('\n'), id: this.#lastId });
    }
    this.#data = [];
    this.#event = '';
    this.#id = undefined;
  }
}
