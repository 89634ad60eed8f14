import { TERMINAL_STATUSES as TESTKIT_TERMINAL } from '@longrun/testkit';
import { describe, expect, it } from 'vitest';
import {
  ALL_STATES,
  canTransition,
  isTerminal,
  JOB_STATES,
  TERMINAL_STATES,
  TRANSITIONS,
} from '../../src/jobs/states.js';

// The state machine of ARCHITECTURE §2, written out independently of the table it checks.
const EXPECTED = new Set([
  'queued->running',
  'queued->canceled',
  'running->queued',
  'running->completed',
  'running->failed',
  'running->canceled',
]);

describe('job state machine', () => {
  it('has exactly the five states', () => {
    expect([...ALL_STATES].sort()).toEqual(['canceled', 'completed', 'failed', 'queued', 'running']);
    expect(Object.isFrozen(JOB_STATES)).toBe(true);
    expect(Object.isFrozen(TRANSITIONS)).toBe(true);
  });

  for (const from of ALL_STATES) {
    for (const to of ALL_STATES) {
      const allowed = EXPECTED.has(`${from}->${to}`);
      it(`${from} -> ${to} is ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(allowed);
      });
    }
  }

  it('never leaves a terminal state', () => {
    for (const from of ALL_STATES.filter(isTerminal)) {
      for (const to of ALL_STATES) expect(canTransition(from, to)).toBe(false);
    }
  });

  it('calls terminal exactly the states with no way out', () => {
    expect(ALL_STATES.filter(isTerminal)).toEqual(ALL_STATES.filter((s) => TRANSITIONS[s].length === 0));
  });

  it("agrees with testkit's copy of the terminal states", () => {
    expect([...TESTKIT_TERMINAL].sort()).toEqual([...TERMINAL_STATES].sort());
  });
});
