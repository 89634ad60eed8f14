import type { Scenario } from '../scenario.js';
import { diskFullReadOnly } from './disk.js';
import { killPostgres, killSqlite } from './kill.js';
import { staleWorker } from './lease.js';
import { listenHalfOpen, postgresRestart } from './postgres-outage.js';
import { security } from './security.js';
import { sigterm } from './sigterm.js';

/** Every scenario, in the order a full run takes them. */
export const scenarios: Scenario[] = [
  killSqlite,
  killPostgres,
  staleWorker,
  postgresRestart,
  listenHalfOpen,
  diskFullReadOnly,
  sigterm,
  security,
];
