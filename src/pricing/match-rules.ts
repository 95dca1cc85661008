import type { MatchRule } from './types.js';

/** A compiled match rule over a lower-cased model name. */
export type NamePredicate = (name: string) => boolean;

/** Compile a rule (or a list, meaning "any of") into a predicate over lower-cased names. */
export function compileRule(rule: MatchRule | MatchRule[]): NamePredicate {
  if (Array.isArray(rule)) {
    const parts = rule.map(compileRule);
    return (n) => parts.some((p) => p(n));
  }
  if ('equals' in rule) {
    const v = rule.equals.toLowerCase();
    return (n) => n === v;
  }
  if ('startsWith' in rule) {
    const v = rule.startsWith.toLowerCase();
    return (n) => n.startsWith(v);
  }
  if ('endsWith' in rule) {
    const v = rule.endsWith.toLowerCase();
    return (n) => n.endsWith(v);
  }
  if ('contains' in rule) {
    const v = rule.contains.toLowerCase();
    return (n) => n.includes(v);
  }
  if ('regex' in rule) {
    const re = new RegExp(rule.regex, 'i');
    return (n) => re.test(n);
  }
  if ('or' in rule) {
    const parts = rule.or.map(compileRule);
    return (n) => parts.some((p) => p(n));
  }
  const parts = rule.and.map(compileRule);
  return (n) => parts.every((p) => p(n));
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
