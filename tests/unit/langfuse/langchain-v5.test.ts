import { describe, expect, it } from 'vitest';
import { LangfuseCostAdapter } from '../../../src/langfuse/index.js';
import { getLogger, setLogger } from '../../../src/logger.js';
import { emptyUsage } from '../../../src/usage/token-usage.js';

/** A stand-in with the one method `@langfuse/langchain` ends observations with. */
function fakeHandler() {
  const ended: { runId: string; type?: string; attributes?: Record<string, unknown> }[] = [];
  return {
    ended,
    handleOtelSpanEnd(params: { runId: string; type?: string; attributes?: Record<string, unknown> }) {
      ended.push(params);
    },
  };
}

const event = (runId: string) => ({
  runId,
  status: 'success',
  usage: { ...emptyUsage(), input: 10 },
  result: null,
  providedCost: 0.5,
});

describe('LangfuseCostAdapter', () => {
  it('a generation whose cost never comes ends as the handler wrote it, one macrotask later', async () => {
    const h = fakeHandler();
    const a = new LangfuseCostAdapter(h);
    h.handleOtelSpanEnd({ runId: 'r1', type: 'generation', attributes: { usageDetails: { input: 1 } } });
    expect(h.ended).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 5));
    expect(h.ended).toEqual([
      { runId: 'r1', type: 'generation', attributes: { usageDetails: { input: 1 } } },
    ]);
    a.detach();
  });

  it('non-generation ends pass through at once; detach restores the method', () => {
    const h = fakeHandler();
    const own = h.handleOtelSpanEnd;
    const a = new LangfuseCostAdapter(h);
    expect(h.handleOtelSpanEnd).not.toBe(own);
    h.handleOtelSpanEnd({ runId: 'c1', attributes: { level: 'ERROR' } });
    expect(h.ended).toHaveLength(1);
    a.detach();
    expect(h.handleOtelSpanEnd).toBe(own);
  });

  it('a cost that came first is merged; costs are bounded', () => {
    const h = fakeHandler();
    const a = new LangfuseCostAdapter(h, { maxPending: 2 });
    a.onCost(event('r1'));
    a.onCost(event('r2'));
    a.onCost(event('r3')); // r1 is dropped
    expect(a.waiting).toBe(2);
    h.handleOtelSpanEnd({ runId: 'r3', type: 'generation', attributes: { model: 'm' } });
    expect(h.ended[0]!.attributes).toEqual({
      model: 'm',
      usageDetails: { input: 10, output: 0, total: 10 },
      costDetails: { total: 0.5 },
    });
    expect(a.waiting).toBe(1);
  });

  it('a handler without handleOtelSpanEnd is left alone, with one warning; bad options are typed errors', () => {
    const warnings: string[] = [];
    const before = getLogger();
    setLogger({ debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} });
    try {
      const a = new LangfuseCostAdapter({});
      expect(a.attached).toBe(false);
      a.onCost(event('r1'));
      expect(a.waiting).toBe(0);
      expect(warnings.join('\n')).toContain('no handleOtelSpanEnd');
    } finally {
      setLogger(before);
    }
    expect(() => new LangfuseCostAdapter(fakeHandler(), { maxPending: -1 })).toThrow(/maxPending/);
  });
});
