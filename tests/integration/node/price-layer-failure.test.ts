import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatOpenAI } from '@langchain/openai';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { getLogger, type Logger, setLogger } from '../../../src/logger.js';
import { catalogHealth, getNodeCatalog, resetNodeCatalog } from '../../../src/node/default-catalog.js';
import { COST_ATTR, CostSpanProcessor } from '../../../src/otel/index.js';
import { onlyRecord, testTracker } from '../../helpers/langchain-fixtures.js';
import { memoryLogger, memoryTracker } from '../../helpers/otel-span-cases.js';
import { type ProviderServer, startProviderServer } from '../../helpers/providers/index.js';

// One price file that cannot be loaded must not take the others down: a team's negotiated prices in a
// good file keep applying, through the default catalog of each adapter, next to a broken YAML file and
// a file that does not validate. Before, getNodeCatalog threw: the LangChain handler booked every call
// unpriced and the span processor fell back to the bundled prices only.

// Price facts (USD per 1M tokens): the negotiated price in the good file, and the bundled price of
// gpt-4o-mini (docs/pricing.md prices it the same way).
const NEGOTIATED = { input: 1.25, cacheRead: 0.5, output: 5 };
const MINI = { input: 0.15, output: 0.6 };
const pico = (tokens: number, perMillion: number) => Math.round(tokens * perMillion * 1e6);

const dir = mkdtempSync(join(tmpdir(), 'lc-layer-failure-'));
const goodFile = join(dir, 'negotiated.json');
const brokenYaml = join(dir, 'broken.yaml');
const invalidJson = join(dir, 'invalid.json');
writeFileSync(
  goodFile,
  JSON.stringify({
    version: 1,
    models: [{ id: 'gpt-4o-2024-08-06', provider: 'openai', prices: NEGOTIATED }],
  }),
);
writeFileSync(brokenYaml, 'version: 1\nmodels: [ {id: acme-chat, provider: acme\n');
writeFileSync(
  invalidJson,
  JSON.stringify({ version: 1, models: [{ id: 'acme-chat', provider: 'acme', prices: { input: -2 } }] }),
);

const ENV_KEYS = [
  'LANGFUSE_COST_PRICES',
  'LANGFUSE_COST_CACHE_DIR',
  'XDG_CONFIG_HOME',
  'LANGFUSE_COST_FALLBACK_PRICE',
];
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
let warnings: string[];
let previousLogger: Logger;

beforeEach(() => {
  // The good file sits between the two broken ones, so neither order hides a failure.
  process.env.LANGFUSE_COST_PRICES = [brokenYaml, goodFile, invalidJson].join(',');
  process.env.LANGFUSE_COST_CACHE_DIR = join(dir, 'no-cache');
  process.env.XDG_CONFIG_HOME = join(dir, 'no-config');
  delete process.env.LANGFUSE_COST_FALLBACK_PRICE;
  resetNodeCatalog();
  warnings = [];
  previousLogger = getLogger();
  setLogger({ debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} });
});
afterEach(() => {
  setLogger(previousLogger);
  resetNodeCatalog();
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** One warning per broken file, each naming it; none for the good one. */
function expectOneWarningPerBrokenFile(): void {
  expect(warnings).toHaveLength(2);
  expect(warnings.filter((w) => w.includes(brokenYaml))).toHaveLength(1);
  expect(warnings.filter((w) => w.includes(invalidJson))).toHaveLength(1);
  expect(warnings.some((w) => w.includes(goodFile))).toBe(false);
  const health = catalogHealth(getNodeCatalog());
  expect(health.skipped.map((s) => [s.origin, s.error?.code])).toEqual([
    [invalidJson, 'INVALID_CATALOG'],
    [brokenYaml, 'PRICE_FILE_PARSE'],
  ]);
}

describe('CostCallbackHandler (real ChatOpenAI over loopback) with a broken price file next to a good one', () => {
  let server: ProviderServer;
  beforeAll(async () => {
    server = await startProviderServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const openai = () =>
    new ChatOpenAI({
      model: 'gpt-4o',
      apiKey: 'test',
      maxRetries: 0,
      configuration: { baseURL: `${server.url}/v1` },
    });

  it('prices with the good file, prices bundled models, and warns once per broken file', async () => {
    server.reset();
    // 1200 prompt tokens of which 1000 cached, 300 completion tokens.
    server.setDefault('openai', {
      model: 'gpt-4o-2024-08-06',
      usage: {
        prompt_tokens: 1200,
        completion_tokens: 300,
        total_tokens: 1500,
        prompt_tokens_details: { cached_tokens: 1000 },
      },
    });
    const tracker = testTracker();
    const handler = new CostCallbackHandler({ tracker });
    await openai().invoke('hi', { callbacks: [handler] });
    const rec = onlyRecord(tracker);
    expect(rec.unpriced).not.toBe(true);
    expect(rec.resolvedModel).toBe('gpt-4o-2024-08-06');
    expect(rec.totalPico).toBe(
      pico(200, NEGOTIATED.input) + pico(1000, NEGOTIATED.cacheRead) + pico(300, NEGOTIATED.output),
    );

    // A model only the bundled catalog knows is still priced (it was booked unpriced before).
    server.setDefault('openai', {
      model: 'gpt-4o-mini-2024-07-18',
      usage: { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 },
    });
    const tracker2 = testTracker();
    await openai().invoke('hi', { callbacks: [new CostCallbackHandler({ tracker: tracker2 })] });
    const mini = onlyRecord(tracker2);
    expect(mini.unpriced).not.toBe(true);
    expect(mini.totalPico).toBe(pico(1000, MINI.input) + pico(1000, MINI.output));

    expect(tracker.stats().unpriced + tracker2.stats().unpriced).toBe(0);
    expectOneWarningPerBrokenFile();
  });
});

describe('CostSpanProcessor (real OTel SDK) with a broken price file next to a good one', () => {
  it.each(['onEnding', 'onEnd'] as const)('prices the span with the good file (%s path)', (path) => {
    const exporter = new InMemorySpanExporter();
    const tracker = memoryTracker();
    const logger = memoryLogger();
    const cost = new CostSpanProcessor({ tracker, logger });
    const first =
      path === 'onEnding'
        ? cost
        : {
            onStart: cost.onStart.bind(cost),
            onEnd: cost.onEnd.bind(cost),
            forceFlush: () => cost.forceFlush(),
            shutdown: () => cost.shutdown(),
          };
    const provider = new BasicTracerProvider({ spanProcessors: [first, new SimpleSpanProcessor(exporter)] });
    const span = provider.getTracer('test').startSpan('chat gpt-4o', {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.cache_read.input_tokens': 1000,
        'gen_ai.usage.output_tokens': 300,
      },
    });
    span.end();
    const expected =
      pico(200, NEGOTIATED.input) + pico(1000, NEGOTIATED.cacheRead) + pico(300, NEGOTIATED.output);
    const exported = exporter.getFinishedSpans()[0]!;
    expect(Math.round((exported.attributes[COST_ATTR.COST] as number) * 1e12)).toBe(expected);
    expect(tracker.records).toHaveLength(1);
    expect(tracker.records[0]!.result.layer).toBe('user');
    expect(tracker.records[0]!.result.totalPico).toBe(expected);
    // Not "using the bundled prices only": the processor has nothing to say about the catalog.
    expect(logger.warnings).toEqual([]);
    expectOneWarningPerBrokenFile();
  });
});
