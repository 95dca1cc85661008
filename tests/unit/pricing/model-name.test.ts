import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bundledCatalog } from '../../../src/pricing/bundled/index.js';
import { decomposeModelName, GUARDED_PATTERNS } from '../../../src/pricing/model-name.js';

// decomposeModelName runs each of its patterns only behind a plain string test that every match of
// the pattern passes (a regex costs a fresh process about 60 µs to compile and tier up). These tests
// check each such test against its pattern, and that an undecorated name runs no regex at all.

const regression = (
  JSON.parse(
    readFileSync(new URL('../../fixtures/pricing/resolution-regression.json', import.meta.url), 'utf8'),
  ) as { cases: { model: string }[] }
).cases.map((c) => c.model);

/** Decorations callers put around a model id: every shape the patterns are there to recognise. */
const DECORATED: ((id: string) => string)[] = [
  (id) => id,
  (id) => `${id}-2024-08-06`,
  (id) => `${id}-20241022`,
  (id) => `${id}-08-06`,
  (id) => `${id}-0806`,
  (id) => `${id}-002`,
  (id) => `${id}-latest`,
  (id) => `${id}-v2`,
  (id) => `${id}-v1:0`,
  (id) => `${id}-2024-08-06-v1:0`,
  (id) => `${id}:free`,
  (id) => `openrouter/${id}:thinking`,
  (id) => `models/${id}`,
  (id) => `publishers/meta/models/${id}`,
  (id) => `projects/p1/locations/us-east5/publishers/anthropic/models/${id}`,
  (id) => `accounts/fireworks/models/${id}`,
  (id) => `${id}-maas`,
  (id) => `us.anthropic.${id}-v1:0`,
  (id) => `global.amazon.${id}`,
  (id) => `${id}.ft-0123abcd`,
  (id) => `${id}.ft-0123abcd-4567`,
  (id) => `${id}@20240229`,
  (id) => `@cf/meta/${id}`,
  (id) => `arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.${id}-v1:0`,
  (id) => `arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:foundation-model/${id}`,
  (id) => `arn:aws:bedrock:eu-west-1:123456789012:custom-model/${id}/abc123`,
  (id) => `projects/p1/locations/us-central1/endpoints/${id.length}`,
];

/** Real names and every catalog id and alias, decorated every way, with every candidate they decompose into. */
function corpus(): string[] {
  const ids = new Set<string>(regression.map((n) => n.toLowerCase()));
  for (const m of bundledCatalog.models) {
    ids.add(m.id.toLowerCase());
    for (const a of m.aliases ?? []) ids.add(a.toLowerCase());
  }
  const names = new Set<string>();
  for (const id of ids) {
    for (const decorate of DECORATED) {
      const name = decorate(id);
      names.add(name);
      for (const c of decomposeModelName(name).candidates) names.add(c.name);
    }
  }
  return [...names];
}

describe('the plain string test before each pattern of decomposeModelName', () => {
  it('passes on every name the pattern matches', () => {
    const names = corpus();
    expect(names.length).toBeGreaterThan(50_000);
    GUARDED_PATTERNS.forEach((p, i) => {
      const matched = names.filter((n) => p.re.test(n));
      // Each pattern matches some names here, so this checks its test on them.
      expect(matched.length, `${p.re} matches names of the corpus`).toBeGreaterThan(0);
      expect(
        matched.filter((n) => !p.needs(n)),
        `pattern ${i} ${p.re}: names it matches that its test refuses`,
      ).toEqual([]);
    });
  });
});

describe('an undecorated name', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs no regex', () => {
    const exec = vi.spyOn(RegExp.prototype, 'exec');
    for (const name of ['gpt-4o', 'GPT-4o-mini', 'claude-sonnet', 'mistral-large', 'o3-pro', 'grok-beta']) {
      const d = decomposeModelName(name);
      expect(d.candidates[0]?.name, name).toBe(name.toLowerCase());
    }
    expect(exec.mock.calls.map((c) => String(c[0]))).toEqual([]);
  });
});

describe('the candidates of a name', () => {
  it('name each form once, where it was first reached, across every decoration', () => {
    // A foundation-model ARN's id is reached twice (the ARN's id, then the Bedrock id itself).
    const arn = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0';
    expect(decomposeModelName(arn).candidates.map((c) => [c.name, c.rule])).toEqual([
      [arn, 'exact'],
      ['anthropic.claude-3-haiku-20240307-v1:0', 'Bedrock foundation-model ARN'],
      ['claude-3-haiku-20240307', expect.any(String)],
      ['claude-3-haiku', expect.any(String)],
    ]);
    for (const name of corpus()) {
      const names = decomposeModelName(name).candidates.map((c) => c.name);
      expect(new Set(names).size, name).toBe(names.length);
    }
  });
});
