import { describe, expect, it } from 'vitest';
import { Completions } from '../../src/throughput/completions.js';

describe('Completions', () => {
  it('resolves a wait when its job is heard, and at once for a job heard before it was asked for', async () => {
    const c = new Completions();
    c.heard('early');
    const late = c.waitFor('late');
    expect(c.waiting).toBe(1);
    let lateDone = false;
    void late.then(() => {
      lateDone = true;
    });
    await c.waitFor('early');
    await Promise.resolve();
    expect(lateDone).toBe(false);
    c.heard('late');
    await late;
    expect(c.waiting).toBe(0);
  });

  it('counts a completion heard early once', async () => {
    const c = new Completions();
    c.heard('a');
    await c.waitFor('a');
    const again = c.waitFor('a');
    expect(c.waiting).toBe(1);
    c.heard('a');
    await again;
  });
});
