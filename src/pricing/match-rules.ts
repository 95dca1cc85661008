import { compileSafeRegex, type WorkBudget } from './regex/index.js';
import { CHARS_PER_UNIT, RULE_TEST_COST, UNLIMITED } from './regex/work-budget.js';
import type { MatchRule } from './types.js';

/**
 * A compiled match rule over a lower-cased model name. Its work is charged to `budget` (one per name,
 * shared by every rule tested against it); a spent budget answers `false`.
 */
export type NamePredicate = (name: string, budget?: WorkBudget) => boolean;

/**
 * Longest model name (in UTF-16 code units) that regex rules and name decomposition look at. A longer
 * name is looked up by its exact name, aliases and deployment map only; when none knows it, it is an
 * unknown model like any other (`calculateCost` returns null or the fallback price).
 */
export const MAX_MATCHED_NAME_LENGTH = 1024;

const NEVER: NamePredicate = () => false;

/** Charge a string test over `name` (`startsWith`, `includes`, …); false once the budget is spent. */
function afford(budget: WorkBudget, name: string): boolean {
  budget.left -= RULE_TEST_COST + name.length / CHARS_PER_UNIT;
  return budget.left > 0;
}

/**
 * Compile a rule (or a list, meaning "any of") into a predicate over lower-cased names.
 * Regex rules run on a linear-time engine (`./regex/`), never on the backtracking `RegExp`, so no
 * pattern can hang the caller; a pattern that engine does not accept (validation reports it before a
 * catalog loads) matches nothing.
 */
export function compileRule(rule: MatchRule | MatchRule[]): NamePredicate {
  if (Array.isArray(rule)) return anyOf(rule.map(compileRule));
  if ('equals' in rule) {
    const v = rule.equals.toLowerCase();
    return (n, b = UNLIMITED) => afford(b, n) && n === v;
  }
  if ('startsWith' in rule) {
    const v = rule.startsWith.toLowerCase();
    return (n, b = UNLIMITED) => afford(b, n) && n.startsWith(v);
  }
  if ('endsWith' in rule) {
    const v = rule.endsWith.toLowerCase();
    return (n, b = UNLIMITED) => afford(b, n) && n.endsWith(v);
  }
  if ('contains' in rule) {
    const v = rule.contains.toLowerCase();
    return (n, b = UNLIMITED) => afford(b, n) && n.includes(v);
  }
  if ('regex' in rule) {
    const compiled = compileSafeRegex(rule.regex, 'i');
    if (!compiled.ok) return NEVER;
    const re = compiled.regex;
    return (n, b = UNLIMITED) => n.length <= MAX_MATCHED_NAME_LENGTH && afford(b, n) && re.test(n, b);
  }
  if ('or' in rule) return anyOf(rule.or.map(compileRule));
  const parts = rule.and.map(compileRule);
  return (n, b) => parts.every((p) => p(n, b));
}

function anyOf(parts: NamePredicate[]): NamePredicate {
  return (n, b) => parts.some((p) => p(n, b));
}

/**
 * The exact names a rule stands for when it is only `equals` (possibly inside `or`), so they can be
 * indexed in a map instead of scanned; null when the rule has any other kind of test.
 */
export function exactNamesOf(rule: MatchRule | MatchRule[]): string[] | null {
  const list = Array.isArray(rule) ? rule : [rule];
  const out: string[] = [];
  for (const r of list) {
    if ('equals' in r) out.push(r.equals.toLowerCase());
    else if ('or' in r) {
      const inner = exactNamesOf(r.or);
      if (inner === null) return null;
      out.push(...inner);
    } else return null;
  }
  return out;
}
