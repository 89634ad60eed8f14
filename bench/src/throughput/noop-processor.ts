/**
 * The job type of longrun's turn in the throughput scenario, loaded by the
 * server with `--processors`: a handler that does nothing, as the peers' are.
 * (The built-in `simulate` type, even with no duration, logs a line and
 * reports its progress for each of its three stages.)
 */
import { type DefinedProcessor, defineProcessor } from '@longrun/server';
import { NOOP_TYPE } from './protocol.js';

const noop: DefinedProcessor = defineProcessor({
  type: NOOP_TYPE,
  description: 'Does nothing: the cost of a job to the server alone.',
  // Waiting work: the queue runs as many at once as --wait-concurrency allows.
  queue: 'bench',
  work: 'waiting',
  inputSchema: { type: 'object', additionalProperties: false, properties: {} },
  async run() {
    return {};
  },
});

export default noop;
