/**
 * An index of a catalog layer's match rules, so a name the resolver has never seen tests only the
 * rules that can match it instead of every rule in the layer.
 *
 * Most rules are literal tests (`startsWith`, `contains`, `endsWith`, `equals`, an anchored regex with
 * a fixed prefix), alone or in an `or`. Such a rule can only match a name holding one of its literals
 * in the right place, so the literals go into three character tries (prefix, anywhere, suffix) and a
 * walk of the name through them yields the rules worth testing. Every other rule (`and`, a regex
 * without a literal prefix) is tested on every name, as before.
 *
 * Skipping a rule must not change what the resolver answers, and that includes the work budget
 * (`regex/work-budget.ts`): a rule the index skips is charged exactly what testing it would have
 * charged (each literal leaf fails after charging one string test), in rule order, so a name spends its
 * budget at the same rule as with a full scan. {@link RuleList.scan} returns the charges with the
 * matches, so a result can be remembered and replayed for the next name with the same candidate.
 */
import { compileRule, MAX_MATCHED_NAME_LENGTH, type NamePredicate } from './match-rules.js';
import { compileSafeRegex, NAME_WORK_BUDGET, type WorkBudget } from './regex/index.js';
import { CHARS_PER_UNIT, RULE_TEST_COST } from './regex/work-budget.js';
import type { MatchRule } from './types.js';

/** Where a rule's literal must be in a name for the rule to match. */
type Place = 'prefix' | 'anywhere' | 'suffix';

/**
 * What decides that a rule fails: its literals (it can match only names holding one of them) and the
 * number of string tests a failing test charges; null when the rule must be tested on every name.
 */
interface Guard {
  literals: { text: string; place: Place }[];
  leaves: number;
}

/** The guard of a rule (see {@link Guard}); mirrors how `compileRule` tests and charges it. */
function guardOf(rule: MatchRule | MatchRule[]): Guard | null {
  const parts = Array.isArray(rule) ? rule : 'or' in rule ? rule.or : null;
  if (parts !== null) {
    // `or`: every part is tested (and charged) when none matches.
    const out: Guard = { literals: [], leaves: 0 };
    for (const p of parts) {
      const g = guardOf(p);
      if (g === null) return null;
      out.literals.push(...g.literals);
      out.leaves += g.leaves;
    }
    return out;
  }
  const leaf = (text: string, place: Place): Guard | null =>
    text === '' ? null : { literals: [{ text: text.toLowerCase(), place }], leaves: 1 };
  if ('equals' in rule) return leaf(rule.equals, 'prefix');
  if ('startsWith' in rule) return leaf(rule.startsWith, 'prefix');
  if ('endsWith' in rule) return leaf(rule.endsWith, 'suffix');
  if ('contains' in rule) return leaf(rule.contains, 'anywhere');
  if ('regex' in rule) {
    const compiled = compileSafeRegex(rule.regex, 'i');
    // A pattern the engine refuses never matches and charges nothing.
    if (!compiled.ok) return { literals: [], leaves: 0 };
    // A name without the fixed prefix fails the prefix check, after the one charge of a string test.
    return leaf(compiled.regex.literalPrefix(), 'prefix');
  }
  return null; // `and`: its cost on a failing name depends on which part fails first
}

/** A node of a character trie: the rules whose literal ends here, and the next characters. */
interface TrieNode {
  rules: number[];
  next: Map<number, TrieNode>;
}

const newNode = (): TrieNode => ({ rules: [], next: new Map() });

function insert(root: TrieNode, text: string, reversed: boolean, rule: number): void {
  let node = root;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(reversed ? text.length - 1 - i : i);
    let child = node.next.get(c);
    if (child === undefined) {
      child = newNode();
      node.next.set(c, child);
    }
    node = child;
  }
  if (!node.rules.includes(rule)) node.rules.push(rule);
}

/** A match rule of the list and what it prices; compiled on first use. */
export interface IndexedRule<G> {
  rule: MatchRule | MatchRule[];
  group: G;
}

/**
 * The outcome of testing a candidate name against every rule of a list, in rule order: the groups
 * whose rules matched, the budget charged up to and including each of those rules, and the charge of
 * the whole scan. `complete` is false when the scan ran out of budget (the charges are then at least
 * {@link NAME_WORK_BUDGET}, enough to spend any name's budget).
 */
