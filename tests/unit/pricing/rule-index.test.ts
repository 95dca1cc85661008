/**
 * Issue 17, part 1: the match-rule index (src/pricing/rule-index.ts) lets a first-sight name test only
 * the rules that can match it, and remembers scans per candidate name. What can go wrong, and is
 * checked here:
 * - the index skips a rule that would have matched (a literal extracted wrongly, a case or a place
 *   missed), or keeps the matches in another order than the rules';
 * - a skipped rule is not charged what testing it would have cost, so a name spends its work budget
 *   at another rule than with a full scan and resolves differently (see regex/work-budget.ts);
 * - a replayed (remembered) scan charges differently from a fresh one;
 * - the memos grow without limit on a stream of distinct names.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledCatalog } from '../../../src/pricing/bundled/index.js';
import { PriceCatalog } from '../../../src/pricing/catalog.js';
import { importLangfuseModels } from '../../../src/pricing/importers/index.js';
import {
  compileRule,
  MAX_MATCHED_NAME_LENGTH,
  type NamePredicate,
} from '../../../src/pricing/match-rules.js';
import { compileSafeRegex } from '../../../src/pricing/regex/index.js';
import { NAME_DFA_BUILDS, NAME_WORK_BUDGET } from '../../../src/pricing/regex/work-budget.js';
import {
  type IndexedRule,
  RuleList,
  SCAN_MEMO_LIMIT,
  type ScanRecord,
} from '../../../src/pricing/rule-index.js';
import type { CatalogData, MatchRule } from '../../../src/pricing/types.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const SEED = 20261204;

const compiled = new Map<MatchRule | MatchRule[], NamePredicate>();

/** The scan the resolver did before the index: every rule in order, on one budget. */
function fullScan(rules: IndexedRule<number>[], name: string): ScanRecord<number> {
  const budget = { left: NAME_WORK_BUDGET, builds: NAME_DFA_BUILDS };
  const groups: number[] = [];
  const through: number[] = [];
  for (const r of rules) {
    let test = compiled.get(r.rule);
    if (test === undefined) {
      test = compileRule(r.rule);
      compiled.set(r.rule, test);
    }
    if (test(name, budget)) {
      groups.push(r.group);
      through.push(NAME_WORK_BUDGET - budget.left);
    } else if (budget.left <= 0) break;
  }
  return { groups, through, total: NAME_WORK_BUDGET - budget.left, complete: budget.left > 0 };
}

function listOf(rules: IndexedRule<number>[]): RuleList<number> {
  const list = new RuleList<number>(0);
  for (const r of rules) list.add(r);
  return list;
}

/** The scan as the resolver sees it: a complete one exactly; a spent one up to where it stopped. */
function expectSameScan(indexed: ScanRecord<number>, full: ScanRecord<number>, name: string): void {
  expect(indexed.complete, name).toBe(full.complete);
  expect(indexed.groups, name).toEqual(full.groups);
  expect(indexed.through, name).toEqual(full.through);
  if (full.complete) expect(indexed.total, name).toBe(full.total);
  else expect(indexed.total, name).toBeGreaterThanOrEqual(NAME_WORK_BUDGET);
}

function rulesOf(data: CatalogData): IndexedRule<number>[] {
  return data.models.flatMap((m, i) => (m.match ? [{ rule: m.match, group: i }] : []));
}

const bundledRules = rulesOf(bundledCatalog);

/** Names the bundled rules were written for, and near misses of them. */
function realNames(): string[] {
  const out = new Set<string>();
  for (const m of bundledCatalog.models) {
    for (const n of [m.id, ...(m.aliases ?? [])]) {
      const l = n.toLowerCase();
      out.add(l);
      out.add(`${l}-20250101`);
      out.add(`us.${l}-v1:0`);
      out.add(`x${l}`);
      out.add(l.slice(0, -1));
      out.add(l.replace(/-/g, '.'));
    }
  }
  return [...out].filter((n) => n !== '');
}

