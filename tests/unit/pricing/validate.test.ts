import { describe, expect, it } from 'vitest';
import { CatalogValidationError } from '../../../src/errors.js';
import { collectCatalogIssues, PriceCatalog, validateCatalog } from '../../../src/pricing/index.js';

describe('catalog validation', () => {
  it('accepts a hand-written catalog', () => {
    const data = {
      version: 1,
      models: [
        {
          id: 'x',
          provider: 'p',
          aliases: ['x-latest'],
          match: [{ startsWith: 'x-' }, { regex: '^x\\d+$' }],
          prices: { input: 1, output: 2 },
          contextTiers: [{ above: 128000, prices: { input: 2 } }],
          serviceTiers: { batch: { multiplier: 0.5 }, priority: { input: 2 } },
          validFrom: '2025-01-01',
          deprecated: false,
        },
      ],
      deployments: { prod: 'x', staging: { model: 'x', provider: 'p' } },
      fallback: { input: 1, output: 1 },
    };
    expect(validateCatalog(data)).toBe(data);
  });

  it('reports every bad field with its path', () => {
    const issues = collectCatalogIssues({
      version: 2,
      models: [
        { id: '', provider: 'p', prices: { input: -1, outptu: 2 } },
        { id: 'ok', provider: 'p', prices: { output: 'cheap' }, contextTiers: [{ above: 0, prices: {} }] },
        {
          id: 'r',
          provider: 'p',
          prices: {},
          match: { regex: '(' },
          serviceTiers: { turbo: {} },
          validFrom: 'soon',
        },
        { id: 'big', provider: 'p', prices: { input: 1e6 } },
      ],
    });
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual([
      'version',
      'models[0].id',
      'models[0].prices.input',
      'models[0].prices.outptu',
      'models[1].prices.output',
      'models[1].contextTiers[0].above',
      'models[2].match.regex',
      'models[2].serviceTiers.turbo',
      'models[2].validFrom',
      'models[3].prices.input',
    ]);
    expect(issues.find((i) => i.path === 'models[0].prices.outptu')?.message).toMatch(/unknown price key/);
    expect(issues.find((i) => i.path === 'models[3].prices.input')?.message).toMatch(/implausible/);
  });

  it('throws a typed error naming the origin', () => {
    try {
      PriceCatalog.fromData(
        { version: 1, models: [{ id: 'x', provider: 'p', prices: { input: Number.NaN } }] } as never,
        'user',
        'prices.json',
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CatalogValidationError);
      expect((e as CatalogValidationError).message).toContain('invalid price catalog prices.json');
      expect((e as CatalogValidationError).issues[0]?.path).toBe('models[0].prices.input');
    }
  });
});
