import { AIMessage, HumanMessage } from '@langchain/core/messages';
import type { ChatGeneration, LLMResult } from '@langchain/core/outputs';
import { describe, expect, it } from 'vitest';
import { attributionFromLangChain, CostCallbackHandler } from '../../../src/langchain/index.js';
import { RunRegistry } from '../../../src/langchain/run-registry.js';
import { calculateCost } from '../../../src/pricing/index.js';
import { PRICES, pico, testCatalog, testTracker } from '../../helpers/langchain-fixtures.js';

const llm = {
  lc: 1,
  type: 'constructor',
  id: ['langchain', 'chat_models', 'openai', 'ChatOpenAI'],
  kwargs: {},
} as never;
const messages = [[new HumanMessage('hi')]];
const metadata = { ls_provider: 'openai', ls_model_name: 'gpt-4o' };
const USAGE = { input_tokens: 10, output_tokens: 1, total_tokens: 11 };

function result(...usages: { input_tokens: number; output_tokens: number }[]): LLMResult {
  return {
    generations: [
      usages.map((u, i) => ({
        text: '',
        message: new AIMessage({
          id: `msg-${i}`,
          content: 'x',
          usage_metadata: { ...u, total_tokens: u.input_tokens + u.output_tokens },
          response_metadata: { model_name: 'gpt-4o-2024-08-06' },
        }),
      })),
    ],
  };
}

describe('RunRegistry', () => {
  it('drops runs older than staleMs and bounds its size, in O(1) per operation', () => {
    const r = new RunRegistry<{ startedAt: number }>(4, 1000);
    r.set('a', { startedAt: 0 });
    r.set('b', { startedAt: 10 });
    expect(r.take('a')).toEqual({ startedAt: 0 });
    r.set('c', { startedAt: 2000 }); // 'b' is in a generation older than 1 s → rotated to previous
    expect(r.get('b')).toBeDefined();
    r.set('d', { startedAt: 4000 }); // the previous generation (with 'b') is dropped
    expect(r.get('b')).toBeUndefined();
    expect(r.evicted).toBe(1);
    expect(r.size).toBe(2);
    const big = new RunRegistry<{ startedAt: number }>(10, 1e9);
    for (let i = 0; i < 100; i++) big.set(`r${i}`, { startedAt: i });
    expect(big.size).toBeLessThanOrEqual(10);
    expect(big.evicted + big.size).toBe(100);
  });

  it('keeps an open run through any number of short ones, and bounds the entries the short ones leave', () => {
    const r = new RunRegistry<{ startedAt: number }>(8, 1e9);
    r.set('long', { startedAt: 0 });
    for (let i = 1; i <= 20_000; i++) {
      r.set(`short-${i}`, { startedAt: i });
      expect(r.take(`short-${i}`)).toEqual({ startedAt: i });
    }
    // Capacity counts open runs: 20,000 runs that ended evict nothing.
    expect(r.get('long')).toEqual({ startedAt: 0 });
    expect(r.size).toBe(1);
    expect(r.evicted).toBe(0);
    // Ended runs' entries are cleared and dropped in bulk, so they cannot pile up.
    expect(r.held).toBeLessThanOrEqual(1_024);
    expect(r.take('short-1')).toBeUndefined();
    r.delete('long');
    expect(r.size).toBe(0);
    expect(r.get('long')).toBeUndefined();
  });
  it('runs one after another leave no entry behind (the last run waits outside the Map)', () => {
    const r = new RunRegistry<{ startedAt: number }>(8, 1e9);
    for (let i = 1; i <= 3_000; i++) {
      r.set(`run-${i}`, { startedAt: i });
      expect(r.get(`run-${i}`)).toEqual({ startedAt: i });
      expect(r.take(`run-${i}`)).toEqual({ startedAt: i });
    }
    expect(r.held).toBe(0);
    expect(r.size).toBe(0);
  });

  it('keeps overlapping runs apart, whichever ends first', () => {
    const r = new RunRegistry<{ startedAt: number }>(100, 1e9);
    r.set('a', { startedAt: 1 });
    r.set('b', { startedAt: 2 }); // 'a' moves into the Map
    expect(r.size).toBe(2);
    expect(r.get('a')).toEqual({ startedAt: 1 });
    expect(r.get('b')).toEqual({ startedAt: 2 });
    expect(r.take('a')).toEqual({ startedAt: 1 });
    r.set('c', { startedAt: 3 }); // 'b' moves into the Map
    expect(r.take('b')).toEqual({ startedAt: 2 });
    expect(r.take('b')).toBeUndefined();
    expect(r.take('c')).toEqual({ startedAt: 3 });
    expect(r.take('c')).toBeUndefined();
    expect(r.size).toBe(0);
    // A run started again under its id is replaced, not counted twice.
    r.set('d', { startedAt: 4 });
    r.set('d', { startedAt: 5 });
    expect(r.size).toBe(1);
    expect(r.take('d')).toEqual({ startedAt: 5 });
    // An id equal in text to the last run's, but another string object, finds it.
    r.set(['e', '1'].join('-'), { startedAt: 6 });
    expect(r.take('e-1')).toEqual({ startedAt: 6 });
    r.set('f', { startedAt: 7 });
    r.clear();
    expect(r.get('f')).toBeUndefined();
    expect(r.size).toBe(0);
  });
});