describe('an indexed scan finds what a full scan finds, charged the same', () => {
  it('on every id and alias of the bundled catalog, and near misses of them', () => {
    const list = listOf(bundledRules);
    const names = realNames();
    expect(names.length).toBeGreaterThan(5_000);
    let matched = 0;
    for (const name of names) {
      const full = fullScan(bundledRules, name);
      expectSameScan(list.scan(name, { left: NAME_WORK_BUDGET, builds: NAME_DFA_BUILDS }), full, name);
      if (full.groups.length > 0) matched++;
    }
    // The names do reach the rules: most of the near misses match some rule.
    expect(matched).toBeGreaterThan(1_000);
  });

  it('on generated names, rules of every kind, and names over the length limit', () => {
    const leaf = fc.oneof(
      fc.constantFrom('gpt', 'gpt-4', 'claude', '-v1', 'o1', 'mini', 'a', 'ab', 'Ab-'),
      fc.string({ unit: fc.constantFrom('a', 'b', '-', '.', 'A', 'é'), minLength: 0, maxLength: 4 }),
    );
    const rule: fc.Arbitrary<MatchRule> = fc.letrec<{ rule: MatchRule }>((tie) => ({
      rule: fc.oneof(
        { depthSize: 'small' },
        leaf.map((v) => ({ startsWith: v })),
        leaf.map((v) => ({ contains: v })),
        leaf.map((v) => ({ endsWith: v })),
        leaf.map((v) => ({ equals: v })),
        fc
          .constantFrom(
            '^gpt-4o',
            '^claude-\\d{8}$',
            '^(a|b)c',
            'ab+',
            '^[Aa]b-',
            '^é',
            '(',
            '^a{2}b',
            '^\\.x',
          )
          .map((regex) => ({ regex })),
        fc.array(tie('rule'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
        fc.array(tie('rule'), { minLength: 1, maxLength: 2 }).map((and) => ({ and })),
      ),
    })).rule;
    const name = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', '-', '.', 'g', 'p', 't', '4', 'o', 'é'), maxLength: 12 }),
      fc.constantFrom('gpt-4o', 'claude-20250101', 'abab-ab', 'aab', 'é', ''),
      fc.nat(3).map((k) => 'ab-'.repeat(MAX_MATCHED_NAME_LENGTH / 3 + k)),
    );
    fc.assert(
      fc.property(
        fc.array(rule, { minLength: 1, maxLength: 12 }),
        fc.array(name, { maxLength: 8 }),
        (rs, ns) => {
          const rules = rs.map((r, i) => ({ rule: r, group: i }));
          const list = listOf(rules);
          for (const n of ns)
            expectSameScan(
              list.scan(n, { left: NAME_WORK_BUDGET, builds: NAME_DFA_BUILDS }),
              fullScan(rules, n),
              n,
            );
        },
      ),
      { seed: SEED, numRuns: 1_500 },
    );
  });

  it("on Langfuse's model definitions (regex rules) and rules that spend the whole budget", () => {
    const langfuse = importLangfuseModels(
      JSON.parse(
        readFileSync(
          new URL('../../fixtures/prices/langfuse-default-model-prices.json', import.meta.url),
          'utf8',
        ),
      ),
    );
    const hostile = Array.from({ length: 60 }, (_, i) => ({
      rule: { regex: `^ab-(?:[a-z]+-?){40}x${i}` } as MatchRule,
      group: 10_000 + i,
    }));
    const rules = [...rulesOf(langfuse), ...hostile, ...bundledRules];
    const list = listOf(rules);
    const names = [
      ...realNames().slice(0, 800),
      ...Array.from({ length: 6 }, (_, k) =>
        `${'ab-'.repeat(60 + k * 40)}q`.slice(0, MAX_MATCHED_NAME_LENGTH),
      ),
    ];
    let spent = 0;
    for (const n of names) {
      const full = fullScan(rules, n);
      if (!full.complete) spent++;
      expectSameScan(list.scan(n, { left: NAME_WORK_BUDGET, builds: NAME_DFA_BUILDS }), full, n);
    }
    expect(spent).toBeGreaterThan(0);
  });
});

describe('the literal prefix of a pattern', () => {
  const prefix = (source: string) => {
    const r = compileSafeRegex(source, 'i');
    if (!r.ok) throw new Error(source);
    return r.regex.literalPrefix();
  };

  it('is the lower-case characters every match starts with, up to the first choice', () => {
    expect(prefix('^claude-fable-5-\\d{8}$')).toBe('claude-fable-5-');
    expect(prefix('^GPT-4o')).toBe('gpt-4o');
    expect(prefix('^a{3}b')).toBe('aaab');
    expect(prefix('^(openai/)?gpt-4o$')).toBe('');
    expect(prefix('gpt-4o')).toBe(''); // not anchored: it may match anywhere
    expect(prefix('^[ab]c')).toBe('');
  });
});

describe('the memos stay bounded', () => {
  it('a catalog that priced 300,000 distinct names holds at most its caps, and its heap stops growing', () => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'tests/helpers/pricing-memo-child.ts', '300000'],
      { cwd: root, encoding: 'utf8', timeout: 120_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const r = JSON.parse(child.stdout) as {
      priced: number;
      maxSizes: { names: number; scans: number };
      firstThird: number;
      lastTwoThirds: number;
    };
    expect(r.priced).toBe(300_000);
    // The name memo is cleared past its limit (50,000 by default); the scan memo keeps two generations.
    expect(r.maxSizes.names).toBeLessThanOrEqual(50_000);
    expect(r.maxSizes.scans).toBeLessThanOrEqual(2 * SCAN_MEMO_LIMIT);
    expect(r.maxSizes.scans).toBeGreaterThan(SCAN_MEMO_LIMIT); // the stream did fill it
    // 200,000 more distinct names after the first 100,000 add no more than the memos' bounded contents.
    expect(r.lastTwoThirds).toBeLessThan(16 * 1024 * 1024);
    console.log(
      `heap: +${(r.firstThird / 1048576).toFixed(1)} MB after 100k names, then ${(r.lastTwoThirds / 1048576).toFixed(1)} MB for 200k more`,
    );
  }, 120_000);

  it('a remembered scan resolves a name as a fresh one does (same answer, same budget spent)', () => {
    const warm = PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled', { trusted: true });
    const names = realNames().slice(0, 1_500);
    // Warm the scan memo with every candidate (distinct case, so the name memo misses afterwards).
    for (const n of names) warm.resolve(n.toUpperCase());
    for (const n of names) {
      const cold = PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled', { trusted: true });
      const a = warm.resolve(n);
      const b = cold.resolve(n);
      expect(a?.model.id ?? null, n).toBe(b?.model.id ?? null);
      expect(a?.provider ?? null, n).toBe(b?.provider ?? null);
      expect(a?.rule ?? null, n).toBe(b?.rule ?? null);
    }
    expect(warm.stats().overBudget).toBe(0);
  });
});
