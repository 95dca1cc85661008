import { describe, expect, it } from 'vitest';
import {
  adaptDefinition,
  capabilitiesFromListing,
  capabilitiesOfVersion,
  findMatchingDefinition,
  type LangfuseModel,
  PROMPT_USAGE_PATTERN,
  recreateBody,
  toLangfuseModelDefinition,
  USAGE_KEYS_OF_SLOT,
} from '../../../src/langfuse/index.js';
import { looksSafeRegex } from '../../helpers/langfuse-server/rules.js';

// Version boundaries read in the Langfuse source (tests/helpers/langfuse-server/SOURCES.md):
// pricing tiers and one definition per name from v3.135.0, model-parameter conditions from v4.13.0.
describe('capabilitiesOfVersion', () => {
  it('maps each version range to what the server accepts', () => {
    expect(capabilitiesOfVersion('3.134.0')).toEqual({
      version: '3.134.0',
      pricing: 'flat',
      uniqueModelNames: false,
    });
    expect(capabilitiesOfVersion('3.135.0')).toMatchObject({
      pricing: 'usage-tiers',
      uniqueModelNames: true,
    });
    expect(capabilitiesOfVersion('v4.12.9')).toMatchObject({ version: '4.12.9', pricing: 'usage-tiers' });
    expect(capabilitiesOfVersion('4.13.0')).toMatchObject({ pricing: 'model-parameter-tiers' });
    expect(capabilitiesOfVersion('10.0.0')).toMatchObject({ pricing: 'model-parameter-tiers' });
    expect(capabilitiesOfVersion('latest')).toBeNull();
  });

  it('reads the capabilities from the model list when the version is unknown', () => {
    const m = (extra: Partial<LangfuseModel>): LangfuseModel => ({
      id: 'x',
      modelName: 'x',
      matchPattern: 'x',
      isLangfuseManaged: true,
      ...extra,
    });
    expect(capabilitiesFromListing([])).toBeNull();
    expect(capabilitiesFromListing([m({})])?.pricing).toBe('flat');
    expect(capabilitiesFromListing([m({ pricingTiers: [] })])?.pricing).toBe('usage-tiers');
    const attr = {
      source: 'model_parameters' as const,
      key: 'service_tier',
      operator: 'in' as const,
      values: ['flex'],
    };
    expect(
      capabilitiesFromListing([
        m({
          pricingTiers: [{ name: 'Flex', isDefault: false, priority: 1, conditions: [attr], prices: {} }],
        }),
      ])?.pricing,
    ).toBe('model-parameter-tiers');
  });
});

describe('adaptDefinition', () => {
  const def = toLangfuseModelDefinition({
    id: 'm-1',
    provider: 'acme',
    prices: { input: 1, cacheRead: 0.25, output: 4 },
    contextTiers: [{ above: 100_000, prices: { input: 2, output: 8 } }],
    serviceTiers: { batch: { multiplier: 0.5 }, flex: { multiplier: 0.5 } },
  });

  it('keeps usage tiers, renumbered, before v4.13', () => {
    const { body, dropped } = adaptDefinition(def, { pricing: 'usage-tiers' });
    expect('pricingTiers' in body && body.pricingTiers.map((t) => [t.name, t.priority])).toEqual([
      ['Standard', 0],
      ['Prompt >100K', 1],
    ]);
    expect(dropped).toEqual([
      'tiers Flex, prompt >100K, Batch, prompt >100K, Flex, Batch (model-parameter conditions need Langfuse 4.13)',
    ]);
  });

  it('sends flat input/output prices before v3.135', () => {
    const { body, comparable } = adaptDefinition(def, { pricing: 'flat' });
    expect(body).toEqual({
      modelName: 'm-1',
      matchPattern: def.matchPattern,
      unit: 'TOKENS',
      inputPrice: 1e-6,
      outputPrice: 4e-6,
    });
    expect(comparable.pricingTiers).toHaveLength(1);
  });

  it('sends everything from v4.13', () => {
    expect(adaptDefinition(def, { pricing: 'model-parameter-tiers' }).body).toBe(def);
  });
});

describe('the long-context usage pattern', () => {
  it('counts every prompt key and nothing else, within the server limits', () => {
    expect(PROMPT_USAGE_PATTERN.length).toBeLessThanOrEqual(200);
    expect(looksSafeRegex(PROMPT_USAGE_PATTERN)).toBe(true);
    const re = new RegExp(PROMPT_USAGE_PATTERN, 'i');
    const prompt = ['input', 'cacheRead', 'cacheWrite', 'cacheWrite1h', 'inputAudio', 'inputImage'] as const;
    for (const slot of prompt) for (const k of USAGE_KEYS_OF_SLOT[slot]) expect(re.test(k), k).toBe(true);
    for (const slot of ['output', 'reasoning', 'outputAudio'] as const)
      for (const k of USAGE_KEYS_OF_SLOT[slot]) expect(re.test(k), k).toBe(false);
    expect(re.test('total')).toBe(false);
  });
});

describe('findMatchingDefinition', () => {
  const def = (id: string, startDate: string | null, managed = false): LangfuseModel => ({
    id,
    modelName: id,
    matchPattern: '(?i)^gpt-x$',
    startDate,
    isLangfuseManaged: managed,
  });

  it('orders as Langfuse: project first, start_date DESC NULLS LAST, future dates included', () => {
    const remote = [
      def('managed', '2030-01-01T00:00:00Z', true),
      def('none', null),
      def('old', '2020-01-01T00:00:00Z'),
      def('future', '2999-01-01T00:00:00Z'),
    ];
    expect(findMatchingDefinition('gpt-x', remote)?.id).toBe('future');
    expect(findMatchingDefinition('gpt-x', remote.slice(0, 3))?.id).toBe('old');
    expect(findMatchingDefinition('gpt-x', remote.slice(0, 2))?.id).toBe('none');
    expect(findMatchingDefinition('gpt-x', remote.slice(0, 1))?.id).toBe('managed');
  });
});

describe('recreateBody', () => {
  it('puts back a definition as the API returned it', () => {
    expect(
      recreateBody({
        id: 'c1',
        modelName: 'm',
        matchPattern: '(?i)^m$',
        startDate: '2026-01-01T00:00:00.000Z',
        unit: 'TOKENS',
        tokenizerId: null,
        isLangfuseManaged: false,
        inputPrice: 1e-6,
        outputPrice: 2e-6,
        pricingTiers: [],
      }),
    ).toEqual({
      modelName: 'm',
      matchPattern: '(?i)^m$',
      startDate: '2026-01-01T00:00:00.000Z',
      unit: 'TOKENS',
      inputPrice: 1e-6,
      outputPrice: 2e-6,
    });
  });
});
