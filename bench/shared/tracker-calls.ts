/**
 * The calls `bench/tracker.ts` and its stand-alone runner record: 1,000 priced results cycled, with
 * realistic attribution (5 models, 300 sessions, 50 users, 5 tenants, 4 operations, 2 tags), or with
 * 20,000 sessions and 2,000 users (`highCardinality`); and the peer, the naive per-call logger of the
 * seed systems.
 */
import { appendFileSync } from 'node:fs';
import { type CostResult, emptyCosts } from '../../src/pricing/cost-result.js';
import type { RecordContext } from '../../src/tracker/index.js';
import { emptyUsage } from '../../src/usage/token-usage.js';

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-flash', 'o3'];

/** A priced call built by hand (prices $2.50 / $10 per 1M tokens), exact in pico-USD. */
function result(i: number): CostResult {
  const input = 200 + ((i * 7919) % 5000);
  const output = 20 + ((i * 104729) % 800);
  const ip = input * 2_500_000;
  const op = output * 10_000_000;
  const model = MODELS[i % MODELS.length]!;
  return {
    model,
    resolvedModel: model,
    provider: i % 2 ? 'openai' : 'anthropic',
    usage: { ...emptyUsage(), input, output },
    costs: { ...emptyCosts(), input: ip / 1e12, output: op / 1e12 },
    total: (ip + op) / 1e12,
    totalPico: ip + op,
    currency: 'USD',
    tier: 'standard',
    serviceTier: 'standard',
    contextTier: null,
    source: 'catalog',
    layer: 'bundled',
    estimated: false,
  };
}

/** The results the calls cycle through. */
export const RESULTS: readonly CostResult[] = Array.from({ length: 1000 }, (_, i) => result(i));

/** The attribution a bench's calls carry (see {@link contexts}). */
export type Attribution = 'realistic' | 'high' | 'mixed';

/**
 * Call `i`'s context: one of 4,096 made up front, or (`high`) a fresh one per call. `mixed` gives the
 * same calls five shapes in turn, as an app's calls have: all the keys, no user, no session, only a
 * tenant and an operation, and all of them with a trace id and an environment. A record has an own key
 * only for each field its call gave, so each shape is a record of another form.
 */
export function contexts(kind: Attribution): (i: number) => RecordContext & { tags?: string[] } {
  const sessions = kind === 'high' ? 20_000 : 300;
  const users = kind === 'high' ? 2_000 : 50;
  const made = Array.from({ length: 4096 }, (_, i) => {
    const full = {
      sessionId: `session-${(i * 48271) % sessions}`,
      userId: `user-${(i * 16807) % users}`,
      tenantId: `tenant-${i % 5}`,
      operation: `op-${i % 4}`,
      tags: ['prod', i % 2 ? 'chat' : 'rag'],
    };
    if (kind !== 'mixed') return full;
    const { sessionId, userId, tenantId, operation, tags } = full;
    switch (i % 5) {
      case 1:
        return { sessionId, tenantId, operation, tags };
      case 2:
        return { userId, tenantId, operation, tags };
      case 3:
        return { tenantId, operation };
      case 4:
        return { ...full, traceId: `trace-${i}`, environment: i % 2 ? 'production' : 'staging' };
      default:
        return full;
    }
  });
  return kind === 'high'
    ? (i) => ({
        ...made[i & 4095]!,
        sessionId: `session-${(i * 48271) % sessions}`,
        userId: `user-${(i * 16807) % users}`,
      })
    : (i) => made[i & 4095]!;
}

/** The naive per-call logger of the seed systems: one synchronous append of one JSON line per call. */
export function naiveLog(path: string, i: number, ctx: (i: number) => RecordContext): void {
  const r = RESULTS[i % 1000]!;
  const c = ctx(i);
  const rec = {
    id: `naive-${i}`,
    timestamp: new Date().toISOString(),
    model: r.model,
    provider: r.provider,
    input_tokens: r.usage.input,
    output_tokens: r.usage.output,
    cost_usd: r.total,
    session_id: c.sessionId,
    user_id: c.userId,
    tenant_id: c.tenantId,
    operation: c.operation,
    tags: c.tags,
  };
  appendFileSync(path, `${JSON.stringify(rec)}\n`);
}
