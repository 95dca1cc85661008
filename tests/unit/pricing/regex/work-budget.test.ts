/**
 * Issue 13, item 4: "pricing any name ≤ 1 KB with any loadable catalog" is bounded by a work budget
 * per first-sight name (src/pricing/regex/work-budget.ts), shared by every rule the resolver tests.
 * What can go wrong, and is checked here:
 * - the charge depends on the DFA cache (a warm pattern charged less than a cold one), so a name
 *   resolves differently depending on what was priced before it;
 * - a spent budget answers "match" or lets the resolver keep scanning thousands of rules;
 * - the budget trips on real names, so a real model goes unpriced.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledCatalog } from '../../../../src/pricing/bundled/index.js';
import { type CatalogData, MAX_MATCHED_NAME_LENGTH, PriceCatalog } from '../../../../src/pricing/index.js';
import { compileSafeRegex } from '../../../../src/pricing/regex/index.js';
import {
  NAME_DFA_BUILDS,
  NAME_WORK_BUDGET,
  STATE_STEP_COST,
} from '../../../../src/pricing/regex/work-budget.js';
import { input, pattern } from '../../../helpers/regex-arbitraries.js';

const SEED = 20261204;

function compiled(source: string) {
  const r = compileSafeRegex(source, 'i');
  if (!r.ok) throw new Error(`${source}: ${r.rejection.reason}`);
  return r.regex;
}

describe('the charge for a test', () => {
  it('is the same on a cold machine, a warm one and one stepping the NFA only (2,000 patterns × 6 inputs)', () => {
    const longer = fc.array(input, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        pattern,
        fc.array(longer, { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 1, max: 4_000 }),
        (source, inputs, left) => {
          if (!compileSafeRegex(source, 'i').ok) return;
          const warm = compiled(source);
          // Warm the DFA cache on every input (in reverse), so its tests below mostly reuse states.
          for (const s of [...inputs].reverse()) warm.test(s);
          for (const s of inputs) {
            const cold = { left, builds: NAME_DFA_BUILDS };
            const hot = { left, builds: NAME_DFA_BUILDS };
            const nfaOnly = { left, builds: 0 };
            const answers = [
              compiled(source).test(s, cold),
              warm.test(s, hot),
              compiled(source).test(s, nfaOnly),
            ];
            expect(new Set(answers).size, `/${source}/i on ${JSON.stringify(s)}`).toBe(1);
            expect([hot.left, nfaOnly.left], `/${source}/i on ${JSON.stringify(s)}`).toEqual([
              cold.left,
              cold.left,
            ]);
          }
        },
      ),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it('is (states alive + 1) × STATE_STEP_COST per character for a literal, so 1 KB is not free', () => {
    // `^abc` anchored: reading "abc…" keeps one state alive per character; the start's closure
    // (the `^` assertion and the first literal) is charged at position 0 only.
    const budget = { left: 1e9, builds: NAME_DFA_BUILDS };
    expect(compiled('xyz').test('a'.repeat(1000), budget)).toBe(false);
    // Unanchored `xyz`: at every character the start's closure (1 state) + the character; the
    // states alive after `a` are none. 1,000 characters and the end of input.
    expect(1e9 - budget.left).toBe(1001 * 2 * STATE_STEP_COST);
  });

  it('once spent, answers "no match" even where the pattern matches, and leaves left ≤ 0', () => {
    const re = compiled('a+$');
    const name = 'a'.repeat(500);
    expect(re.test(name)).toBe(true);
    const budget = { left: 50 * STATE_STEP_COST, builds: NAME_DFA_BUILDS };
    expect(re.test(name, budget)).toBe(false);
    expect(budget.left).toBeLessThanOrEqual(0);
    // And a spent budget does no work at all.
    expect(re.test('a', budget)).toBe(false);
  });
});

/**
 * A catalog of hostile rules (first), one honest rule, and the bundled catalog underneath. The hostile
 * rules cost thousands of units per character; anchored, only names starting `ab-` pay for them.
 */
