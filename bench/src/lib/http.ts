import { Agent, request } from 'node:http';
import { openEventStream } from './sse.js';

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
    // Resolve on arrival; the server then ends the stream and the socket goes back to the agent.
    openEventStream(
      url,
      ({ data }) => {
        const m = /"status":"(completed|failed|canceled)"/.exec(data);
        if (m) resolve(m[1]!);
      },
      { agent, onEnd: () => reject(new Error('SSE ended without a terminal event')) },
    ).catch(reject);
  });
}

/** Submit `job` with `Prefer: wait=60`, so the reply comes when it is terminal; throws unless it completed. */
export async function submitAndWait(base: string, job: unknown): Promise<void> {
  const r = await send(`${base}/v1/jobs`, { method: 'POST', body: job, headers: { prefer: 'wait=60' } });
  if (r.status !== 200 || !r.body.includes('"status":"completed"')) {
    throw new Error(`expected a completed job, got ${r.status} ${r.body.slice(0, 200)}`);
  }
}

export function closeConnections(): void {
  agent.destroy();
}
