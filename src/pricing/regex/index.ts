/**
 * Regular expressions that cannot hang: match-rule patterns (price files, synced sources, Langfuse
 * model definitions, `catalog.override`, the bundled catalog) are compiled by {@link compileSafeRegex}
 * into a linear-time matcher instead of JavaScript's backtracking `RegExp`, so `^(a+)+$` against
 * `'a'×40 + '!'` takes microseconds, not minutes. See docs/pricing.md, "Match rules and regex safety".
 */
import { describeValue, InvalidArgumentError } from '../../errors.js';
import { LinearMachine, MAX_NFA_STATES, nfaSize } from './machine.js';
import { parseRegex, type Ranges, type RegexNode, type RegexRejection } from './syntax.js';
import { UNLIMITED, type WorkBudget } from './work-budget.js';

export { MAX_PATTERN_LENGTH, MAX_REPEAT, type RegexRejection } from './syntax.js';
export { NAME_WORK_BUDGET, nameBudget, type WorkBudget } from './work-budget.js';

/** Longest literal prefix checked before the machine runs (or is even built). */
const MAX_PREFIX = 64;

/** A leading `^(?=…)` (must match at 0) or `^(?!…)` (must not) lookahead. */
interface Condition {
  node: RegexNode;
  negated: boolean;
  machine: LinearMachine | null;
}

/**
 * A compiled pattern with `RegExp`'s `test`, in time linear in the input. The machine is built on the
 * first input that gets past the pattern's fixed prefix: in a catalog's rule scan most patterns reject
 * a name on its first characters (`^gpt-5\.6-luna-…` against `claude-…`) and are never built.
 */
export class SafeRegex {
  /** The pattern as given. */
  readonly source: string;
  /** `i` when case-insensitive, else empty. */
  readonly flags: string;
  private readonly node: RegexNode;
  private machine: LinearMachine | null = null;
  private readonly conditions: Condition[];
  /** Sets the first characters must fall in (anchored patterns only), checked before anything else. */
  private readonly prefix: Ranges[];

  /** @internal use {@link compileSafeRegex}. */
  constructor(source: string, flags: string, node: RegexNode, conditions: Condition[], prefix: Ranges[]) {
    this.source = source;
    this.flags = flags;
    this.node = node;
    this.conditions = conditions;
    this.prefix = prefix;
  }

  /**
   * Whether the pattern matches anywhere in `input` (as `RegExp.prototype.test`, without `lastIndex`).
   * With a `budget`, the work is charged to it and the answer is `false` once it is spent.
   */
  test(input: string, budget: WorkBudget = UNLIMITED): boolean {
    // A typeof test only: this runs on the first sight of a name (the resolver's match rules).
    if (typeof input !== 'string')
      throw new InvalidArgumentError('input', `expected a string, got ${describeValue(input)}`);
    const prefix = this.prefix;
    if (input.length < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) if (!inRanges(prefix[i]!, input.charCodeAt(i))) return false;
    for (const c of this.conditions) {
      c.machine ??= new LinearMachine({ t: 'cat', items: [{ t: 'bol' }, c.node] });
      if (c.machine.test(input, budget) === c.negated || budget.left <= 0) return false;
    }
    this.machine ??= new LinearMachine(this.node);
    return this.machine.test(input, budget);
  }

  /**
   * The literal every lower-cased input this pattern matches starts with: the fixed prefix's leading
   * positions that admit exactly one lower-case character (`^claude-\d{8}` → `claude-`), empty when
   * the pattern is not anchored or starts with a choice. An input not starting with it is rejected by
   * {@link test} on the prefix check alone, before any matching work is charged; the resolver's rule
   * index relies on that to skip the pattern without testing it.
   */
  literalPrefix(): string {
    let out = '';
    for (const r of this.prefix) {
      let only: string | undefined;
      let size = 0;
      for (let i = 0; i < r.length; i += 2) size += r[i + 1]! - r[i]! + 1;
      if (size > MAX_LITERAL_SET) break;
      for (let i = 0; i < r.length && only !== ''; i += 2) {
        for (let c = r[i]!; c <= r[i + 1]!; c++) {
          const ch = String.fromCharCode(c);
          // Inputs are lower-cased: only a character lower-casing leaves alone can appear in one.
          if (ch.toLowerCase() !== ch) continue;
          only = only === undefined ? ch : '';
        }
      }
      if (only === undefined || only === '') break;
      out += only;
    }
    return out;
  }
}

