import { type Agent, request } from 'node:http';

export interface SseEvent {
  event: string;
  data: string;
}

export interface EventStreamOptions {
  /** The agent to connect with. @default Node's global agent */
  agent?: Agent;
  /** Called when the server ends the stream. */
  onEnd?: () => void;
}

/** Open an SSE stream and call `onEvent` for each event; resolves once the stream answered 200. */
export function openEventStream(
  url: string,
  onEvent: (e: SseEvent) => void,
  { agent, onEnd }: EventStreamOptions = {},
): Promise<{ close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`SSE answered ${res.statusCode}`));
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) onEvent({ event, data });
          end = buffer.indexOf('\n\n');
        }
      });
      if (onEnd) res.on('end', onEnd);
      res.on('error', () => {});
      resolve({ close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}
