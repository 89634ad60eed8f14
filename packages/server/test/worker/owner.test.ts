import { describe, expect, it } from 'vitest';
import { deadLocalOwners, newOwnerId } from '../../src/worker/owner.js';

/** A pid that no process has now (pids stay below 2^22 on Linux). */
const GONE = 4_194_000;

describe('lease owners', () => {
  it('names the node, the process and a random part', () => {
    expect(newOwnerId('node-a')).toMatch(new RegExp(`^node-a:${process.pid}:[0-9a-f]{8}$`));
  });

  it('finds dead processes only on its own node, never itself or a live one', () => {
    const self = newOwnerId('here');
    const owners = [
      self,
      `here:${GONE}:aa`,
      `there:${GONE}:bb`,
      `here:${process.pid}:cc`,
      `here:1:dd`,
      'junk',
    ];
    expect(deadLocalOwners(owners, self, 'here')).toEqual([`here:${GONE}:aa`]);
    expect(deadLocalOwners(owners, self, 'there')).toEqual([`there:${GONE}:bb`]);
  });
});
