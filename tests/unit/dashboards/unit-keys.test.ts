/**
 * The SQL dashboards stand alone (users paste them into Langfuse's ClickHouse), so the usage keys that
 * are units, not tokens, are spelled in them. They must be the bucket table's: a new unit bucket that
 * the SQL does not exclude would be summed as input or output tokens.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUCKETS } from '../../../src/usage/buckets.js';

const DIR = join(import.meta.dirname, '../../../dashboards');
const UNIT_KEYS = BUCKETS.filter((r) => r.kind === 'count' && r.usageDetail).map((r) => r.langfuse);

describe('unit usage keys in the dashboards', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.sql'));

  it('every token sum over usage_details excludes exactly the bucket table’s unit keys', () => {
    let sums = 0;
    for (const f of files) {
      for (const line of readFileSync(join(DIR, f), 'utf8').split('\n')) {
        if (line.startsWith('--') || !/usage_details/.test(line) || !/mapFilter\(x -> position/.test(line))
          continue;
        sums++;
        const list = /NOT IN \(([^)]*)\)/.exec(line)?.[1];
        expect(list, `${f}: ${line.trim()}`).toBeDefined();
        expect(list!.split(',').map((s) => s.trim().replace(/^'|'$/g, ''))).toEqual(UNIT_KEYS);
      }
    }
    expect(sums).toBe(6); // input and output tokens in cost-by-model, token-efficiency, top-requests
  });
});
