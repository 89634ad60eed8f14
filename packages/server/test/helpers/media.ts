import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';
import { expect } from 'vitest';
import { isTerminal } from '../../src/jobs/states.js';
import { runTool } from '../../src/media/process.js';
import { MediaTools } from '../../src/media/tools.js';
import { call } from './app.js';

/** The ffmpeg and ffprobe the server would use, for making test images and checking results. */
export const tools = new MediaTools();

export async function ffmpeg(args: string[]): Promise<void> {
  const { code, stderrTail } = await runTool((await tools.ffmpeg()).path, ['-v', 'error', '-y', ...args]);
  if (code !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${stderrTail.join('\n')}`);
}

export interface Probe {
  streams: {
    codec_type: string;
    codec_name: string;
    width?: number;
    height?: number;
    pix_fmt?: string;
    avg_frame_rate?: string;
    duration?: string;
    nb_read_frames?: string;
  }[];
  format: { duration: string; format_name: string };
}

/** ffprobe a file, counting frames by decoding them (-count_frames): the exact count, not the header's claim. */
export async function probe(path: string): Promise<Probe> {
  const { code, stdout, stderrTail } = await runTool((await tools.ffprobe()).path, [
    ...['-v', 'error', '-count_frames', '-of', 'json'],
    ...[
      '-show_entries',
      'stream=codec_type,codec_name,width,height,pix_fmt,avg_frame_rate,duration,nb_read_frames',
    ],
    ...['-show_entries', 'format=duration,format_name', path],
  ]);
  if (code !== 0) throw new Error(`ffprobe failed: ${stderrTail.join('\n')}`);
  return JSON.parse(stdout) as Probe;
}

/** Top-level MP4 box types in file order (faststart puts moov before mdat). */
export function mp4Boxes(path: string): string[] {
  const buf = readFileSync(path);
  const boxes: string[] = [];
  let pos = 0;
  while (pos + 8 <= buf.length) {
    let size = buf.readUInt32BE(pos);
    boxes.push(buf.toString('latin1', pos + 4, pos + 8));
    if (size === 1) size = Number(buf.readBigUInt64BE(pos + 8));
    if (size < 8) break;
    pos += size;
  }
  return boxes;
}

/** A PNG that claims `width` x `height` and holds almost nothing: the shape of a decompression bomb. */
export function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(16))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** A file server on 127.0.0.1: path -> [content type, body]; counts the requests it served. */
export async function serveFiles(files: Record<string, [string, Buffer]>) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const file = files[req.url ?? ''];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0], 'content-length': file[1].length }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Submit a job and wait for its end by long-polling. */
export async function runJob(
  base: string,
  type: string,
  input: Record<string, unknown>,
  { headers = {}, maxAttempts }: { headers?: Record<string, string>; maxAttempts?: number } = {},
): Promise<any> {
  const created = await call(base, 'POST', '/v1/jobs', {
    body: { type, input, ...(maxAttempts === undefined ? {} : { max_attempts: maxAttempts }) },
    headers,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(202);
  let job = created.body;
  while (!isTerminal(job.status)) {
    job = (await call(base, 'GET', `/v1/jobs/${job.id}?wait=30&since=${job.version}`, { headers })).body;
  }
  return job;
}

/** Whether a process runs (a zombie, dead but not yet reaped, does not). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Processes whose parent is `parent` (this one by default), by command name (from /proc). */
export function childProcesses(name: string, parent = process.pid): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && comm === name) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
