import { describe, expect, it } from 'vitest';
import { attributionFromLangChain, isLangChainInternalTag } from '../../../src/langchain/attribution.js';

describe('LangChain internal tags', () => {
  it.each([
    'seq:step:1',
    'seq:step:12',
    'map:key:summary',
    'map:key:',
    'condition:1',
    'branch:2',
    'branch:default',
    'retry:attempt:2',
    'graph:step:7',
    'langsmith:hidden',
    'langsmith:nostream',
  ])('%s is internal', (tag) => {
    expect(isLangChainInternalTag(tag)).toBe(true);
  });

  it.each([
    'team-a',
    'seq',
    'seq:step',
    'seq:step:x',
    'branch',
    'branch:main',
    'prod',
    'step:1',
    'my:langsmith:x',
  ])('%s is the user’s', (tag) => {
    expect(isLangChainInternalTag(tag)).toBe(false);
  });

  it('are dropped from recorded tags, the user’s stay in order; none left → no tags', () => {
    expect(
      attributionFromLangChain(undefined, undefined, ['seq:step:2', 'team-a', 'map:key:x', 'beta'], undefined)
        .tags,
    ).toEqual(['team-a', 'beta']);
    expect(attributionFromLangChain(undefined, undefined, ['seq:step:2'], undefined).tags).toBeUndefined();
    expect(attributionFromLangChain({ tags: ['svc'] }, undefined, ['graph:step:3'], undefined).tags).toEqual([
      'svc',
    ]);
    expect(
      attributionFromLangChain({ tags: ['svc'] }, undefined, ['seq:step:1', 'x'], undefined).tags,
    ).toEqual(['svc', 'x']);
  });
});

describe('environment from LangChain metadata', () => {
  it('reads environment, langfuse_environment, langfuseEnvironment in that order; the call wins over defaults', () => {
    const env = (metadata: Record<string, unknown>, defaults?: { environment?: string }) =>
      attributionFromLangChain(defaults, metadata, undefined, undefined).environment;
    expect(env({ langfuse_environment: 'staging' })).toBe('staging');
    expect(env({ langfuseEnvironment: 'b', environment: 'a' })).toBe('a');
    expect(env({}, { environment: 'production' })).toBe('production');
    expect(env({ langfuse_environment: 'dev' }, { environment: 'production' })).toBe('dev');
  });
});
