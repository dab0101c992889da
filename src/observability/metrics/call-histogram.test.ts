import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { CallHistogram } from './call-histogram.js';

const BUCKETS = [0.01, 0.1, 1, 10];
const OBSERVED: [string, string, number][] = [
  ['m1', 'ok', 0.005], ['m1', 'ok', 0.01], ['m1', 'ok', 0.5], ['m2', 'failed', 20], ['m1', 'retryable', 0.1], ['m2', 'ok', 3],
];

test('scrapes exactly as a prom-client Histogram with the same observations', async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const fast = new CallHistogram({ name: 'h_seconds', help: 'help', labelNames: ['model', 'outcome'], buckets: BUCKETS, registers: [ours] });
  const reference = new Histogram({ name: 'h_seconds', help: 'help', labelNames: ['model', 'outcome'] as const, buckets: BUCKETS, registers: [theirs] });
  for (const [model, outcome, value] of OBSERVED) {
    fast.observe(model, outcome, value);
    reference.observe({ model, outcome }, value);
  }
  const lines = async (registry: Registry): Promise<string[]> => (await registry.metrics()).split('\n').sort();
  assert.deepEqual(await lines(ours), await lines(theirs));
  const json = async (registry: Registry): Promise<unknown> => {
    const [metric] = await registry.getMetricsAsJSON();
    return (metric?.values ?? []).map((value) => `${(value as { metricName?: string }).metricName ?? ''}${JSON.stringify(value.labels)}=${value.value}`).sort();
  };
  assert.deepEqual(await json(ours), await json(theirs));
  assert.deepEqual(fast.counts().map(({ labels, count }) => `${labels.model}/${labels.outcome}=${count}`).sort(), ['m1/ok=3', 'm1/retryable=1', 'm2/failed=1', 'm2/ok=1']);
  ours.resetMetrics();
  assert.equal((await ours.metrics()).includes('h_seconds_count'), false, 'reset empties it');
});

test('refuses a value that is not a finite number', () => {
  const histogram = new CallHistogram({ name: 'h2', help: 'help', labelNames: ['a', 'b'], buckets: BUCKETS, registers: [] });
  assert.throws(() => histogram.observe('x', 'y', Number.NaN), TypeError);
});
