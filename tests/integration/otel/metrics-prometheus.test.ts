import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { attachCostMetrics, type CostMetricsOptions } from '../../../src/otel/index.js';
import { calculateCost, PriceCatalog } from '../../../src/pricing/index.js';
import { CostTracker } from '../../../src/tracker/index.js';

// Price facts of this file, USD per 1M tokens. Per token that is the price × 1,000,000 picodollars
// (1 USD = 1e12 pico), an integer for each of them, so the expected costs below are exact integers
// computed without the library.
const PRICES = {
  alpha: { provider: 'openai', input: 2.5, cacheRead: 1.25, output: 10 },
  beta: { provider: 'anthropic', input: 3, cacheRead: 0.3, output: 15 },
} as const;
type Model = keyof typeof PRICES;
const picoPerToken = (usdPerMillion: number) => BigInt(Math.round(usdPerMillion * 1e6));

const catalog = PriceCatalog.fromData({
  version: 1,
  models: (Object.keys(PRICES) as Model[]).map((id) => {
    const { provider, ...prices } = PRICES[id];
    return { id, provider, prices };
  }),
});

/** The calls of the test: 60, two models, two operations, five users; token counts from the index. */
const CALLS = Array.from({ length: 60 }, (_, i) => ({
  model: (i % 2 === 0 ? 'alpha' : 'beta') as Model,
  operation: i % 3 === 0 ? 'summarize' : 'chat',
  userId: `user-${i % 5}`,
  usage: { input: 1_000 + 37 * i, cacheRead: (i % 4) * 500, output: 200 + 11 * i },
}));

