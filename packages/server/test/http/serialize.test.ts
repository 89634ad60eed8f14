import { describe, expect, it } from 'vitest';
import { jobBody, jobJson } from '../../src/http/serialize.js';
import { SqliteJobStore } from '../../src/store/sqlite/store.js';
import { newJob } from '../helpers/jobs.js';

describe('job bodies', () => {
  it('sends a job with a long input as the same bytes as its JSON, whatever its other fields hold', async () => {
    const store = new SqliteJobStore({ filename: ':memory:', synchronous: 'normal' });
    await store.migrate();
    const input = { image_url: `data:image/png;base64,${'A'.repeat(200_000)}`, note: 'ünïcode ✓ "quoted"' };
    const made = await store.insert(newJob('long', { input, metadata: { input: {}, '"input":{}': 1 } }));
    const [lease] = await store.claim({ queue: made.job.queue, owner: 'w', leaseMs: 30_000, limit: 1 });
    // Text that looks like the spliced key, before the input and after it.
    const job = (await store.report(lease!.token, {
      progress: 5,
      message: ',"input":{},',
      stage: '"input":{}',
    }))!;
    const body = jobBody(job);
    expect(Buffer.isBuffer(body)).toBe(true);
    expect((body as Buffer).equals(Buffer.from(jobJson(job)))).toBe(true);
    expect(jobBody(job)).toBe(body); // once per snapshot
    // An input of ASCII alone is encoded another way: the same bytes.
    const ascii = (await store.insert(newJob('ascii', { input: { image_url: input.image_url } }))).job;
    expect((jobBody(ascii) as Buffer).equals(Buffer.from(jobJson(ascii)))).toBe(true);
    const short = (await store.insert(newJob('short', { input: { n: 1 } }))).job;
    expect(jobBody(short)).toBe(jobJson(short));
    await store.close();
  });
});
