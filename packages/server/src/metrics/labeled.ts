import type { Registry } from 'prom-client';

type Labels<L extends string> = Record<L, string | number>;

/** One series as prom-client's registry formats it (see its `getMetricsAsString`). */
interface SeriesValue {
  value: number;
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string | number>;
  metricName?: string;
  exemplar?: null;
}

interface MetricData {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: SeriesValue[];
  aggregator: 'sum';
}

interface Options<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registers: Registry[];
}

/**
 * A metric with labels that a registry of prom-client shows as one of its
 * own, counted here. prom-client checks, hashes and sorts the labels of every
 * observation (about 0.9 µs): a job's changes pay that four times, and every
 * HTTP request once, a few per cent of a no-op job or a status read served
 * from memory. Here a series is found by its label values, one map lookup
 * each, in the order of `labelNames`, which is also the order they are shown in;
 * values are keys as given, so a label is given as a number or as a string, always.
 */
abstract class Labeled<L extends string, Series extends { labels: Labels<L> }> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum' as const;
  readonly #labelNames: readonly L[];
  /** A map per label, in the order of `labelNames`, keyed by its value; the last one's values are the series. */
  #root = new Map<string | number, unknown>();
  #series: Series[] = [];

  constructor({ name, help, labelNames, registers }: Options<L>) {
    this.name = name;
    this.help = help;
    this.#labelNames = labelNames;
    for (const registry of registers) registry.registerMetric(this as never);
  }

  /** The series of `labels`, made (all at zero) on first use. */
  protected series(labels: Labels<L>): Series {
    const names = this.#labelNames;
    let map = this.#root;
    const last = names.length - 1;
    for (let i = 0; i < last; i++) {
      const value = labels[names[i]!];
      let next = map.get(value) as Map<string | number, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        map.set(value, next);
      }
      map = next;
    }
    const value = last < 0 ? '' : labels[names[last]!];
    let series = map.get(value) as Series | undefined;
    if (series === undefined) {
      const own = {} as Labels<L>;
      for (const name of names) own[name] = labels[name];
      series = this.create(own);
      map.set(value, series);
      this.#series.push(series);
    }
    return series;
  }

  protected abstract create(labels: Labels<L>): Series;

  /** Every series, in the order they were first used. */
  protected all(): readonly Series[] {
    return this.#series;
  }

  /** What the registry's `resetMetrics` calls. */
  reset(): void {
    this.#root = new Map();
    this.#series = [];
  }
}

/** A counter with labels (see {@link Labeled}). */
export class LabeledCounter<L extends string> extends Labeled<L, { labels: Labels<L>; value: number }> {
  readonly type = 'counter' as const;

  inc(labels: Labels<L>, by = 1): void {
    this.series(labels).value += by;
  }

  protected create(labels: Labels<L>) {
    return { labels, value: 0 };
  }

  async get(): Promise<MetricData> {
    const values = this.all().map(({ labels, value }) => ({ labels, value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

interface HistogramSeries<L extends string> {
  labels: Labels<L>;
  /** Observations in each bucket alone, not yet summed up to the bound. */
  counts: number[];
  sum: number;
  count: number;
}

/** A histogram with labels (see {@link Labeled}), shown as prom-client shows its own. */
export class LabeledHistogram<L extends string> extends Labeled<L, HistogramSeries<L>> {
  readonly type = 'histogram' as const;
  readonly #bounds: readonly number[];

  constructor({ buckets, ...options }: Options<L> & { buckets: readonly number[] }) {
    super(options);
    this.#bounds = [...buckets].sort((a, b) => a - b);
  }

  /** Count `value` (a value that is not a finite number is not counted: prom-client throws on it). */
  observe(labels: Labels<L>, value: number): void {
    if (!Number.isFinite(value)) return;
    const series = this.series(labels);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    if (i < bounds.length) series.counts[i]! += 1;
    series.sum += value;
    series.count += 1;
  }

  protected create(labels: Labels<L>): HistogramSeries<L> {
    return { labels, counts: this.#bounds.map(() => 0), sum: 0, count: 0 };
  }

  /** The series in prom-client's shape for its text format: the bucket's bound first, then the labels. */
  async getForPromString(): Promise<MetricData> {
    const values: SeriesValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, counts, sum, count } of this.all()) {
      let below = 0;
      this.#bounds.forEach((le, i) => {
        below += counts[i]!;
        values.push({ labels: { le }, sharedLabels: labels, value: below, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: labels, value: count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** As prom-client's `get`: each value's labels whole, and a bucket's exemplar (none is kept). */
  async get(): Promise<MetricData> {
    const data = await this.getForPromString();
    const bucket = `${this.name}_bucket`;
    data.values = data.values.map(({ labels, sharedLabels, value, metricName }) => ({
      labels: { ...labels, ...sharedLabels },
      value,
      ...(metricName ? { metricName } : {}),
      ...(metricName === bucket ? { exemplar: null } : {}),
    }));
    return data;
  }
}
