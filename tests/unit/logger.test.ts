/**
 * Every warning goes to the logger the user gave (issue 13, item 7): the "no price for model"
 * warning of a call recorded through the LangChain handler or the span processor reaches their
 * `logger` option, not the library's global logger; the tracker and the JSONL sink take a `logger`
 * too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CostCallbackHandler } from '../../src/langchain/index.js';
import { type Logger, setLogger } from '../../src/logger.js';
import { JsonlLedgerSink } from '../../src/node/ledger/index.js';
import { CostSpanProcessor } from '../../src/otel/index.js';
import { PriceCatalog } from '../../src/pricing/index.js';
import { CostTracker } from '../../src/tracker/index.js';

function collecting(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug() {},
    info() {},
    warn: (m: string) => warnings.push(m),
    error: (m: string) => warnings.push(m),
  };
}

const catalog = PriceCatalog.fromData({
  version: 1,
  models: [{ id: 'gpt-4o', provider: 'openai', prices: { input: 2.5, output: 10 } }],
});

let global: ReturnType<typeof collecting>;
beforeEach(() => {
  global = collecting();
  setLogger(global);
});
afterEach(() => {
  setLogger({ debug() {}, info: console.info, warn: console.warn, error: console.error });
});

function llmResult(model: string): LLMResult {
  return {
    generations: [
      [
        {
          text: 'x',
          message: new AIMessage({
            content: 'x',
            usage_metadata: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
            response_metadata: { model_name: model },
          }),
        } as never,
      ],
    ],
  };
}

function span(model: string) {
  return {
    name: `chat ${model}`,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': model,
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
    } as Record<string, unknown>,
    startTime: [1_780_000_000, 0],
    endTime: [1_780_000_001, 0],
    spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }),
    resource: { attributes: {} },
    instrumentationScope: { name: 'test' },
  } as never;
}

describe('warnings go to the logger the user gave', () => {
  it('the handler: "no price" reaches its logger, the global logger gets nothing', () => {
    const logger = collecting();
    const tracker = new CostTracker();
    const h = new CostCallbackHandler({ tracker, catalog, logger });
    const meta = { ls_provider: 'acme', ls_model_name: 'mystery-1' };
    h.handleChatModelStart({} as never, [[new HumanMessage('hi')]], 'run-1', undefined, {}, [], meta);
    h.handleLLMEnd(llmResult('mystery-1'), 'run-1');
    expect(tracker.health().recorded).toBe(1);
    expect(logger.warnings.some((w) => w.includes('no price for model "mystery-1"'))).toBe(true);
    expect(global.warnings).toEqual([]);
  });

  it('the processor: "no price" reaches its logger, the global logger gets nothing', () => {
    const logger = collecting();
    const tracker = new CostTracker();
    const p = new CostSpanProcessor({ catalog, tracker, logger });
    const s = span('mystery-2');
    p.onStart(s, undefined as never);
    p.onEnding(s);
    p.onEnd(s);
    expect(tracker.health().recorded).toBe(1);
    expect(logger.warnings.some((w) => w.includes('no price for model "mystery-2"'))).toBe(true);
    expect(global.warnings).toEqual([]);
  });

  it('each logger hears the warning once, even when adapters share a tracker', () => {
    const a = collecting();
    const b = collecting();
    const tracker = new CostTracker();
    for (const logger of [a, b, a, b])
      tracker.recordUnpriced('mystery-3', 'acme', { input: 1 }, undefined, { logger });
    expect(a.warnings.filter((w) => w.includes('mystery-3'))).toHaveLength(1);
    expect(b.warnings.filter((w) => w.includes('mystery-3'))).toHaveLength(1);
    expect(global.warnings).toEqual([]);
  });

  it("the tracker's own logger option takes its warnings", () => {
    const logger = collecting();
    const tracker = new CostTracker({
      logger,
      sinks: [
        {
          write() {
            throw new Error('sink broke');
          },
        },
      ],
    });
    tracker.recordUnpriced('mystery-4', undefined, { input: 1 });
    tracker.recordFailure({ model: 'm', error: 'x', usage: { input: -1 } });
    expect(logger.warnings.some((w) => w.includes('no price for model "mystery-4"'))).toBe(true);
    expect(logger.warnings.some((w) => w.includes('sink broke'))).toBe(true);
    expect(logger.warnings.some((w) => w.includes('ignoring invalid usage'))).toBe(true);
    expect(global.warnings).toEqual([]);
  });

  it("a failure's ignored invalid usage warns through the logger the call gives, not the tracker's", () => {
    const trackerLogger = collecting();
    const callLogger = collecting();
    const tracker = new CostTracker({ logger: trackerLogger });
    const rec = tracker.recordFailure({ model: 'gpt-4o', error: 'x', usage: { input: -1 } }, undefined, {
      logger: callLogger,
    });
    expect(rec.status).toBe('error');
    expect(callLogger.warnings.filter((w) => w.includes('ignoring invalid usage of "gpt-4o"'))).toHaveLength(
      1,
    );
    expect(trackerLogger.warnings).toEqual([]);
    expect(global.warnings).toEqual([]);
  });

  it('the JSONL sink warns through its logger option', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lc-logger-'));
    try {
      const logger = collecting();
      const sink = new JsonlLedgerSink({ path: join(dir, 'ledger.jsonl'), logger, flushOnExit: false });
      await sink.close();
      // A closed sink drops later records with a warning.
      sink.write({} as never);
      expect(logger.warnings.some((w) => w.includes('is closed'))).toBe(true);
      expect(global.warnings).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
