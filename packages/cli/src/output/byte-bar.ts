import cliProgress from 'cli-progress';
import { bytes } from './format.js';

export interface ByteBar {
  add(n: number): void;
  stop(): void;
}

/** A bar for a transfer of `total` bytes, drawn on `terminal`: `[████░░] 42% 3.1 MB of 7.4 MB · 2.0 MB/s · eta 2s`. */
export function byteBar(label: string, total: number, terminal: NodeJS.WritableStream): ByteBar {
  const bar = new cliProgress.SingleBar(
    {
      stream: terminal,
      fps: 8,
      barsize: 30,
      hideCursor: true,
      linewrap: true,
      format: (options, params) => {
        const seconds = Math.max(0.001, (Date.now() - params.startTime) / 1000);
        const rate = params.value / seconds;
        const eta =
          params.value >= params.total
            ? ''
            : ` · eta ${cliProgress.Format.TimeFormat(params.eta, options, 1)}`;
        return `${label} ${cliProgress.Format.BarFormat(params.progress, options)} ${Math.floor(params.progress * 100)}% ${bytes(params.value)} of ${bytes(params.total)} · ${bytes(Math.round(rate))}/s${eta}`;
      },
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { add: (n) => bar.increment(n), stop: () => bar.stop() };
}
