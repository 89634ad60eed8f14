import { randomSeed, seededRandom } from '../internal/random.js';
import { sleep } from '../internal/sleep.js';
import { UnrecoverableError } from './errors.js';
import type { PrepareContext, ProcessorContext } from './processor.js';

/** What the input of every simulated job type holds. */
export interface SimulatedInput {
  duration_seconds: number;
  error_rate?: number;
  seed?: number;
}

/**
 * What every simulated job type does alike: its error rate (the server's when
 * the input has none) and its seed are fixed at submit, so that a retry plays
 * the same outcome; an attempt may take twice the duration and a minute more.
 */
export const simulatedJob = {
  prepare<I extends SimulatedInput>(input: I, { simulateErrorRate }: PrepareContext): I {
    return { ...input, error_rate: input.error_rate ?? simulateErrorRate, seed: input.seed ?? randomSeed() };
  },
  timeoutMs(input: SimulatedInput): number {
    return input.duration_seconds * 1000 * 2 + 60_000;
  },
};

export interface SimulatedStage {
  stage: string;
  /** Share of the total duration. */
  weight: number;
  message: string;
}

export interface SimulationPlan {
  durationMs: number;
  stages: readonly SimulatedStage[];
  /** Set when this run fails: how far in (0-1) and with what message. */
  failure: { at: number; message: string } | null;
}

/**
 * Decide, from the seed alone, whether and where a simulated run fails, so
 * the same seed always gives the same outcome.
 */
export function planOutcome(seed: number, errorRate: number): { fails: boolean; at: number } {
  const random = seededRandom(seed);
  const fails = random() < errorRate;
  return { fails, at: 0.2 + random() * 0.75 };
}

/** Progress ticks per second at most; the reporter coalesces anyway. */
const TICK_MS = 100;

/**
 * Walk through the stages over the duration, moving progress steadily and
 * logging each stage, then fail at the planned point if the plan says so.
 */
export async function runSimulation(ctx: ProcessorContext<unknown>, plan: SimulationPlan): Promise<void> {
  const started = Date.now();
  const { durationMs, stages } = plan;
  ctx.setEta(new Date(started + durationMs));
  const totalWeight = stages.reduce((sum, s) => sum + s.weight, 0) || 1;
  const failAtMs = plan.failure ? plan.failure.at * durationMs : Number.POSITIVE_INFINITY;
  let stageStart = 0;
  for (const [index, stage] of stages.entries()) {
    const stageMs = (stage.weight / totalWeight) * durationMs;
    const stageEnd = index === stages.length - 1 ? durationMs : stageStart + stageMs;
    ctx.log(`${stage.stage}: ${stage.message}`);
    ctx.progress(Math.floor((stageStart / durationMs) * 100) || 0, {
      stage: stage.stage,
      message: stage.message,
    });
    for (;;) {
      const elapsed = Date.now() - started;
      if (elapsed >= failAtMs) {
        ctx.log(`${stage.stage}: backend error`);
        throw new UnrecoverableError('simulated_error', plan.failure!.message);
      }
      if (elapsed >= stageEnd) break;
      ctx.progress(Math.min(99, Math.floor((elapsed / durationMs) * 100)));
      await sleep(Math.min(TICK_MS, stageEnd - elapsed, failAtMs - elapsed), ctx.signal);
    }
    stageStart = stageEnd;
  }
  if (plan.failure && durationMs === 0) {
    throw new UnrecoverableError('simulated_error', plan.failure.message);
  }
  ctx.signal.throwIfAborted();
}
