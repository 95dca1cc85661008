/**
 * The linear-time regex engine behind match rules (src/pricing/regex/): it agrees with JavaScript's
 * own RegExp on every pattern it accepts (a property test against V8 on short inputs, where
 * backtracking is harmless), it rejects what it cannot run in linear time with a reason, and the
 * catastrophic patterns of issue 13 run in microseconds on 1 KB inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledCatalog } from '../../../../src/pricing/bundled/index.js';
import { compileSafeRegex } from '../../../../src/pricing/regex/index.js';
import { LinearMachine, MAX_NFA_STATES } from '../../../../src/pricing/regex/machine.js';
import { parseRegex } from '../../../../src/pricing/regex/syntax.js';
import type { MatchRule } from '../../../../src/pricing/types.js';
import { input, pattern, withLookahead } from '../../../helpers/regex-arbitraries.js';
import { timeCall } from '../../../helpers/thread-cpu.js';

const SEED = 1313;

function agrees(source: string, flags: '' | 'i', inputs: string[]): void {
  let native: RegExp;
  try {
    native = new RegExp(source, flags);
  } catch {
    const r = compileSafeRegex(source, flags);
    expect(r.ok, `${source} is invalid in JavaScript but was accepted`).toBe(false);
    if (!r.ok) expect(r.rejection.invalid).toBe(true);
    return;
  }
  const r = compileSafeRegex(source, flags);
  if (!r.ok) throw new Error(`/${source}/${flags} rejected: ${r.rejection.reason}`);
  const wrong = inputs.filter((s) => r.regex.test(s) !== native.test(s));
  expect(wrong, `/${source}/${flags} disagrees with RegExp on these inputs`).toEqual([]);
}

describe('the linear-time engine agrees with RegExp', () => {
  it('on generated patterns and inputs, with and without the i flag (3,000 patterns × 8 inputs)', () => {
    fc.assert(
      fc.property(pattern, fc.boolean(), fc.array(input, { minLength: 8, maxLength: 8 }), (p, ci, inputs) => {
        agrees(p, ci ? 'i' : '', inputs);
      }),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it('on leading lookaheads (1,000 patterns × 8 inputs)', () => {
    fc.assert(
      fc.property(
        withLookahead,
        fc.boolean(),
        fc.array(input, { minLength: 8, maxLength: 8 }),
        (p, ci, inputs) => {
          agrees(p, ci ? 'i' : '', inputs);
        },
      ),
      { seed: SEED, numRuns: 1_000 },
    );
  });

  it('on Langfuse-style and catalog-style patterns', () => {
    const names = [
      'gpt-4o',
      'openai/gpt-4o',
      'GPT-4O',
      'gpt-4o-mini',
      'x/gpt-4o',
      'gemini-2.5-pro-tts',
      'gemini-2.5-pro',
      'ft:gpt-3.5-turbo-1106:acme::abc',
      'claude-3-5-sonnet-v2@20241022',
      'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
    ];
    for (const p of [
      '^(openai/)?(gpt-4o)$',
      '^(?!.*-[tT][tT][sS](?:$|-))',
      '^ft:gpt-3.5-turbo-1106:.*$',
      '^(?!(gpt-4o-mini)$)(openai/)?(gpt-4o(-mini)?)(-[0-9]{4}-[0-9]{2}-[0-9]{2}|-[0-9]{8}|-latest|-v[0-9]+(:[0-9]+)?)*$',
      '^((us|eu|apac)\\.)?anthropic\\.claude-3-7-sonnet(-[0-9]{8})?(-v[0-9]+(:[0-9]+)?)?$',
      'claude-3-5-sonnet(-v2)?@\\d{8}',
      '\\bgpt\\b',
    ])
      for (const flags of ['', 'i'] as const) agrees(p, flags, names);
  });
});

describe('catastrophic patterns run in linear time', () => {
  const HOSTILE = [
    '^(a+)+$',
    '(a|a)*$',
    '(a|aa)+$',
    '(.*a){20}',
    '^(\\w+\\s?)*$',
    '^(?=(a+)+$)',
    '^(?!(a|a)*$)b',
    '(a*)*b',
    '^(([a-z])+.)+[A-Z]([a-z])+$',
  ];
  const inputs = [`${'a'.repeat(1023)}!`, 'a'.repeat(1024), `${'a '.repeat(511)}!!`, `${'aa'.repeat(500)}#`];
  for (const p of HOSTILE) {
    it(p, () => {
      const r = compileSafeRegex(p, 'i');
      if (!r.ok) throw new Error(r.rejection.reason);
      let worst = 0;
      for (const s of inputs) {
        r.regex.test(s); // builds the machine's states
        const t0 = performance.now();
        for (let k = 0; k < 10; k++) r.regex.test(s);
        worst = Math.max(worst, (performance.now() - t0) / 10);
      }
      console.log(`  /${p}/i on 1 KB inputs: worst ${(worst * 1000).toFixed(1)} µs per test`);
      expect(worst).toBeLessThan(50);
      // And the answers are the ones the pattern means.
      expect(r.regex.test('aaaa')).toBe(new RegExp(p, 'i').test('aaaa'));
    });
  }

  it('a cold machine (states built while reading) still answers 1 KB in well under 50 ms', () => {
    const r = compileSafeRegex('^(\\w+\\s?)*$', 'i');
    if (!r.ok) throw new Error(r.rejection.reason);
    const t0 = performance.now();
    expect(r.regex.test(`${'ab '.repeat(341)}!`)).toBe(false);
    const ms = performance.now() - t0;
    console.log(`  cold /^(\\w+\\s?)*$/i on 1 KB: ${ms.toFixed(2)} ms`);
    expect(ms).toBeLessThan(50);
  });
});

describe('patterns whose DFA would be exponential', () => {
  it('outgrow the state cache, switch to stepping the NFA, and still agree with RegExp', () => {
    const source = '(a|b)*a(a|b){12}'; // 2^13 DFA states
    const parsed = parseRegex(source, false);
    if (!parsed.ok) throw new Error(parsed.rejection.reason);
    const machine = new LinearMachine(parsed.node);
    const native = new RegExp(source);
    const inputs = fc.sample(
      fc.array(fc.constantFrom('a', 'b'), { minLength: 10, maxLength: 60 }).map((cs) => cs.join('')),
      { seed: SEED, numRuns: 2_000 },
    );
    const wrong = inputs.filter((s) => machine.test(s) !== native.test(s));
    expect(wrong).toEqual([]);
    expect(machine.cachedStates).toBeLessThanOrEqual(1_000);
  });

  it(`the worst the size limit (${MAX_NFA_STATES} NFA states) allows stays linear on 1 KB`, () => {
    // Every position may start a match, and ~1,000 NFA states are alive after each character.
    const r = compileSafeRegex('[ab]*a[ab]{995}[ab]{995}', 'i');
    if (!r.ok) throw new Error(r.rejection.reason);
    let worst = 0;
    for (let k = 0; k < 5; k++) {
      const input = `${'ab'.repeat(511)}${k}`;
      const t = timeCall(() => r.regex.test(input));
      expect(t.value).toBe(false);
      worst = Math.max(worst, t.cpuMs);
    }
    console.log(`  /[ab]*a[ab]{995}[ab]{995}/i on 1 KB: worst ${worst.toFixed(2)} ms CPU per test`);
    expect(worst).toBeLessThan(50);
    expect(compileSafeRegex('[ab]*a[ab]{999}[ab]{999}', 'i').ok).toBe(false);
  });
});

describe('rejected patterns say why', () => {
  const cases: [string, RegExp][] = [
    ['^(a+)\\1$', /backreferences/],
    ['(?<x>a)\\k<x>', /backreferences/],
    ['(?<=a)b', /lookbehind/],
    ['(?<!a)b', /lookbehind/],
    ['a(?=b)', /only right after a leading \^/],
    ['^(?=(?=a)a)', /nested/],
    ['^(?=a(?!b))', /nested/],
    ['(?:^(?!a))+b', /assertion|lookahead/],
    ['(a{1000}){1000}', /expands to/],
    ['(', /.+/],
  ];
  for (const [p, reason] of cases) {
    it(p, () => {
      const r = compileSafeRegex(p, 'i');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.rejection.reason).toMatch(reason);
    });
  }
});

describe('the bundled catalog', () => {
  const regexes = new Set<string>();
  const walk = (r: MatchRule | MatchRule[]): void => {
    if (Array.isArray(r)) r.forEach(walk);
    else if ('regex' in r) regexes.add(r.regex);
    else if ('or' in r) walk(r.or);
    else if ('and' in r) walk(r.and);
  };
  for (const m of bundledCatalog.models) if (m.match) walk(m.match);

  it('has regex rules, and every one is accepted by the linear-time engine', () => {
    expect(regexes.size).toBeGreaterThan(10);
    for (const p of regexes) {
      const r = compileSafeRegex(p, 'i');
      expect(r.ok ? null : r.rejection, p).toBeNull();
    }
  });

  it('means the same on the engine as in JavaScript, for every name the catalog knows', () => {
    const names = new Set<string>();
    for (const m of bundledCatalog.models) {
      names.add(m.id.toLowerCase());
      for (const a of m.aliases ?? []) names.add(a.toLowerCase());
    }
    for (const n of [...names]) {
      names.add(`${n}-20250101`);
      names.add(`${n}-2025-01-01`);
      names.add(`${n}-tts`);
    }
    for (const p of regexes) agrees(p, 'i', [...names]);
  });
});
