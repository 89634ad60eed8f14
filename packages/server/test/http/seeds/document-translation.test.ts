import mammoth from 'mammoth';
import { describe, expect, it } from 'vitest';
import { call, eventually, startApp } from '../../helpers/app.js';
import { useCleanup } from '../../helpers/cleanup.js';
import { docxFixture } from '../../translate/fixtures.js';

useCleanup();

const TEXT = 'Hello world.\n\nThis is a test.\n';

function form(
  file: { bytes: Uint8Array | string; name: string; type?: string } | null,
  fields: Record<string, string>,
): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  if (file) {
    const bytes = typeof file.bytes === 'string' ? file.bytes : Buffer.from(file.bytes);
    body.append('file', new Blob([bytes], { type: file.type ?? '' }), file.name);
  }
  return body;
}

async function post(url: string, body: FormData | string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/v1/translate`, { method: 'POST', body, headers });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

async function finished(url: string, id: string): Promise<any> {
  return eventually(async () => {
    const { body } = await call(url, 'GET', `/api/v1/status/${id}`);
    return body.status === 'completed' || body.status === 'failed' ? body : null;
  }, 60_000);
}

describe('the document-translation API under /api/v1', () => {
  it('takes an upload as a document.translate job, started, then shows it in its own shape and in /v1/jobs', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const res = await post(
      url,
      form(
        { bytes: TEXT, name: 'notes.txt', type: 'text/plain' },
        { source_language: 'en', target_language: 'de' },
      ),
    );
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      job_id: expect.any(String),
      status: 'started',
      message: 'Translation started',
    });
    expect(res.headers.get('location')).toBe(`/api/v1/status/${res.body.job_id}`);

    const status = await call(url, 'GET', `/api/v1/status/${res.body.job_id}`);
    expect(status.status).toBe(200);
    expect(status.body).toEqual({
      status: 'started',
      progress: 0,
      file_path: 'notes.txt',
      source_language: 'en',
      target_language: 'de',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      output_file: null,
      error: null,
      processing_type: 'advanced',
      format_preservation: true,
    });

    const job = await call(url, 'GET', `/v1/jobs/${res.body.job_id}`);
    expect(job.body).toMatchObject({
      type: 'document.translate',
      queue: 'translate',
      input: { filename: 'notes.txt', source_language: 'en', target_language: 'de' },
    });
    // The upload is an uploaded file the input names, not a data: URL in the job's row.
    expect(job.body.input.document_url).toMatch(/^file_[0-9a-f]{24}$/);
    const stored = await fetch(`${url}/v1/files/${job.body.input.document_url}/content`);
    expect(await stored.text()).toBe(TEXT);

    const early = await call(url, 'GET', `/api/v1/download/${res.body.job_id}`);
    expect(early.status).toBe(400);
    expect(early.body).toEqual({ error: 'Translation not completed', detail: 'Translation not completed' });
  });

  it('translates a DOCX upload and serves it under its translated name', async () => {
    const { url } = await startApp();
    const docx = docxFixture();
    const res = await post(url, form({ bytes: docx.bytes, name: docx.filename }, { target_language: 'fr' }));
    expect(res.status).toBe(202);
    const status = await finished(url, res.body.job_id);
    expect(status).toMatchObject({
      status: 'completed',
      progress: 100,
      file_path: docx.filename,
      source_language: 'auto',
      target_language: 'fr',
      output_file: `/api/v1/download/${res.body.job_id}`,
      error: null,
    });
    const file = await fetch(`${url}${status.output_file}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe(docx.contentType);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="report.fr.docx"');
    const { value } = await mammoth.extractRawText({ buffer: Buffer.from(await file.arrayBuffer()) });
    for (const text of docx.texts) expect(value).not.toContain(text);
    expect(value).toMatch(/\[.+ ~+\]/);
  });

  it('answers a failed job with its error, and unknown jobs with a 404 both APIs read', async () => {
    const { url } = await startApp();
    const res = await post(
      url,
      form({ bytes: 'PK\u0003\u0004broken', name: 'bad.docx' }, { target_language: 'de' }),
    );
    const status = await finished(url, res.body.job_id);
    expect(status).toMatchObject({
      status: 'failed',
      output_file: null,
      error: 'The document is not a readable zip archive.',
    });
    const download = await call(url, 'GET', `/api/v1/download/${res.body.job_id}`);
    expect(download.status).toBe(400);

    for (const path of ['/api/v1/status/no-such-job', '/api/v1/download/no-such-job']) {
      const missing = await call(url, 'GET', path);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ error: 'Job not found', detail: 'Job not found' });
    }
  });

  it('refuses an upload without a file, with a bad language, too large, or not multipart', async () => {
    // The document is streamed into an uploaded file: --max-file-size bounds it, not --body-limit.
    const { url } = await startApp({ argv: ['--role', 'api', '--max-file-size', '2k'] });
    const cases: Array<[FormData | string, Record<string, string>, number, RegExp]> = [
      [form(null, { target_language: 'de' }), {}, 400, /No file uploaded/],
      [form({ bytes: '', name: 'a.txt' }, { target_language: 'de' }), {}, 400, /empty/],
      [form({ bytes: TEXT, name: 'a.txt' }, {}), {}, 400, /target_language "" is not a language code/],
      [form({ bytes: TEXT, name: 'a.txt' }, { target_language: 'german' }), {}, 400, /"german"/],
      [
        form({ bytes: TEXT, name: 'a.txt' }, { source_language: 'de', target_language: 'de' }),
        {},
        400,
        /both/,
      ],
      [
        form({ bytes: 'x'.repeat(3000), name: 'a.txt' }, { target_language: 'de' }),
        {},
        413,
        /larger than 2048 bytes/,
      ],
      ['{"target_language": "de"}', { 'content-type': 'application/json' }, 415, /multipart\/form-data/],
    ];
    for (const [body, headers, code, message] of cases) {
      const res = await post(url, body, headers);
      expect(res.status, JSON.stringify(res.body)).toBe(code);
      expect(res.body.error).toMatch(message);
      expect(res.body.detail).toBe(res.body.error);
    }
    const listed = await call(url, 'GET', '/v1/jobs?type=document.translate');
    expect(listed.body.data).toEqual([]);
    // a job of a type neither API shows is not found there either
    const other = await call(url, 'POST', '/v1/jobs', { body: { type: 'simulate', input: {} } });
    expect((await call(url, 'GET', `/api/v1/status/${other.body.id}`)).status).toBe(404);
  });
});
