import { describe, expect, it } from 'vitest';
import { recordContextOf } from '../../../src/otel/attribution.js';
import type { ProcessorSpan } from '../../../src/otel/types.js';

/** The keys of every record context an adapter builds, in the LangChain handler's order. */
const CONTEXT_KEYS = [
  'traceId',
  'spanId',
  'parentId',
  'sessionId',
  'userId',
  'tenantId',
  'operation',
  'service',
  'tags',
  'environment',
  'fallback',
  'metadata',
  'startTime',
  'endTime',
  'durationMs',
  'cached',
  'providedCost',
];

function span(
  name: string,
  attributes: Record<string, string | number | string[]>,
  parent?: string,
): ProcessorSpan {
  return {
    name,
    attributes,
    spanContext: () => ({ traceId: 'a'.repeat(32), spanId: name.padEnd(16, '0'), traceFlags: 1 }),
    ...(parent ? { parentSpanContext: { traceId: 'a'.repeat(32), spanId: parent, traceFlags: 1 } } : {}),
    // 1,700,000,000 s and 250 ms, then 400 ms later.
    startTime: [1_700_000_000, 250_000_000],
    endTime: [1_700_000_000, 650_000_000],
  };
}

describe('recordContextOf', () => {
  it('gives spans of every shape a context with the same keys in the same order', () => {
    const bare = recordContextOf(span('chat', { 'gen_ai.request.model': 'gpt-4o' }), undefined, undefined);
    const full = recordContextOf(
      span(
        'chat',
        {
          'session.id': 'session-1',
          'user.id': 'user-1',
          'langfuse.trace.tags': ['a', 'b'],
          'langfuse.environment': 'staging',
        },
        'parent-span-0001',
      ),
      'checkout',
      0.25,
    );
    expect(Object.keys(bare)).toEqual(CONTEXT_KEYS);
    expect(Object.keys(full)).toEqual(CONTEXT_KEYS);
    expect(bare).toMatchObject({
      operation: 'chat',
      startTime: 1_700_000_000_250,
      endTime: 1_700_000_000_650,
    });
    expect(bare.durationMs).toBe(400);
    expect(bare.sessionId).toBeUndefined();
    expect(bare.environment).toBeUndefined();
    expect(full).toMatchObject({
      parentId: 'parent-span-0001',
      sessionId: 'session-1',
      userId: 'user-1',
      tags: ['a', 'b'],
      environment: 'staging',
      service: 'checkout',
      providedCost: 0.25,
    });
  });

  it("takes the resource's environment when the span has none", () => {
    const ctx = recordContextOf(span('chat', {}), undefined, undefined, undefined, 'production');
    expect(ctx.environment).toBe('production');
  });
});
