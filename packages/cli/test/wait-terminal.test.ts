import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type LongrunServer, removeDir, startServer, tempDir } from '@longrun/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cli, videoJob } from './helpers/cli.js';

const haveTmux = spawnSync('tmux', ['-V']).status === 0;
if (!haveTmux) {
  if (process.env.CI) throw new Error('the terminal test needs tmux (.ci/run installs it)');
  console.warn('longrun terminal test skipped: no tmux (apt-get install tmux)');
}

/**
 * `longrun wait` in a real terminal: tmux gives the command a pseudo-terminal,
 * and the screen is read back with capture-pane while the job runs.
 */
describe.runIf(haveTmux)('longrun wait in a terminal (tmux)', () => {
  // A tmux server of our own, on its own socket, so no one else's sessions are touched.
  const socket = `longrun-test-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  let server: LongrunServer;

  beforeAll(async () => {
    server = await startServer(['--simulate-error-rate', '0']);
  });
  afterAll(async () => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    await server?.close();
  });

  /** Run a shell command line in a fresh 120x20 terminal; it prints EXIT=<code> when done. */
  function openTerminal(name: string, commandLine: string): () => string {
    tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '20', `${commandLine}; echo EXIT=$?; sleep 600`);
    return () => tmux('capture-pane', '-p', '-t', name);
  }

  /** Read the screen every 50 ms until the command has printed EXIT=<code>; the last screen. */
  async function untilExit(
    screen: () => string,
    onScreen: (text: string) => void = () => {},
  ): Promise<string> {
    let text = '';
    for (let i = 0; i < 600 && !/EXIT=\d+/.test(text); i++) {
      text = screen();
      onScreen(text);
      await new Promise((r) => setTimeout(r, 50));
    }
    return text;
  }

  it('draws a bar that moves to 100%, with stage, message, elapsed and eta, and exits 0', async () => {
    const id = (await cli(['submit', 'simulate', 'duration_seconds=4'], { url: server.url })).stdout.trim();
    const screen = openTerminal('wait', `LONGRUN_URL=${server.url} ${process.execPath} ${CLI} wait ${id}`);
    const percents = new Set<number>();
    const screens: string[] = [];
    const text = await untilExit(screen, (shown) => {
      // The bar line: shaded blocks, then "running · 42% · processing · Processing · elapsed 1s · eta 2s".
      const bar = shown.split('\n').find((l) => /[█░]{30} \w+ · \d+% · /.test(l));
      if (bar) {
        percents.add(Number(/ (\d+)% · /.exec(bar)![1]));
        if (screens.at(-1) !== bar) screens.push(bar);
      }
    });
    expect(text).toMatch(/EXIT=0/);
    expect(percents.has(100)).toBe(true);
    // The bar moved: values strictly between 0 and 100 were on the screen before it filled.
    expect([...percents].filter((p) => p > 0 && p < 100).length).toBeGreaterThan(2);
    expect(
      screens.some((l) => /running · \d+% · processing · Processing · elapsed \d+s · eta \d+s/.test(l)),
    ).toBe(true);
    // The last state stays on screen, followed by the summary; the bar was redrawn in place.
    expect(text).toMatch(/█{30} completed · 100% · finalizing · .*\n.*completed in \d+s/);
    expect(text.match(/[█░]{30}/g)).toHaveLength(1);
  });

  it('submit --wait shows the id, then the bar, and exits 1 for a failed job', async () => {
    const screen = openTerminal(
      'fail',
      `LONGRUN_URL=${server.url} ${process.execPath} ${CLI} submit simulate duration_seconds=1 error_rate=1 --max-attempts 1 --wait`,
    );
    const text = await untilExit(screen);
    expect(text).toMatch(/^submitted [0-9a-f-]{36}\n/);
    expect(text).toMatch(/[█░]{30} failed · \d+% · /);
    expect(text).toMatch(/failed after \d+s: simulated_error: /);
    expect(text).toMatch(/EXIT=1/);
  });

  it('download draws a byte bar that reaches the artifact size', async () => {
    const job = await videoJob(server.url, 'download bar test');
    if (!job) return;
    const size = job.output.artifacts.find((a: { name: string }) => a.name === 'video.mp4').size as number;
    const dir = tempDir('longrun-cli-bar-');
    try {
      const screen = openTerminal(
        'download',
        `cd ${dir} && LONGRUN_URL=${server.url} ${process.execPath} ${CLI} download ${job.id} video.mp4`,
      );
      const text = await untilExit(screen);
      expect(text).toMatch(/EXIT=0/);
      const kb = `${(size / 1024).toFixed(1)} KB`;
      expect(text).toContain(`video.mp4 ${'█'.repeat(30)} 100% ${kb} of ${kb}`);
      expect(text).toContain(`saved video.mp4 (${kb}) to video.mp4`);
      expect(statSync(join(dir, 'video.mp4')).size).toBe(size);
    } finally {
      removeDir(dir);
    }
  });
});
