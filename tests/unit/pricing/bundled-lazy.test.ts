import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  catalogEntriesPerPart,
  catalogEntryParts,
  catalogExactParts,
  catalogExpand,
  catalogHead,
  catalogIndexHead,
  catalogIndexJson,
  catalogIndexTail,
  catalogJson,
  catalogModelCount,
  catalogTail,
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
const text = catalogJson();
const whole = JSON.parse(text) as CatalogData;

describe('the bundled catalog, read piece by piece', () => {
  it('has every entry of the whole document, in order, each equal to its whole-parse twin', () => {
    expect(bundledModelCount()).toBe(whole.models.length);
    for (let k = 0; k < whole.models.length; k++)
      expect(bundledEntry(k), `entry ${k}`).toEqual(whole.models[k]);
  });

  it('joins its pieces into catalog.json, byte for byte', () => {
    expect(text).toBe(
      readFileSync(new URL('../../../src/pricing/bundled/catalog.json', import.meta.url), 'utf8'),
    );
  });

  it('writes the words most entries repeat in two characters, and expands them back exactly', () => {
    const shipped = catalogEntryParts.reduce((n, part) => n + part().length, 0);
    const expanded = catalogEntryParts.reduce((n, part) => n + catalogExpand(part()).length, 0);
    // The entry lines are about 330 KB of text; written with the words' codes, under 70% of that.
    expect(shipped).toBeLessThan(expanded * 0.7);
    // Word 0 is the escape itself: a backquote in the text survives.
    expect(catalogExpand('a`0b`0')).toBe('a`b`');
    expect(catalogExpand('no words')).toBe('no words');
  });

  it('ships the entry lines in pieces of catalogEntriesPerPart whole lines, after the models line', () => {
    expect(catalogHead()).toMatch(/\n"models": \[\n$/);
    expect(catalogTail).toBe(']\n}\n');
    expect(catalogModelCount).toBe(whole.models.length);
    expect(catalogEntryParts).toHaveLength(Math.ceil(whole.models.length / catalogEntriesPerPart));
    const lines = catalogEntryParts.map((part, p) => {
      const piece = catalogExpand(part());
      expect(piece.endsWith('\n'), `piece ${p}`).toBe(true);
      const inPiece = piece.slice(0, -1).split('\n');
      if (p < catalogEntryParts.length - 1) expect(inPiece, `piece ${p}`).toHaveLength(catalogEntriesPerPart);
      return inPiece;
    });
    // Each line is one entry, with the comma that follows it but the last one's.
    const all = lines.flat();
    expect(all).toHaveLength(whole.models.length);
    all.forEach((line, k) => {
      const last = k === all.length - 1;
      expect(line.endsWith(','), `line ${k}`).toBe(!last);
      expect(JSON.parse(last ? line : line.slice(0, -1)), `line ${k}`).toEqual(whole.models[k]);
    });
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
    expect(catalogExactParts).toHaveLength(EXACT_PARTS);
    const seen = new Set<string>();
    for (let p = 0; p < EXACT_PARTS; p++) {
      const lines = catalogExactParts[p]!().trimEnd();
      const part = JSON.parse(`{${lines.replace(/,$/, '')}}`) as Record<string, unknown>;
      for (const n of Object.keys(part)) {
        expect(exactPart(n), n).toBe(p);
        seen.add(n);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(bundledIndexPlan().exact).sort());
    // What the generator writes for these entries (stale: run npm run prices:update).
    const formatted = formatPlan(planIndex([whole]));
    expect(formatted.json).toBe(catalogIndexJson());
    expect(catalogIndexHead()).toBe(formatted.json.slice(0, formatted.parts[0]));
    for (let p = 0; p < EXACT_PARTS; p++)
      expect(catalogExactParts[p]!(), `part ${p}`).toBe(
        formatted.json.slice(formatted.parts[p], formatted.parts[p + 1]),
      );
    expect(catalogIndexTail).toBe(formatted.json.slice(formatted.parts[EXACT_PARTS]));
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
