import { describe, expect, it } from 'vitest';
import { catalogJson } from '../../../src/pricing/bundled/catalog-data.js';
import {
  bundledCatalog,
  bundledEntry,
  bundledLayerOptions,
  bundledModelCount,
} from '../../../src/pricing/bundled/index.js';
import { PriceCatalog } from '../../../src/pricing/catalog.js';
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
