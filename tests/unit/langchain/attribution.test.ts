import { describe, expect, it } from 'vitest';
import {
  attributionFromLangChain,
  isLangChainInternalTag,
  readRunMetadata,
  runAttribution,
} from '../../../src/langchain/attribution.js';

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

describe('readRunMetadata and LangChain’s own ls_* keys', () => {
  it('skips ls_* keys but reads the attribution keys around them', () => {
    const m = readRunMetadata({
      ls_model_type: 'chat',
      ls_temperature: 0,
      session_id: 's-1',
      ls_stop: ['\n'],
      ls_provider: 'openai',
      l: 'x',
      ls: 'y',
      user_id: 'u-1',
      ls_model_name: 'gpt-4o',
      tenant_id: 't-1',
    });
    expect(m).toMatchObject({
      sessionId: 's-1',
      userId: 'u-1',
      tenantId: 't-1',
      provider: 'openai',
      modelName: 'gpt-4o',
    });
  });
});

describe('the handler’s attribution of a run (runAttribution)', () => {
  const none = readRunMetadata({ ls_provider: 'openai', ls_model_name: 'gpt-4o', ls_model_type: 'chat' });

  it('is one shared object for calls that name nothing, and all its fields stay undefined', () => {
    const a = runAttribution(undefined, none, [], undefined);
    expect(runAttribution(undefined, none, undefined, undefined)).toBe(a);
    expect(Object.values(a).every((v) => v === undefined)).toBe(true);
    // It has the shape of every other attribution, so the code that reads them sees one hidden class.
    expect(Object.keys(a)).toEqual(
      Object.keys(attributionFromLangChain(undefined, undefined, [], undefined)),
    );
  });

  it('is the call’s own whenever the call, its tags, its run name or the handler names something', () => {
    const shared = runAttribution(undefined, none, [], undefined);
    const withSession = runAttribution(undefined, readRunMetadata({ session_id: 's-1' }), [], undefined);
    expect(withSession).not.toBe(shared);
    expect(withSession.sessionId).toBe('s-1');
    expect(runAttribution(undefined, none, ['team-a'], undefined).tags).toEqual(['team-a']);
    expect(runAttribution(undefined, none, [], 'summarize').operation).toBe('summarize');
    expect(runAttribution({ tenantId: 't-1' }, none, [], undefined).tenantId).toBe('t-1');
    expect(Object.values(shared).every((v) => v === undefined)).toBe(true);
  });
});

describe('readRunMetadata', () => {
  it('reads every field in one pass, whatever the key order, the best-ranked key winning', () => {
    const m = readRunMetadata({
      thread_id: 'thread-9',
      ls_model_name: 'gpt-4o',
      langfuseUserId: 'u-late',
      user_id: 'u-1',
      session_id: 's-1',
      versions: { '@langchain/core': '1.4.0' },
      ls_provider: 'openai',
      tenantId: 7,
    });
    expect(m).toEqual({
      sessionId: 's-1',
      userId: 'u-1',
      tenantId: '7',
      environment: undefined,
      operation: undefined,
      modelName: 'gpt-4o',
      provider: 'openai',
      versions: { '@langchain/core': '1.4.0' },
    });
  });
});

describe('readRunMetadata walks the keys for…in sees', () => {
  it('reads inherited enumerable keys of an object that is not a plain one', () => {
    const m = readRunMetadata(Object.create({ session_id: 's-proto', ls_provider: 'openai' }));
    expect(m.sessionId).toBe('s-proto');
    expect(m.provider).toBe('openai');
  });

  it('does not take an own __proto__ key’s object for inherited keys', () => {
    const metadata = JSON.parse('{"__proto__": {"session_id": "s-inner"}, "user_id": "u-1"}');
    const m = readRunMetadata(metadata);
    expect(m.sessionId).toBeUndefined();
    expect(m.userId).toBe('u-1');
  });

  it('reads the attribution keys of an object with a getter that throws on another key', () => {
    const metadata = {
      session_id: 's-1',
      get other(): string {
        throw new Error('not readable');
      },
      user_id: 'u-1',
    };
    expect(readRunMetadata(metadata)).toMatchObject({ sessionId: 's-1', userId: 'u-1' });
  });

  it('reads a getter of an attribution key once, and the others’ values as given', () => {
    let reads = 0;
    const metadata = {
      ls_model_name: 'gpt-4o',
      get user_id() {
        reads++;
        return 'u-get';
      },
      versions: { '@langchain/core': '1.4.0' },
    };
    expect(readRunMetadata(metadata)).toMatchObject({ userId: 'u-get', modelName: 'gpt-4o' });
    expect(reads).toBe(1);
  });
});
