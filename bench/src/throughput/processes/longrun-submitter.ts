/**
 * The submitter of longrun in the throughput scenario, a remote caller over
 * HTTP: one at a time, `POST /v1/jobs` with `Prefer: wait=60` (the reply comes
 * when the job is terminal); bulk, `POST /v1/jobs/batch`, hearing completions
 * on the tenant's event stream, opened before the first batch.
 *
 *   node throughput/processes/longrun-submitter.js <server url>
 */
import { closeConnections, send, submitAndWait } from '../../lib/http.js';
import { openEventStream } from '../../lib/sse.js';
import { Completions } from '../completions.js';
import { NOOP_TYPE } from '../protocol.js';
import { serveSubmitter } from '../serve.js';

const [url] = process.argv.slice(2);
if (!url) throw new Error('usage: longrun-submitter.js <server url>');
const JOB = { type: NOOP_TYPE, input: {} };

interface BatchReply {
  data: Array<{ status: number; job?: { id: string } }>;
}

function fail(message: string): never {
  console.error(`longrun submitter: ${message}`);
  process.exit(1);
}

serveSubmitter({
  one: () => submitAndWait(url, JOB),
  async openBulk() {
    const completions = new Completions();
    let closing = false;
    // Terminal events only: the stream carries what the caller waits for and nothing else.
    const stream = await openEventStream(
      `${url}/v1/events?status=completed,failed,canceled`,
      ({ data }) => {
        const job = JSON.parse(data) as { id: string; status: string };
        if (job.status !== 'completed') fail(`job ${job.id} ended ${job.status}`);
        completions.heard(job.id);
      },
      { onEnd: () => closing || fail('the event stream ended') },
    );
    return {
      completions,
      async submit(size) {
        const r = await send(`${url}/v1/jobs/batch`, {
          method: 'POST',
          body: { jobs: Array.from({ length: size }, () => JOB) },
        });
        if (r.status !== 200) throw new Error(`batch answered ${r.status}: ${r.body.slice(0, 200)}`);
        return (JSON.parse(r.body) as BatchReply).data.map((item) => {
          if (item.status !== 202 || !item.job) throw new Error(`a job was refused: ${JSON.stringify(item)}`);
          return item.job.id;
        });
      },
      async close() {
        closing = true;
        stream.close();
      },
    };
  },
  async close() {
    closeConnections();
  },
});
