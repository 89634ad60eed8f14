import type { Scenario } from '../scenario.js';
import { clientFaults } from './client-faults.js';
import { diskFullReadOnly } from './disk.js';
import { hostileInput } from './hostile.js';
import { killPostgres, killSqlite } from './kill.js';
import { largeInputs } from './large-inputs.js';
import { staleWorker } from './lease.js';
import { listenHalfOpen, postgresRestart } from './postgres-outage.js';
import { remoteWorkerKillPostgres, remoteWorkerKillSqlite } from './remote-worker-kill.js';
import { remoteWorkerPartition } from './remote-worker-partition.js';
import { security } from './security.js';
import { sigterm } from './sigterm.js';
import { soak } from './soak.js';

/** Every scenario, in the order a full run takes them. */
export const scenarios: Scenario[] = [
  killSqlite,
  killPostgres,
  staleWorker,
  remoteWorkerKillSqlite,
  remoteWorkerKillPostgres,
  remoteWorkerPartition,
  postgresRestart,
  listenHalfOpen,
  diskFullReadOnly,
  sigterm,
  security,
  hostileInput,
  largeInputs,
  clientFaults,
  soak,
];
