/** One block of a text/event-stream, as the server wrote it. */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
  /** The block holds a comment line (a ping). */
  comment: boolean;
}

/**
 * The blocks of an SSE body, one per blank-line-ended block, empty ones
 * included. A plain reading of the `field: value` lines the server writes, not
 * a full parser: tests check what is on the wire. Leaving the loop early
 * cancels the body.
 */
export async function* sseBlocks(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf('\n\n');
      while (cut !== -1) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf('\n\n');
        const e: SseEvent = { event: 'message', id: undefined, data: '', comment: false };
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) e.comment = true;
          else if (line.startsWith('event: ')) e.event = line.slice(7);
          else if (line.startsWith('id: ')) e.id = line.slice(4);
          else if (line.startsWith('data: ')) e.data += line.slice(6);
        }
        yield e;
      }
    }
    ended = true;
  } finally {
    // An errored stream rejects cancel with its own error: the one thrown above is the one to keep.
    if (!ended) await reader.cancel().catch(() => {});
  }
}
