import { open, readFile } from 'node:fs/promises';

/** The parts of a PCM WAV file that timing and joining need. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Where the samples start and how many bytes they take. */
  dataOffset: number;
  dataBytes: number;
  /** Length in seconds. */
  duration: number;
}

/**
 * Read a RIFF/WAVE header. A data size that is missing or larger than the
 * file (a writer that streamed and never went back) is taken as "to the end".
 */
export function parseWav(buf: Buffer): WavInfo {
  if (
    buf.length < 12 ||
    buf.toString('latin1', 0, 4) !== 'RIFF' ||
    buf.toString('latin1', 8, 12) !== 'WAVE'
  ) {
    throw new Error('not a RIFF/WAVE file');
  }
  let fmt: { channels: number; sampleRate: number; bitsPerSample: number; format: number } | null = null;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('latin1', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('WAV data comes before its format');
      if (fmt.format !== 1) throw new Error(`WAV format ${fmt.format} is not PCM`);
      const dataBytes = size === 0 || body + size > buf.length ? buf.length - body : size;
      const frameBytes = fmt.channels * (fmt.bitsPerSample / 8);
      if (!(frameBytes > 0) || !(fmt.sampleRate > 0)) throw new Error('WAV format is invalid');
      return {
        ...fmt,
        dataOffset: body,
        dataBytes,
        duration: Math.floor(dataBytes / frameBytes) / fmt.sampleRate,
      };
    }
    pos = body + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

/**
 * Join WAV files of one format into one, end to end, and return where each
 * part starts and ends in seconds: the exact times of the audio, which the
 * captions use.
 */
export async function concatWav(
  parts: readonly string[],
  out: string,
): Promise<{ start: number; end: number }[]> {
  const file = await open(out, 'w');
  try {
    let format: WavInfo | null = null;
    let written = 0;
    const spans: { start: number; end: number }[] = [];
    await file.write(Buffer.alloc(44), 0, 44, 0);
    for (const part of parts) {
      const buf = await readFile(part);
      const info = parseWav(buf);
      if (
        format &&
        (info.sampleRate !== format.sampleRate ||
          info.channels !== format.channels ||
          info.bitsPerSample !== format.bitsPerSample)
      ) {
        throw new Error(`${part} has another format than the first part`);
      }
      format ??= info;
      const frameBytes = info.channels * (info.bitsPerSample / 8);
      const bytes = info.dataBytes - (info.dataBytes % frameBytes);
      const start = written / frameBytes / info.sampleRate;
      await file.write(buf, info.dataOffset, bytes, 44 + written);
      written += bytes;
      spans.push({ start, end: written / frameBytes / info.sampleRate });
    }
    if (!format) throw new Error('no audio to join');
    await file.write(wavHeader(format, written), 0, 44, 0);
    return spans;
  } finally {
    await file.close();
  }
}

function wavHeader({ sampleRate, channels, bitsPerSample }: WavInfo, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  const blockAlign = channels * (bitsPerSample / 8);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(bitsPerSample, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}