/** Characters one position of a fixed prefix may hold, past which it is not one literal character. */
const MAX_LITERAL_SET = 8;

function inRanges(r: Ranges, c: number): boolean {
  for (let i = 0; i < r.length; i += 2) if (c >= r[i]! && c <= r[i + 1]!) return true;
  return false;
}

/** The outcome of {@link compileSafeRegex}: the matcher, or why the pattern is not accepted. */
export type SafeRegexResult = { ok: true; regex: SafeRegex } | { ok: false; rejection: RegexRejection };

/**
 * Compile a pattern (JavaScript syntax, as `new RegExp(source, flags)`) into a linear-time matcher.
 * Not accepted: backreferences, lookbehinds, lookaheads anywhere but right after a leading `^`,
 * inline modifiers, patterns over 2,000 characters or whose expansion is too large, and anything
 * JavaScript itself rejects (`invalid: true`). Never throws.
 *
 * @param flags - `i` for case-insensitive matching, or empty.
 * @example
 * ```ts
 * const r = compileSafeRegex('^(a+)+$', 'i');
 * if (r.ok) r.regex.test(`${'a'.repeat(40)}!`); // false, in microseconds
 * ```
 */
export function compileSafeRegex(source: string, flags: '' | 'i' = ''): SafeRegexResult {
  if (typeof source !== 'string') return { ok: false, rejection: { reason: 'not a string', at: 0 } };
  try {
    new RegExp(source, flags);
  } catch (e) {
    return { ok: false, rejection: { reason: (e as Error).message, at: 0, invalid: true } };
  }
  const parsed = parseRegex(source, flags === 'i');
  if (!parsed.ok) return parsed;
  const { main, looks } = splitLeadingLookaheads(parsed.node);
  const size = [main, ...looks.map((l) => l.node)].reduce((n, x) => n + nfaSize(x), 0);
  if (size > MAX_NFA_STATES) {
    return {
      ok: false,
      rejection: { reason: `the pattern expands to ${size} states (at most ${MAX_NFA_STATES})`, at: 0 },
    };
  }
  const conditions = looks.map((l) => ({ node: l.node, negated: l.negated, machine: null }));
  return { ok: true, regex: new SafeRegex(source, flags, main, conditions, fixedPrefix(main)) };
}

/** `^(?=A)(?!B)rest` → conditions A (must match at 0) and B (must not), and `^rest`. */
function splitLeadingLookaheads(node: RegexNode): {
  main: RegexNode;
  looks: { negated: boolean; node: RegexNode }[];
} {
  if (node.t !== 'cat' || node.items[0]?.t !== 'bol' || node.items[1]?.t !== 'look')
    return { main: node, looks: [] };
  const looks: { negated: boolean; node: RegexNode }[] = [];
  let k = 1;
  for (; k < node.items.length; k++) {
    const item = node.items[k]!;
    if (item.t !== 'look') break;
    looks.push({ negated: item.negated, node: item.node });
  }
  return { main: { t: 'cat', items: [{ t: 'bol' }, ...node.items.slice(k)] }, looks };
}

/** Flatten nested sequences (groups leave nested `cat`s). */
function sequence(node: RegexNode): RegexNode[] {
  return node.t === 'cat' ? node.items.flatMap(sequence) : [node];
}

/** For `^abc…`, the sets of the characters every match starts with (empty when not anchored). */
function fixedPrefix(node: RegexNode): Ranges[] {
  const items = sequence(node);
  if (items[0]?.t !== 'bol') return [];
  const out: Ranges[] = [];
  for (let k = 1; k < items.length && out.length < MAX_PREFIX; k++) {
    const item = items[k]!;
    if (item.t === 'set') out.push(item.ranges);
    else if (item.t === 'rep' && item.min === item.max && item.node.t === 'set') {
      for (let j = 0; j < item.min && out.length < MAX_PREFIX; j++) out.push(item.node.ranges);
      if (out.length === MAX_PREFIX) break;
    } else break;
  }
  return out;
}

/** Why a pattern would be rejected (null when it compiles). */
export function regexRejection(source: string, flags: '' | 'i' = ''): RegexRejection | null {
  const r = compileSafeRegex(source, flags);
  return r.ok ? null : r.rejection;
}
