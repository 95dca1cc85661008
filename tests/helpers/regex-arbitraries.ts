/**
 * fast-check arbitraries for regex patterns and inputs: the pieces match rules are made of (literals,
 * classes, escapes, anchors, word boundaries, quantifiers, groups, alternation), for property tests of
 * the linear-time engine (src/pricing/regex/).
 */
import fc from 'fast-check';

// Pieces a generated pattern is built from: literals, classes, escapes, anchors, word boundaries.
export const ATOMS = [
  'a',
  'b',
  'A',
  '-',
  '.',
  '\\.',
  '\\d',
  '\\D',
  '\\w',
  '\\W',
  '\\s',
  '\\S',
  '[ab]',
  '[^a]',
  '[a-c]',
  '[A-Z]',
  '[^A-Z1]',
  '[\\d-]',
  '[à-ä]',
  'é',
  '\\x41',
  '\\u0062',
  '\\b',
  '\\B',
  '^',
  '$',
  '[]',
  '[^]',
  '{',
  'a{,2}',
];
export const QUANTIFIERS = ['*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '+?', '{0,2}?'];

/** A pattern built from {@link ATOMS} and {@link QUANTIFIERS}. */
export const pattern: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...ATOMS),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => a + b),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(?:${a}|${b})`),
    tie('node').map((a) => `(${a})`),
    fc.tuple(tie('node'), fc.constantFrom(...QUANTIFIERS)).map(([a, q]) => `(?:${a})${q}`),
    fc.tuple(fc.constantFrom(...ATOMS.slice(0, 22)), fc.constantFrom(...QUANTIFIERS)).map(([a, q]) => a + q),
  ),
})).node;

// Leading lookaheads, the one place they are accepted.
export const withLookahead = fc
  .tuple(fc.constantFrom('(?=', '(?!'), pattern, pattern)
  .map(([open, body, rest]) => `^${open}${body})${rest}`);

/** Short inputs over the characters the atoms distinguish (ASCII, accents, case, newline). */
export const input = fc
  .array(fc.constantFrom('a', 'b', 'A', 'B', '-', '.', '1', ' ', 'é', 'É', 'ä', '\n', '_', 'c'), {
    maxLength: 12,
  })
  .map((cs) => cs.join(''));
