/**
 * A histogram over two labels that is cheap to observe, for an event that happens on every
 * backend call (tens of thousands a second): prom-client's `Histogram.observe` builds and hashes
 * a label key on every call, this one finds its series through two Map lookups and counts into
 * a plain array. At scrape time it hands the registry exactly what a prom-client Histogram with
 * the same name, labels and buckets would (cumulative `_bucket` series with `le` first, then
 * `+Inf`, `_sum` and `_count`), so the exposition is unchanged; `counts()` gives each series'
 * count, for a counter of the same events.
 */
import type { Registry } from 'prom-client';

/** One label pair's observations. */
interface Series {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket (not cumulative); the last slot is above every bound (+Inf). */
  readonly buckets: number[];
  sum: number;
  count: number;
}

/** A value of the metric, as prom-client's registry reads it. */
interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

export interface CallHistogramOptions {
  name: string;
  help: string;
  labelNames: readonly [string, string];
  /** Upper bounds, ascending. */
  buckets: readonly number[];
  registers: readonly Registry[];
}

export class CallHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly [string, string];
  private readonly bounds: readonly number[];
  private readonly series = new Map<string, Map<string, Series>>();

  constructor(options: CallHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.bounds = [...options.buckets];
    // The registry needs only name, help, type, aggregator, get() and reset() (see the header).
    for (const registry of options.registers) registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  observe(first: string, second: string, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const series = this.seriesOf(first, second);
    const { bounds } = this;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index++;
    series.buckets[index] = (series.buckets[index] ?? 0) + 1;
    series.sum += value;
    series.count++;
  }

  /** Each series' labels and count. */
  counts(): { labels: Readonly<Record<string, string>>; count: number }[] {
    const counts: { labels: Readonly<Record<string, string>>; count: number }[] = [];
    for (const bySecond of this.series.values()) for (const series of bySecond.values()) counts.push({ labels: series.labels, count: series.count });
    return counts;
  }

  get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const bySecond of this.series.values()) {
      for (const series of bySecond.values()) {
        let cumulative = 0;
        this.bounds.forEach((bound, index) => {
          cumulative += series.buckets[index] ?? 0;
          values.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: bucketName });
        });
        values.push({ labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: bucketName });
        values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` });
        values.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` });
      }
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    this.series.clear();
  }

  private seriesOf(first: string, second: string): Series {
    let bySecond = this.series.get(first);
    if (bySecond === undefined) {
      bySecond = new Map();
      this.series.set(first, bySecond);
    }
    let series = bySecond.get(second);
    if (series === undefined) {
      const [firstName, secondName] = this.labelNames;
      series = { labels: { [firstName]: first, [secondName]: second }, buckets: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      bySecond.set(second, series);
    }
    return series;
  }
}