export interface ScanRecord<G> {
  groups: G[];
  through: number[];
  total: number;
  complete: boolean;
}

/**
 * Longest candidate name whose scan is remembered: real model names are far shorter, and the cap
 * bounds the memory the memo can hold (with {@link SCAN_MEMO_LIMIT}).
 */
export const SCAN_MEMO_MAX_NAME_LENGTH = 256;

/**
 * Candidate lists this short are put in order by insertion: `Array.prototype.sort` allocates a work copy
 * on every call (about 700 bytes a first-seen name, a sixth of what resolving it allocates), and a
 * name's candidates are 0–5 rules.
 */
const INSERTION_SORT_MAX = 16;

/** `positions` in ascending order, in place. */
function sortPositions(positions: number[]): number[] {
  if (positions.length > INSERTION_SORT_MAX) return positions.sort((a, b) => a - b);
  for (let i = 1; i < positions.length; i++) {
    const v = positions[i]!;
    let j = i - 1;
    for (; j >= 0 && positions[j]! > v; j--) positions[j + 1] = positions[j]!;
    positions[j + 1] = v;
  }
  return positions;
}

/**
 * The rules of one layer (or of one provider in it), indexed by their literals. Built on first use:
 * compiling and indexing a layer's rules at import would slow the first price of every process.
 */
export class RuleList<G> {
  /** Position of this list among its layer's lists (its slot in the {@link ScanMemo}). */
  readonly id: number;
  private readonly entries: IndexedRule<G>[] = [];
  private tests: (NamePredicate | null)[] = [];
  private built = false;
  /** Rules tested on every name, in order. */
  private always: number[] = [];
  /** Leaves charged by the guarded rules before each position (`cum[i]`: rules 0..i-1). */
  private cum: number[] = [];
  private readonly prefix = newNode();
  private readonly anywhere = newNode();
  private readonly suffix = newNode();
  // Scratch space for one scan: no allocation per name but the result's.
  private readonly hits: number[] = [];
  private marks = new Uint32Array(0);
  private epoch = 0;

  constructor(id: number) {
    this.id = id;
  }

  /** Append a rule (before the first scan). */
  add(rule: IndexedRule<G>): void {
    this.entries.push(rule);
  }

  /** Number of rules in the list. */
  get size(): number {
    return this.entries.length;
  }

  /** Compute the guards and tries now rather than on the first scan. */
  prepare(): void {
    if (!this.built) this.build();
  }

  private build(): void {
    this.built = true;
    const n = this.entries.length;
    this.tests = new Array<NamePredicate | null>(n).fill(null);
    this.marks = new Uint32Array(n);
    this.cum = new Array<number>(n + 1);
    let leaves = 0;
    for (let i = 0; i < n; i++) {
      this.cum[i] = leaves;
      const g = guardOf(this.entries[i]!.rule);
      if (g === null) {
        this.always.push(i);
        continue;
      }
      leaves += g.leaves;
      for (const l of g.literals) {
        const root = l.place === 'prefix' ? this.prefix : l.place === 'suffix' ? this.suffix : this.anywhere;
        insert(root, l.text, l.place === 'suffix', i);
      }
    }
    this.cum[n] = leaves;
  }

  /** Mark the rules whose literal the trie finds in `name` from `start` on (backwards for suffixes). */
  private walk(root: TrieNode, name: string, start: number, step: 1 | -1): void {
    let node: TrieNode | undefined = root;
    for (let i = start; i >= 0 && i < name.length; i += step) {
      node = node.next.get(name.charCodeAt(i));
      if (node === undefined) return;
      for (const r of node.rules) {
        if (this.marks[r] !== this.epoch) {
          this.marks[r] = this.epoch;
          this.hits.push(r);
        }
      }
    }
  }

  /** Positions of the rules that can match `name`, in rule order. */
  private candidates(name: string): number[] {
    if (++this.epoch === 0xffff_ffff) {
      this.marks.fill(0);
      this.epoch = 1;
    }
    const hits = this.hits;
    hits.length = 0;
    this.walk(this.prefix, name, 0, 1);
    if (this.suffix.next.size > 0) this.walk(this.suffix, name, name.length - 1, -1);
    if (this.anywhere.next.size > 0)
      for (let i = 0; i < name.length; i++) this.walk(this.anywhere, name, i, 1);
    for (const r of this.always) {
      if (this.marks[r] !== this.epoch) {
        this.marks[r] = this.epoch;
        hits.push(r);
      }
    }
    return sortPositions(hits);
  }

