import type { Attributes, MeterProvider, ObservableResult } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { CostMetrics, TOKEN_USAGE_METRIC } from '../../../src/otel/index.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { handResult } from '../../helpers/tracker-fixtures.js';

/** A MeterProvider that keeps what the instruments are given (no SDK). */
function fakeProvider(opts: { throwOnRecord?: boolean } = {}) {
  const points: { name: string; value: number; attrs: Attributes }[] = [];
  const callbacks = new Map<string, (r: ObservableResult) => void>();
  const instrument = (name: string) => ({
    record(value: number, attrs: Attributes = {}) {
      if (opts.throwOnRecord) throw new Error('exporter exploded');
      points.push({ name, value, attrs });
    },
    addCallback(cb: (r: ObservableResult) => void) {
      callbacks.set(name, cb);
    },
    removeCallback() {
      callbacks.delete(name);
    },
  });
  const meter = { createHistogram: instrument, createObservableCounter: instrument };
  const provider = { getMeter: () => meter } as unknown as MeterProvider;
  const observe = (name: string) => {
    const got: { value: number; attrs: Attributes }[] = [];
    callbacks.get(name)?.({
      observe: (value: number, attrs: Attributes = {}) => got.push({ value, attrs }),
    } as ObservableResult);
    return got;
  };
  return { provider, points, observe };
}

describe('CostMetrics', () => {
  it('only queues on the host’s call; the histogram is updated right after (a microtask)', async () => {
    const f = fakeProvider();
    const t = new CostTracker();
    new CostMetrics({ meterProvider: f.provider }).attach(t);
    t.record(handResult(5e9, 'm', 'aws', 1234), { operation: 'chat' });
    expect(f.points).toHaveLength(0);
    await Promise.resolve();
    expect(f.points).toEqual([
      {
        name: TOKEN_USAGE_METRIC,
        value: 1234,
        attrs: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'aws.bedrock',
          'gen_ai.request.model': 'm',
          'gen_ai.response.model': 'm',
          'gen_ai.token.type': 'input',
        },
      },
    ]);
  });

  it('a collection reads the exact picodollar total, even of records still queued', () => {
    const f = fakeProvider();
    const t = new CostTracker();
    new CostMetrics({ meterProvider: f.provider }).attach(t);
    // 0.1 + 0.2 as floats is 0.30000000000000004; as picodollars it is exactly 0.3.
    t.record(handResult(100_000_000_000, 'm', 'openai'));
    t.record(handResult(200_000_000_000, 'm', 'openai'));
    const got = f.observe('langfuse_cost.usage.cost');
    expect(got.map((g) => g.value)).toEqual([0.3]);
  });

  it('maps provider ids to the conventions’ gen_ai.provider.name values', async () => {
    const f = fakeProvider();
    const t = new CostTracker();
    new CostMetrics({ meterProvider: f.provider }).attach(t);
    for (const p of ['openai', 'anthropic', 'aws', 'azure', 'google', 'mistral', 'x-ai', 'groq'])
      t.record(handResult(1, `m-${p}`, p));
    await Promise.resolve();
    expect(f.points.map((p) => p.attrs['gen_ai.provider.name'])).toEqual([
      'openai',
      'anthropic',
      'aws.bedrock',
      'azure.ai.openai',
      'gcp.gen_ai',
      'mistral_ai',
      'x_ai',
      'groq',
    ]);
  });

  it('a meter that throws never reaches the host; it is logged once', async () => {
    const f = fakeProvider({ throwOnRecord: true });
    const warnings: string[] = [];
    const t = new CostTracker();
    new CostMetrics({
      meterProvider: f.provider,
      logger: { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} },
    }).attach(t);
    expect(() => {
      t.record(handResult(1));
      t.record(handResult(1));
    }).not.toThrow();
    await Promise.resolve();
    expect(warnings).toEqual(['cost metrics could not record a call of "hand-model": exporter exploded']);
  });

  it('rejects a missing meter provider and a bad maxSeries', () => {
    expect(() => new CostMetrics({} as never)).toThrow(/meterProvider/);
    expect(() => new CostMetrics({ meterProvider: fakeProvider().provider, maxSeries: 0 })).toThrow(
      /maxSeries/,
    );
  });
});