/** Expected cost (pico), input tokens (all prompt-side buckets) and output tokens per model+operation. */
function expected() {
  const out = new Map<string, { pico: bigint; input: number; output: number }>();
  for (const c of CALLS) {
    const p = PRICES[c.model];
    const key = `${c.model} ${c.operation}`;
    const e = out.get(key) ?? { pico: 0n, input: 0, output: 0 };
    e.pico +=
      BigInt(c.usage.input) * picoPerToken(p.input) +
      BigInt(c.usage.cacheRead) * picoPerToken(p.cacheRead) +
      BigInt(c.usage.output) * picoPerToken(p.output);
    e.input += c.usage.input + c.usage.cacheRead;
    e.output += c.usage.output;
    out.set(key, e);
  }
  return out;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format → samples (comments kept apart). */
function parse(text: string): { samples: Sample[]; comments: string[] } {
  const samples: Sample[] = [];
  const comments: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      comments.push(line);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`unparsed line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, comments };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A tracker with metrics through a real SDK MeterProvider and Prometheus exporter, scraped on loopback. */
async function setup(options: Omit<CostMetricsOptions, 'meterProvider'> = {}) {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const server: Server = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  cleanups.push(
    () => new Promise<void>((resolve) => server.close(() => resolve())),
    () => meterProvider.shutdown(),
  );
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const tracker = new CostTracker({ now: () => Date.UTC(2026, 11, 4, 12), logger: quiet });
  const metrics = attachCostMetrics(tracker, { meterProvider, ...options });
  const scrape = async () => parse(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  const recordAll = () => {
    for (const c of CALLS) {
      const r = calculateCost({ model: c.model, usage: c.usage }, catalog)!;
      tracker.record(r, { operation: c.operation, userId: c.userId });
    }
  };
  return { tracker, metrics, scrape, recordAll };
}

const COST = 'langfuse_cost_usage_cost_total';
const TOKENS_SUM = 'gen_ai_client_token_usage_sum';

describe('cost and token metrics scraped from the real Prometheus exporter', () => {
  it('cost per series equals the exact cost from the price facts; totals equal the tracker’s', async () => {
    const { tracker, scrape, recordAll } = await setup();
    recordAll();
    const { samples, comments } = await scrape();
    const exp = expected();

    const cost = samples.filter((s) => s.name === COST);
    expect(cost).toHaveLength(4); // 2 models × 2 operations
    for (const s of cost) {
      const e = exp.get(`${s.labels.gen_ai_request_model} ${s.labels.gen_ai_operation_name}`)!;
      // The exporter prints the double nearest the exact total: one rounding, no float sum.
      expect(s.value).toBe(Number(e.pico) / 1e12);
      expect(s.labels.gen_ai_response_model).toBe(s.labels.gen_ai_request_model);
      expect(s.labels.gen_ai_provider_name).toBe(PRICES[s.labels.gen_ai_request_model as Model].provider);
      expect(s.labels).not.toHaveProperty('user_id');
    }
    const stats = tracker.stats();
    const scrapedPico = cost.reduce((a, s) => a + BigInt(Math.round(s.value * 1e12)), 0n);
    const expectedPico = [...exp.values()].reduce((a, e) => a + e.pico, 0n);
    expect(scrapedPico).toBe(expectedPico);
    expect(stats.totalPico).toBe(expectedPico);

    for (const type of ['input', 'output'] as const) {
      const sums = samples.filter((s) => s.name === TOKENS_SUM && s.labels.gen_ai_token_type === type);
      expect(sums).toHaveLength(4);
      for (const s of sums) {
        const e = exp.get(`${s.labels.gen_ai_request_model} ${s.labels.gen_ai_operation_name}`)!;
        expect(s.value).toBe(e[type]);
      }
      const total = sums.reduce((a, s) => a + s.value, 0);
      const t = stats.tokens;
      expect(total).toBe(
        type === 'input'
          ? t.input + t.cacheRead + t.cacheWrite + t.cacheWrite1h + t.inputAudio + t.inputImage
          : t.output + t.reasoning + t.outputAudio,
      );
    }
    const counts = samples.filter((s) => s.name === 'gen_ai_client_token_usage_count');
    expect(counts.reduce((a, s) => a + s.value, 0)).toBe(2 * CALLS.length);
    // The conventions' advised boundaries (powers of 4), not the SDK's defaults.
    const les = samples.filter((s) => s.name === 'gen_ai_client_token_usage_bucket').map((s) => s.labels.le);
    expect(new Set(les)).toEqual(
      new Set([
        '1',
        '4',
        '16',
        '64',
        '256',
        '1024',
        '4096',
        '16384',
        '65536',
        '262144',
        '1048576',
        '4194304',
        '16777216',
        '67108864',
        '+Inf',
      ]),
    );
    expect(comments).toContain('# TYPE langfuse_cost_usage_cost_total counter');
    expect(comments).toContain('# UNIT langfuse_cost_usage_cost_total USD');
    expect(comments).toContain('# TYPE gen_ai_client_token_usage histogram');
  });

  it('users are labels only when asked; past maxSeries calls go to one overflow series, totals intact', async () => {
    const withUsers = await setup({ attributes: { user: true } });
    withUsers.recordAll();
    const users = (await withUsers.scrape()).samples.filter((s) => s.name === COST);
    // user-k makes calls i ≡ k (mod 5): i covers both parities (models) and i mod 3 (operations)
    // takes every value, so each user has all 2 × 2 model/operation pairs: 20 series.
    expect(new Set(users.map((s) => s.labels.user_id))).toEqual(
      new Set(['user-0', 'user-1', 'user-2', 'user-3', 'user-4']),
    );
    expect(users).toHaveLength(20);

    const capped = await setup({ attributes: { user: true }, maxSeries: 5 });
    capped.recordAll();
    const cost = (await capped.scrape()).samples.filter((s) => s.name === COST);
    expect(cost).toHaveLength(5);
    expect(cost.filter((s) => s.labels.otel_metric_overflow === 'true')).toHaveLength(1);
    expect(capped.metrics.seriesCount).toBe(5);
    const total = cost.reduce((a, s) => a + BigInt(Math.round(s.value * 1e12)), 0n);
    expect(total).toBe([...expected().values()].reduce((a, e) => a + e.pico, 0n));
  });

  it('an unpriced call counts in the unpriced counter and its tokens, not in cost', async () => {
    const { tracker, scrape } = await setup();
    tracker.recordUnpriced('mystery-model', 'openai', { input: 700, output: 30 }, { operation: 'chat' });
    const { samples } = await scrape();
    expect(samples.filter((s) => s.name === COST)).toEqual([]);
    const unpriced = samples.filter((s) => s.name === 'langfuse_cost_usage_unpriced_calls_total');
    expect(unpriced.map((s) => [s.labels.gen_ai_request_model, s.value])).toEqual([['mystery-model', 1]]);
    const tokens = samples
      .filter((s) => s.name === TOKENS_SUM)
      .map((s) => [s.labels.gen_ai_token_type, s.value]);
    expect(tokens.sort()).toEqual([
      ['input', 700],
      ['output', 30],
    ]);
  });

  it('shutdown() stops listening: later calls are not counted', async () => {
    const { tracker, metrics, scrape } = await setup();
    const r = calculateCost({ model: 'alpha', usage: { input: 1_000 } }, catalog)!;
    tracker.record(r, { operation: 'chat' });
    metrics.shutdown();
    tracker.record(r, { operation: 'chat' });
    const tokens = (await scrape()).samples.filter((s) => s.name === TOKENS_SUM);
    expect(tokens.map((s) => s.value)).toEqual([1_000]);
  });
});