  private everyRule(): number[] {
    const hits = this.hits;
    hits.length = 0;
    for (let i = 0; i < this.entries.length; i++) hits.push(i);
    return hits;
  }

  private test(i: number, name: string, budget: WorkBudget): boolean {
    let t = this.tests[i];
    if (t === null || t === undefined) {
      t = compileRule(this.entries[i]!.rule);
      this.tests[i] = t;
    }
    return t(name, budget);
  }

  /**
   * Test `name` against every rule of the list, in order, as a full scan would (see
   * {@link ScanRecord}); only the rules the index cannot rule out are run. The scan is charged to a
   * budget of its own, starting full, whose DFA builds are taken from (and returned to) `budget`: its
   * charges do not depend on what the caller spent before, so the record can be replayed.
   */
  scan(name: string, budget: WorkBudget): ScanRecord<G> {
    if (!this.built) this.build();
    const own: WorkBudget = { left: NAME_WORK_BUDGET, builds: budget.builds };
    const groups: G[] = [];
    const through: number[] = [];
    const unit = RULE_TEST_COST + name.length / CHARS_PER_UNIT;
    const cum = this.cum;
    let next = 0; // first rule not yet tested or charged
    // Regex rules skip a name this long without charging it: no rule is skipped by the index then.
    const order = name.length > MAX_MATCHED_NAME_LENGTH ? this.everyRule() : this.candidates(name);
    for (const i of order) {
      // The rules skipped since the last one tested fail after one charge per literal leaf.
      own.left -= (cum[i]! - cum[next]!) * unit;
      next = i + 1;
      if (own.left <= 0) break;
      if (this.test(i, name, own)) {
        groups.push(this.entries[i]!.group);
        through.push(NAME_WORK_BUDGET - own.left);
      } else if (own.left <= 0) break;
    }
    if (own.left > 0) own.left -= (cum[cum.length - 1]! - cum[next]!) * unit;
    budget.builds = own.builds;
    return { groups, through, total: NAME_WORK_BUDGET - own.left, complete: own.left > 0 };
  }
}

/**
 * Candidate names remembered per generation of {@link ScanMemo}: with two generations, at most twice
 * this many names (each at most {@link SCAN_MEMO_MAX_NAME_LENGTH} long) are held per layer.
 */
export const SCAN_MEMO_LIMIT = 4_096;

/**
 * Scans remembered by candidate name (and rule list), so the candidates that distinct names share
 * (`gpt-4o` under `gpt-4o-2024-08-06`, misses included) are scanned once. Bounded: two generations of
 * at most {@link SCAN_MEMO_LIMIT} names; when the young one is full it becomes the old one and the old
 * one is dropped, and a name found in the old one moves back to the young one. A stream of distinct
 * names therefore holds at most twice the limit, while the names in use stay.
 */
export class ScanMemo<G> {
  private young = new Map<string, (ScanRecord<G> | undefined)[]>();
  private old = new Map<string, (ScanRecord<G> | undefined)[]>();

  /** Names held (both generations). */
  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The remembered scan of `name` against rule list `list`. */
  get(name: string, list: number): ScanRecord<G> | undefined {
    const young = this.young.get(name);
    if (young !== undefined) return young[list];
    const old = this.old.get(name);
    if (old === undefined) return undefined;
    this.old.delete(name);
    this.keep(name, old);
    return old[list];
  }

  /** Remember a complete scan. */
  set(name: string, list: number, record: ScanRecord<G>): void {
    let lists = this.young.get(name);
    if (lists === undefined) {
      lists = this.old.get(name);
      if (lists !== undefined) this.old.delete(name);
      else lists = [];
      this.keep(name, lists);
    }
    lists[list] = record;
  }

  private keep(name: string, lists: (ScanRecord<G> | undefined)[]): void {
    if (this.young.size >= SCAN_MEMO_LIMIT) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(name, lists);
  }
}
