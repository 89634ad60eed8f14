import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunRecord, writeReport } from '../src/lib/docs.js';
import { replaceSection } from '../src/lib/report.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A page in a folder of its own, removed after the test; returns the page's path and its folder. */
function page(text: string): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
  dirs.push(dir);
  const file = join(dir, 'benchmarks.md');
  writeFileSync(file, text);
  return { file, dir };
}

function record(figure: string): RunRecord {
  return {
    startedAt: '2026-01-02T03:04:05.000Z',
    quick: false,
    command: 'npm run bench',
    seconds: 300,
    file: 'bench/results/2026-01-02T03-04-05-000Z.json',
    load: { start: 1, end: 2 },
    peers: { bullmq: '6.0.0', pgBoss: '10.0.0' },
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 4, os: 'Linux', node: 'v20.0.0' },
    services: { redis: '7.0.0', postgres: '15.0' },
    scenarios: [
      {
        name: 'throughput',
        seconds: 10,
        rows: [
          { system: 'longrun (SQLite)', 'jobs/s': 1000 },
          { system: 'BullMQ <peer> & co', 'jobs/s': 2000 },
        ],
        goals: [{ goal: 'longrun >= 1.5x "BullMQ"', met: false, figure }],
      },
    ],
    skipped: [{ name: 'wait', reason: 'not built in this checkout' }],
  };
}

describe('writeReport', () => {
  it('replaces its own part of the page on every run and keeps the sections after it', () => {
    const { file, dir } = page('# Benchmarks\n\n## End to end\n\nkept text\n');
    const docs = pathToFileURL(`${dir}/`);

    writeReport(record('0.50x first'), docs);
    writeReport(record('0.60x second'), docs);

    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# Benchmarks\n')).toBe(true);
    expect(text).toContain('0.60x second');
    expect(text).not.toContain('0.50x first');
    expect(text.match(/npm run bench writes from here/g)).toHaveLength(1);
    expect(text.indexOf('## Throughput')).toBeLessThan(text.indexOf('## End to end'));
    expect(text).toContain('kept text');
    expect(text).toContain('Not measured: wait (not built in this checkout).');
    expect(text).toMatch(/\| longrun \(SQLite\)\s+\|\s+1000 \|/);
  });

  it('draws an SVG with every label escaped and a bar per row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'benchmarks.md'), '# Benchmarks\n');
    writeReport(record('0.50x'), pathToFileURL(`${dir}/`));

    const svg = readFileSync(join(dir, 'benchmarks.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toMatch(/<title>longrun benchmarks: 0 of 1 goals met./);
    expect(svg).toContain('BullMQ &lt;peer&gt; &amp; co');
    expect(svg).toContain('longrun &gt;= 1.5x &quot;BullMQ&quot;');
    expect(svg).not.toMatch(/<peer>/);
    // One bar per row, the larger value drawn wider.
    const widths = [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)" height="16"/g)].map((m) =>
      Number(m[1]),
    );
    expect(widths).toHaveLength(2);
    expect(widths[1]!).toBeGreaterThan(widths[0]!);
  });
});

describe('replaceSection', () => {
  it('replaces the section whose heading is the whole line, not one that starts with it', () => {
    const { file } = page('## Waiting for a batch\n\nbatch\n\n## Waiting\n\nold\n\n## End\n\nend\n');
    replaceSection(file, 'Waiting', '## Waiting\n\nnew\n\n');
    expect(readFileSync(file, 'utf8')).toBe(
      '## Waiting for a batch\n\nbatch\n\n## Waiting\n\nnew\n\n## End\n\nend\n',
    );
    replaceSection(file, 'Waiting for a batch', '## Waiting for a batch\n\nmore\n\n');
    replaceSection(file, 'Other', '## Other\n\nadded\n');
    expect(readFileSync(file, 'utf8')).toBe(
      '## Waiting for a batch\n\nmore\n\n## Waiting\n\nnew\n\n## End\n\nend\n\n## Other\n\nadded\n',
    );
  });
});
