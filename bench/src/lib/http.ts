import { Agent, request } from 'node:http';

/** One keep-alive agent, so a run measures the server, not TCP handshakes. */
const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

export interface Reply {
  status: number;
  body: string;
}

export function send(
  url: string,
  {
    method = 'GET',
    body,
    headers = {},
  }: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        agent,
        headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Open a job's SSE stream and resolve with the status of its terminal event. */
export function terminalEvent(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`SSE answered ${res.statusCode}`));
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buffer += d;
        const m = /"status":"(completed|failed|canceled)"/.exec(buffer);
        // Resolve on arrival; the server then ends the stream and the socket goes back to the agent.
        if (m) resolve(m[1]!);
      });
      res.on('end', () => reject(new Error('SSE ended without a terminal event')));
      res.on('error', () => {});
    });
    req.on('error', reject);
    req.end();
  });
}

export function closeConnections(): void {
  agent.destroy();
}