function hostile(rules: number, anchor = '^ab-'): PriceCatalog {
  const data: CatalogData = {
    version: 1,
    models: [
      ...Array.from({ length: rules }, (_, i) => ({
        id: `hostile-${i}`,
        provider: 'acme',
        match: { regex: `${anchor}(?:[a-z]+-?){40}x${i}` },
        prices: { input: 1, output: 2 },
      })),
      { id: 'honest', provider: 'acme', match: { startsWith: 'honest-' }, prices: { input: 3, output: 4 } },
    ],
  };
  const c = PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled catalog', { trusted: true });
  c.addLayer('user', data, 'hostile.json');
  return c;
}

describe('a catalog whose rules would take milliseconds per name', () => {
  const names = [
    ...Array.from({ length: 12 }, (_, k) =>
      `${'ab-'.repeat(60 + k * 20)}q`.slice(0, MAX_MATCHED_NAME_LENGTH),
    ),
    'honest-model',
    'gpt-4o-mini',
    'claude-3-5-haiku-20241022',
  ];

  it('resolves each name the same whatever was priced before it (forward vs reverse order)', () => {
    const forward = hostile(200);
    const reverse = hostile(200);
    const a = names.map((n) => forward.resolve(n)?.model.id ?? null);
    const b = [...names]
      .reverse()
      .map((n) => reverse.resolve(n)?.model.id ?? null)
      .reverse();
    expect(b).toEqual(a);
    expect(forward.stats().overBudget).toBe(reverse.stats().overBudget);
  });

  it('gives up on hostile names (counted, explained) and still prices names by exact id and cheap rules', () => {
    const c = hostile(200);
    for (const n of names.slice(0, 12)) expect(c.resolve(n)).toBeNull();
    expect(c.stats().overBudget).toBe(12);
    const trace = c.explain(names[11]!);
    expect(trace.steps.at(-1)).toMatchObject({ rule: 'work budget', matched: false });
    expect(trace.steps.at(-1)!.detail).toContain(String(NAME_WORK_BUDGET));
    // Short real names: the hostile rules fail on them within the budget.
    expect(c.resolve('honest-model')?.model.id).toBe('honest');
    expect(c.resolve('gpt-4o-mini')?.model.provider).toBe('openai');
    expect(c.stats().overBudget).toBe(12);
  });

  it('with the hostile rules unanchored, a name resolves as without them, or not at all — never to another model', () => {
    const c = hostile(200, '');
    const clean = hostile(0);
    expect(c.resolve('honest-model')).toBeNull();
    expect(c.stats().overBudget).toBe(1);
    let same = 0;
    let unknown = 0;
    for (const m of bundledCatalog.models.slice(0, 300)) {
      for (const name of [m.id, `${m.id}-20250101`, `${m.provider}/${m.id}`]) {
        const got = c.resolve(name);
        const want = clean.resolve(name);
        if (got === null) unknown++;
        else {
          expect(`${got.model.provider}/${got.model.id}`, name).toBe(
            `${want?.model.provider}/${want?.model.id}`,
          );
          same++;
        }
      }
    }
    // The user layer's rules come before the bundled layer, so most names give up there.
    expect(same + unknown).toBe(900);
    expect(same).toBeGreaterThan(0);
    expect(unknown).toBeGreaterThan(0);
    expect(c.stats().overBudget).toBeGreaterThan(1);
  });
});

describe('real names never reach the budget', () => {
  it('every id and alias of the bundled catalog, plain and with dated/suffixed variants', () => {
    const c = PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled catalog', { trusted: true });
    let n = 0;
    for (const m of bundledCatalog.models) {
      for (const id of [m.id, ...(m.aliases ?? [])]) {
        for (const name of [id, `${id}-20250101`, `${m.provider}/${id}`, `${id}:free`, `us.${id}-v1:0`]) {
          c.resolve(name);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(1_000);
    expect(c.stats().overBudget).toBe(0);
  });
});
