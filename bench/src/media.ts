import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@longrun/testkit';
import { fmt, quantile, table } from './lib/stats.js';

/**
 * Render time per second of output for the media job types, through a real
 * longrun server (child process, SQLite): the time from claim to finish
 * (started_at -> finished_at, which includes fetching, probing, speech and
 * the ffmpeg render) and from submit to finish as a client sees it, divided
 * by the seconds of video made. Below 1 is faster than real time.
 *
 * `--quick` runs one round of the small cases only.
 */
const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : 3;

const text =
  'longrun turns text into narrated video. Each sentence is spoken by the speech engine, and its caption ' +
  'appears on screen exactly while it is said. The background can be a colour or a picture, and the result ' +
  'is an ordinary MP4 file that any player can open.';

interface Case {
  name: string;
  type: 'image.to_video' | 'text.to_video';
  input: (imageUrl: string) => Record<string, unknown>;
}

const cases: Case[] = [
  {
    name: 'image.to_video 5 s 1280x720 30 fps',
    type: 'image.to_video',
    input: (image_url) => ({ image_url, length: 5, frame_rate: 30, width: 1280, height: 720 }),
  },
  ...(quick
    ? []
    : [
        {
          name: 'image.to_video 5 s 1920x1080 30 fps',
          type: 'image.to_video',
          input: (image_url: string) => ({ image_url, length: 5, frame_rate: 30, width: 1920, height: 1080 }),
        } satisfies Case,
      ]),
  { name: 'text.to_video 1280x720, colour', type: 'text.to_video', input: () => ({ text }) },
  ...(quick
    ? []
    : [
        {
          name: 'text.to_video 1280x720, image',
          type: 'text.to_video',
          input: (background: string) => ({ text, background }),
        } satisfies Case,
      ]),
];

// The input picture: a 1920x1080 test pattern, served from this process on 127.0.0.1.
const work = mkdtempSync(join(tmpdir(), 'longrun-bench-media-'));
const image = join(work, 'image.png');
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=1920x1080', '-frames:v', '1', image]);
const png = readFileSync(image);
const files = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
const imageUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/image.png`;

const longrun = await startServer(['--allow-private-urls', '--concurrency', '1', '--wait-concurrency', '1']);

interface Sample {
  case: string;
  round: number;
  outputSeconds: number;
  workSeconds: number;
  clientSeconds: number;
}

async function runOnce(c: Case): Promise<Omit<Sample, 'case' | 'round'>> {
  const t0 = performance.now();
  const created = await (
    await fetch(`${longrun.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: c.type, input: c.input(imageUrl), max_attempts: 1 }),
    })
  ).json();
  let job = created;
  while (!['completed', 'failed', 'canceled'].includes(job.status)) {
    job = await (await fetch(`${longrun.url}/v1/jobs/${created.id}?wait=60&since=${job.version}`)).json();
  }
  const clientSeconds = (performance.now() - t0) / 1000;
  if (job.status !== 'completed') throw new Error(`${c.name}: ${job.status} ${JSON.stringify(job.error)}`);
  return {
    outputSeconds: job.output.duration_seconds,
    workSeconds: (Date.parse(job.finished_at) - Date.parse(job.started_at)) / 1000,
    clientSeconds,
  };
}

const samples: Sample[] = [];
// One unmeasured run of each type first: the server finds its tools and the page cache fills.
for (const c of cases.slice(0, 1)) await runOnce(c);
await runOnce(cases.find((c) => c.type === 'text.to_video')!);
for (let round = 1; round <= rounds; round++) {
  for (const c of cases) samples.push({ case: c.name, round, ...(await runOnce(c)) });
}
await longrun.close();
files.close();
rmSync(work, { recursive: true, force: true });

const rows = cases.map((c) => {
  const mine = samples.filter((s) => s.case === c.name);
  const perSecond = mine.map((s) => s.workSeconds / s.outputSeconds);
  const clientPerSecond = mine.map((s) => s.clientSeconds / s.outputSeconds);
  return {
    case: c.name,
    outputSeconds: mine[0]!.outputSeconds,
    medianWork: quantile(
      mine.map((s) => s.workSeconds),
      0.5,
    ),
    perSecond: quantile(perSecond, 0.5),
    bestPerSecond: Math.min(...perSecond),
    clientPerSecond: quantile(clientPerSecond, 0.5),
  };
});

const ffmpegVersion = execFileSync('ffmpeg', ['-version']).toString().split('\n')[0];
console.log(`\nMedia render time per second of output, ${rounds} round(s), ${cpus().length} cores`);
console.log(`${ffmpegVersion}\n`);
console.log(
  table(
    [
      'case',
      'output s',
      'work s (median)',
      'work s per output s (median)',
      'best',
      'submit-to-done s per output s',
    ],
    rows.map((r) => [
      r.case,
      fmt(r.outputSeconds, 2),
      fmt(r.medianWork, 2),
      fmt(r.perSecond, 3),
      fmt(r.bestPerSecond, 3),
      fmt(r.clientPerSecond, 3),
    ]),
  ),
);
const out = new URL(
  `../results/media-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  import.meta.url,
);
writeFileSync(
  out,
  JSON.stringify(
    { cpus: cpus().length, cpu: cpus()[0]?.model, ffmpeg: ffmpegVersion, rounds, samples, rows },
    null,
    2,
  ),
);
