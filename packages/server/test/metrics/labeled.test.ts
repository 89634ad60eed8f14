import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LabeledCounter, LabeledHistogram } from '../../src/metrics/labeled.js';

/** The same metric made by prom-client and by labeled.ts, each in a registry of its own. */
function pair() {
  const theirs = new Registry();
  const ours = new Registry();
  const labelNames = ['method', 'route', 'status_code'] as const;
  const buckets = [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60];
  return {
    theirs,
    ours,
    histograms: [
      new Histogram({ name: 'h_seconds', help: 'H.', labelNames, buckets, registers: [theirs] }),
      new LabeledHistogram({ name: 'h_seconds', help: 'H.', labelNames, buckets, registers: [ours] }),
    ] as const,
    counters: [
      new Counter({ name: 'c_total', help: 'C "quoted".', labelNames: ['type'], registers: [theirs] }),
      new LabeledCounter({ name: 'c_total', help: 'C "quoted".', labelNames: ['type'], registers: [ours] }),
    ] as const,
  };
}

describe('labeled metrics', () => {
  it("show in a registry's text and JSON exactly as prom-client's own do, after the same observations", async () => {
    const { theirs, ours, histograms, counters } = pair();
    const observations: [Record<'method' | 'route' | 'status_code', string | number>, number][] = [
      [{ method: 'GET', route: '/v1/jobs/:id', status_code: 200 }, 0.0004],
      [{ method: 'GET', route: '/v1/jobs/:id', status_code: 200 }, 0.005],
      [{ route: '/v1/jobs/:id', status_code: 200, method: 'GET' }, 0.3],
      [{ method: 'POST', route: '/v1/jobs', status_code: 202 }, 75],
      [{ method: 'GET', route: 'un"quoted\\ \n', status_code: 404 }, 0.02],
    ];
    for (const [labels, value] of observations) for (const h of histograms) h.observe(labels, value);
    for (const type of ['simulate', 'simulate', 'video.translate']) for (const c of counters) c.inc({ type });
    for (const c of counters) c.inc({ type: 'simulate' }, 3);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    theirs.resetMetrics();
    ours.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('counts nothing for a value that is not a number, where prom-client throws', async () => {
    const { ours, histograms } = pair();
    histograms[1].observe({ method: 'GET', route: '/', status_code: 200 }, Number.NaN);
    expect(await ours.metrics()).not.toMatch(/h_seconds_count/);
  });
});
