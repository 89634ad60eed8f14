import type { Speech } from '../media/speech.js';
import type { MediaTools } from '../media/tools.js';
import { ToolMissingError } from '../media/tools.js';
import type { AddressPolicy } from '../net/ssrf.js';
import { UnrecoverableError } from './errors.js';
import type { Availability, ProcessorContext } from './processor.js';

/** What the media processors share: the tools, the speech engine, and the rule for input URLs. */
export interface MediaDeps {
  tools: MediaTools;
  speech: Speech;
  /** Whether input URLs may reach private addresses (--allow-private-urls). */
  policy: AddressPolicy;
}

/** Await a tool; a missing one fails the job with `tool_missing` (no retry: installing takes a person). */
export async function needTool<T>(find: () => Promise<T> | T): Promise<T> {
  try {
    return await find();
  } catch (err) {
    if (err instanceof ToolMissingError)
      throw new UnrecoverableError('tool_missing', err.message, { cause: err });
    throw err;
  }
}

/** A processor's `check()`: available when `probe` finds everything, else why not. */
export async function availability(probe: () => Promise<unknown>): Promise<Availability> {
  try {
    await probe();
    return { available: true };
  } catch (err) {
    return { available: false, reason: (err as Error).message };
  }
}

/**
 * Progress inside a stage that spans [from, to), with (when `eta`, for the
 * stage that takes most of the time) an ETA from the pace so far once a
 * little of the work is done.
 */
export function stageProgress(
  ctx: ProcessorContext<unknown>,
  from: number,
  to: number,
  { eta = true }: { eta?: boolean } = {},
): (fraction: number) => void {
  const started = Date.now();
  let lastEta = 0;
  return (fraction) => {
    ctx.progress(Math.min(to - 1, from + Math.floor(fraction * (to - from))));
    const now = Date.now();
    if (eta && fraction >= 0.02 && now - lastEta >= 1000) {
      lastEta = now;
      ctx.setEta(new Date(now + ((now - started) * (1 - fraction)) / fraction));
    }
  };
}