describe('CostCallbackHandler (direct callback calls)', () => {
  it('sums distinct generations and counts a repeated response usage once', () => {
    const tracker = testTracker();
    const h = new CostCallbackHandler({ tracker, catalog: testCatalog() });
    h.handleChatModelStart(llm, messages, 'run-1', undefined, {}, [], metadata);
    h.handleLLMEnd(
      result({ input_tokens: 100, output_tokens: 10 }, { input_tokens: 50, output_tokens: 5 }),
      'run-1',
    );
    const [r] = tracker.recent();
    expect(r!.totalPico).toBe(pico(150, PRICES.gpt4o.input) + pico(15, PRICES.gpt4o.output));
  });

  it('bounds open runs that never end and keeps working', () => {
    const tracker = testTracker();
    const h = new CostCallbackHandler({ tracker, catalog: testCatalog(), maxOpenRuns: 8 });
    for (let i = 0; i < 50; i++)
      h.handleChatModelStart(llm, messages, `leak-${i}`, undefined, {}, [], metadata);
    expect(h.openRuns).toBeLessThanOrEqual(8);
    expect(h.evictedRuns).toBeGreaterThanOrEqual(42);
    h.handleLLMEnd(result({ input_tokens: 10, output_tokens: 1 }), 'leak-49');
    expect(tracker.recent()).toHaveLength(1);
  });

  it('prices an end without a known start (handler added mid-run) from the served model, without duration', () => {
    const tracker = testTracker();
    const h = new CostCallbackHandler({ tracker, catalog: testCatalog() });
    h.handleLLMEnd(result({ input_tokens: 10, output_tokens: 1 }), 'orphan');
    const [r] = tracker.recent();
    expect(r!.model).toBe('gpt-4o-2024-08-06');
    expect(r!.traceId).toBe('orphan');
    expect(r!.totalPico).toBe(pico(10, PRICES.gpt4o.input) + pico(1, PRICES.gpt4o.output));
  });

  it('shares its state with LangChain copies (handler.copy())', () => {
    const tracker = testTracker();
    const h = new CostCallbackHandler({ tracker, catalog: testCatalog() });
    const copy = h.copy() as CostCallbackHandler;
    h.handleChatModelStart(llm, messages, 'run-c', undefined, {}, [], metadata);
    expect(copy.openRuns).toBe(1);
    copy.handleLLMEnd(result({ input_tokens: 10, output_tokens: 1 }), 'run-c');
    expect(h.openRuns).toBe(0);
    expect(tracker.recent()[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(copy.tracker).toBe(tracker);
  });

  it('flags a response without usage as estimated and warns instead of recording a silent $0', () => {
    const tracker = testTracker();
    const warnings: string[] = [];
    const h = new CostCallbackHandler({
      tracker,
      catalog: testCatalog(),
      logger: { debug() {}, info() {}, error() {}, warn: (m) => warnings.push(m) },
    });
    h.handleChatModelStart(llm, messages, 'run-n', undefined, {}, [], metadata);
    h.handleLLMEnd(
      { generations: [[{ text: 'x', message: new AIMessage('x') } as ChatGeneration]] },
      'run-n',
    );
    const [r] = tracker.recent();
    expect(r!.estimated).toBe(true);
    expect(warnings.join('\n')).toMatch(/no token usage/);
  });

  it('tells a local base URL from a remote one on every call, whichever it saw before', () => {
    const tracker = testTracker();
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const h = new CostCallbackHandler({ tracker, catalog: testCatalog(), logger: quiet });
    const at = (baseURL: string | undefined) =>
      ({ ...(llm as object), kwargs: baseURL ? { configuration: { baseURL } } : {} }) as never;
    const bases = [
      'http://127.0.0.1:1234/v1',
      'https://api.example.com/v1',
      'https://api.example.com/v1',
      'http://localhost:8000/v1',
      undefined,
      'http://localhost:8000/v1',
    ];
    bases.forEach((base, i) => {
      h.handleChatModelStart(at(base), messages, `run-u${i}`, undefined, {}, [], {
        ls_provider: 'openai',
        ls_model_name: 'llama3.2:3b',
      });
      h.handleLLMEnd(
        {
          generations: [
            [
              {
                text: 'x',
                message: new AIMessage({ content: 'x', usage_metadata: USAGE }),
              } as ChatGeneration,
            ],
          ],
        },
        `run-u${i}`,
      );
    });
    // An unknown model is self-hosted ($0, free) on this machine and unpriced elsewhere.
    expect(tracker.recent().map((r) => (r.unpriced ? 'unpriced' : r.source))).toEqual([
      'free',
      'unpriced',
      'unpriced',
      'free',
      'unpriced',
      'free',
    ]);
  });

  it('prices each call by its own served and requested models, whichever names came before', () => {
    const tracker = testTracker();
    const h = new CostCallbackHandler({ tracker, catalog: testCatalog() });
    const calls: [requested: string, served: string | undefined][] = [
      ['gpt-4o', undefined],
      ['o4-mini', undefined], // only the requested name changed
      ['o4-mini', 'gpt-4o-2024-08-06'], // only the served name changed
      ['o4-mini', undefined],
      ['o4-mini', undefined],
    ];
    calls.forEach(([requested, served], i) => {
      h.handleChatModelStart(llm, messages, `run-m${i}`, undefined, {}, [], {
        ls_provider: 'openai',
        ls_model_name: requested,
      });
      const message = new AIMessage({
        content: 'x',
        usage_metadata: USAGE,
        response_metadata: served ? { model_name: served } : {},
      });
      h.handleLLMEnd({ generations: [[{ text: 'x', message } as ChatGeneration]] }, `run-m${i}`);
    });
    const gpt4o = pico(10, PRICES.gpt4o.input) + pico(1, PRICES.gpt4o.output);
    const o4mini = pico(10, PRICES.o4mini.input) + pico(1, PRICES.o4mini.output);
    expect(tracker.recent().map((r) => [r.model, r.totalPico])).toEqual([
      ['gpt-4o', gpt4o],
      ['o4-mini', o4mini],
      ['gpt-4o-2024-08-06', gpt4o],
      ['o4-mini', o4mini],
      ['o4-mini', o4mini],
    ]);
  });

  it('does not check budgets when told not to', () => {
    const tracker = testTracker({ budgets: { daily: { limit: 0.000001 } }, enforce: true });
    const spent = calculateCost({ model: 'gpt-4o', usage: { input: 1_000_000 } }, testCatalog());
    tracker.record(spent!); // $2.50 against a $0.000001 daily limit
    const strict = new CostCallbackHandler({ tracker, catalog: testCatalog() });
    expect(() => strict.handleChatModelStart(llm, messages, 'run-b', undefined, {}, [], metadata)).toThrow(
      /budget/,
    );
    expect(strict.openRuns).toBe(0);
    const lax = new CostCallbackHandler({ tracker, catalog: testCatalog(), checkBudget: false });
    expect(() =>
      lax.handleChatModelStart(llm, messages, 'run-b2', undefined, {}, [], metadata),
    ).not.toThrow();
  });
});

describe('attributionFromLangChain', () => {
  it('reads the first present key of each field, lets the call win over defaults and merges tags', () => {
    const a = attributionFromLangChain(
      { environment: 'prod', tags: ['svc'], tenantId: 'default' },
      { langfuseSessionId: 'lf-s', session_id: 's-1', userId: 'u-1', langgraph_node: 'agent', tenantId: 42 },
      ['t1', 'svc'],
      undefined,
    );
    expect(a.sessionId).toBe('s-1');
    expect(a.userId).toBe('u-1');
    expect(a.tenantId).toBe('42');
    expect(a.environment).toBe('prod');
    expect(a.operation).toBe('agent');
    expect(a.tags).toEqual(['svc', 't1']);
    expect(attributionFromLangChain(undefined, { operation: 'op' }, [], 'named-run').operation).toBe(
      'named-run',
    );
  });
});

describe('CostCallbackHandler options', () => {
  it('asks LangChain for chain events only when following runs for trace ids', () => {
    const on = new CostCallbackHandler({ tracker: testTracker(), catalog: testCatalog() });
    expect([on.ignoreChain, on.ignoreAgent, on.ignoreRetriever, on.raiseError, on.awaitHandlers]).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    const off = new CostCallbackHandler({ tracker: testTracker(), catalog: testCatalog(), traceRuns: false });
    expect([off.ignoreChain, off.ignoreAgent, off.ignoreRetriever]).toEqual([true, true, true]);
    expect((off.copy() as CostCallbackHandler).ignoreChain).toBe(true);
  });
});
