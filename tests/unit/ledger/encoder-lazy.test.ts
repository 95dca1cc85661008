import { afterEach, describe, expect, it, vi } from 'vitest';

describe('the ledger line encoder makes its constant bytes on first use', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('importing it encodes no text; the first encoder makes the keys, and its lines are JSON', async () => {
    vi.resetModules();
    const encode = vi.spyOn(TextEncoder.prototype, 'encode');
    const { LedgerLineEncoder } = await import('../../../src/ledger/encoder.js');
    // Before, each of about 55 keys was encoded at import (about 0.3 ms of a cold start).
    expect(encode).not.toHaveBeenCalled();
    const { handResult } = await import('../../helpers/tracker-fixtures.js');
    const { CostTracker } = await import('../../../src/tracker/index.js');
    const seen: unknown[] = [];
    const t = new CostTracker({
      now: () => Date.UTC(2026, 10, 22, 10),
      sinks: [{ write: (r) => void seen.push(r) }],
    });
    const rec = t.record(handResult(1_500_000), { sessionId: 's1' });
    const e = new LedgerLineEncoder();
    expect(encode).toHaveBeenCalled();
    e.line(rec);
    const line = JSON.parse(new TextDecoder().decode(e.bytes.subarray(0, e.length)));
    expect(line).toMatchObject({
      id: rec.id,
      session_id: 's1',
      usage_details: { input: 100, total: 100 },
      cost_details: { input: 0.0000015, total: 0.0000015 },
      cost_pico: 1_500_000,
    });
  });
});
