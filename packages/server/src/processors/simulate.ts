import type { Processor } from './processor.js';
import { planOutcome, runSimulation, type SimulatedInput, simulatedJob } from './simulated-backend.js';

/**
 * A stand-in for a flaky video backend: it takes `duration_seconds`, moves
 * its progress steadily, and fails with `simulated_error` at `error_rate`.
 * Whether it fails is fixed at submit by the seed, so a run can be replayed.
 */
export const simulate: Processor<SimulatedInput> = {
  type: 'simulate',
  queue: 'simulate',
  work: 'waiting',
  description:
    'Simulates a slow, flaky video backend: runs for duration_seconds with steady progress and fails with ' +
    'simulated_error at error_rate (decided at submit from seed, so a seed reproduces the outcome).',
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      duration_seconds: {
        type: 'number',
        minimum: 0,
        maximum: 86400,
        default: 20,
        description: 'How long the job runs, in seconds.',
      },
      error_rate: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        description:
          "Chance of failing with simulated_error; the server's --simulate-error-rate when omitted.",
      },
      seed: {
        type: 'integer',
        minimum: 0,
        maximum: 2147483647,
        description: 'Fixes the outcome; a random one is chosen and stored when omitted.',
      },
    },
  },
  ...simulatedJob,
  async run(ctx) {
    const { duration_seconds, error_rate = 0, seed = 0 } = ctx.input;
    const outcome = planOutcome(seed, error_rate);
    const durationMs = duration_seconds * 1000;
    await runSimulation(ctx, {
      durationMs,
      stages: [
        { stage: 'preparing', weight: 1, message: 'Preparing the job' },
        { stage: 'processing', weight: 8, message: 'Processing' },
        { stage: 'finalizing', weight: 1, message: 'Finalizing the result' },
      ],
      failure: outcome.fails ? { at: outcome.at, message: 'The simulated backend reported an error.' } : null,
    });
    return { result: 'completed', duration_seconds, seed };
  },
};
