import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from '../src/internal/sse.js';

function parse(chunks: string[]) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const parser = new SseParser(
    (e) => events.push(e),
    (c) => comments.push(c),
  );
  for (const c of chunks) parser.feed(c);
  return { events, comments, lastId: parser.lastEventId };
}

describe('SseParser', () => {
  it('reads events split anywhere, with ids, names, comments and multi-line data', () => {
    const text =
      'retry: 1000\n\nevent: job\nid: 3\ndata: {"a":\ndata: 1}\n\n: ping\n\nevent: job\nid: 4\ndata: x\n\n';
    for (let cut = 0; cut < text.length; cut++) {
      const { events, comments, lastId } = parse([text.slice(0, cut), text.slice(cut)]);
      expect(events).toEqual([
        { event: 'job', id: '3', data: '{"a":\n1}' },
        { event: 'job', id: '4', data: 'x' },
      ]);
      expect(comments).toEqual(['ping']);
      expect(lastId).toBe('4');
    }
  });

  it('accepts CRLF and CR line ends, even with the CRLF split across chunks', () => {
    expect(parse(['data: a\r', '\n\r\ndata: b\r\r']).events.map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('keeps the last id for events without one, and names unnamed events "message"', () => {
    const { events } = parse(['id: 7\ndata: a\n\ndata: b\n\n']);
    expect(events).toEqual([
      { event: 'message', id: '7', data: 'a' },
      { event: 'message', id: '7', data: 'b' },
    ]);
  });
});
