import { describe, expect, it } from 'vitest';
import {
  catalogEntryStarts,
  catalogExactParts,
  catalogIndexJson,
  catalogJson,
} from '../../../src/pricing/bundled/catalog-data.js';
import {
  bundledCatalog,
  bundledEntry,
  bundledIndexPlan,
  bundledLayerOptions,
  bundledModelCount,
  bundledNamed,
} from '../../../src/pricing/bundled/index.js';
import { PriceCatalog } from '../../../src/pricing/catalog.js';
import { EXACT_PARTS, exactPart, formatPlan, planIndex } from '../../../src/pricing/index-plan.js';
import type { CatalogData } from '../../../src/pricing/types.js';

// The bundled catalog is read piece by piece (bundled/index.ts): its header, its entries one at a
// time by line. Each piece must be exactly what parsing the whole generated text gives.
const whole = JSON.parse(catalogJson) as CatalogData;

describe('the bundled catalog, read piece by piece', () => {
  it('has every entry of the whole document, in order, each equal to its whole-parse twin', () => {
    expect(bundledModelCount()).toBe(whole.models.length);
    for (let k = 0; k < whole.models.length; k++)
      expect(bundledEntry(k), `entry ${k}`).toEqual(whole.models[k]);
  });

  it('ships where each entry line starts: right after the models line, then after each newline', () => {
    expect(catalogEntryStarts).toHaveLength(whole.models.length + 1);
    expect(catalogJson.slice(0, catalogEntryStarts[0])).toMatch(/\n"models": \[\n$/);
    for (let k = 1; k < catalogEntryStarts.length; k++) {
      expect(catalogJson[catalogEntryStarts[k]! - 1], `line ${k}`).toBe('\n');
      expect(catalogJson.slice(catalogEntryStarts[k - 1], catalogEntryStarts[k]! - 1)).not.toContain('\n');
    }
    expect(catalogJson.slice(catalogEntryStarts[catalogEntryStarts.length - 1])).toBe(']\n}\n');
  });

  it('gives one object per entry: models[k] is the entry a price reads', () => {
    const models = bundledCatalog.models;
    expect(models).toEqual(whole.models);
    for (let k = 0; k < models.length; k++) expect(models[k]).toBe(bundledEntry(k));
    expect(bundledCatalog.models).toBe(models);
  });

  it('has the header fields of the whole document', () => {
    const { models: _, ...header } = whole;
    const { models: __, ...read } = bundledCatalog;
    expect(read).toEqual(header);
    expect(Object.keys(bundledCatalog).sort()).toEqual(Object.keys(whole).sort());
  });

  it('looks every exact name up part by part as the whole table has it, and no other name', () => {
    const exact = bundledIndexPlan().exact;
    const names = Object.keys(exact);
    expect(names.length).toBeGreaterThan(1000);
    for (const n of names) expect(bundledNamed(n), n).toEqual(exact[n]);
    for (const n of [
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      '',
      'gpt-4o ',
      'GPT-4O',
      'no-such-model',
    ])
      expect(bundledNamed(n), n).toBeUndefined();
  });

  it('cuts the exact names into EXACT_PARTS slices of the index text, each name in the part of its hash', () => {
    expect(catalogExactParts).toHaveLength(EXACT_PARTS + 1);
    const seen = new Set<string>();
    for (let p = 0; p < EXACT_PARTS; p++) {
      const lines = catalogIndexJson.slice(catalogExactParts[p], catalogExactParts[p + 1]).trimEnd();
      const part = JSON.parse(`{${lines.replace(/,$/, '')}}`) as Record<string, unknown>;
      for (const n of Object.keys(part)) {
        expect(exactPart(n), n).toBe(p);
        seen.add(n);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(bundledIndexPlan().exact).sort());
    // What the generator writes for these entries (stale: run npm run prices:update).
    const formatted = formatPlan(planIndex([whole]));
    expect(formatted.json).toBe(catalogIndexJson);
    expect(formatted.parts).toEqual(catalogExactParts);
  });

  it('loaded by entries prices and lists as the whole document does', () => {
    const lazy = PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled', bundledLayerOptions());
    const eager = PriceCatalog.fromData(whole, 'bundled', 'bundled', { trusted: true });
    for (const [name, provider] of [
      ['gpt-4o', 'openai'],
      ['gpt-4o-2024-08-06', undefined],
      ['claude-3-5-sonnet-20241022', 'anthropic'],
      ['openrouter/deepseek/deepseek-chat', undefined],
      ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws.bedrock'],
      ['no-such-model-anywhere', undefined],
    ] as const) {
      expect(lazy.resolve(name, provider, 0)?.model, name).toEqual(eager.resolve(name, provider, 0)?.model);
    }
    expect(lazy.list()).toEqual(eager.list());
    expect(lazy.sources()).toEqual(eager.sources());
  });
});
