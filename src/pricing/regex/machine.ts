/**
 * A linear-time matcher for the patterns `./syntax.ts` accepts: a Thompson NFA run as a lazily built
 * DFA (each DFA state is the set of NFA states alive after a character, built the first time it is
 * reached and then reused). Every character costs one table lookup once its state exists and at most
 * one pass over the NFA when it does not, so a test is O(name length × pattern size) at worst and
 * O(name length) once warm — there is no backtracking, whatever the pattern.
 *
 * Only `test` is needed (match rules ask "does this name match?"), so there are no captures.
 */
import { type Ranges, type RegexNode, WORD_RANGES } from './syntax.js';
import { STATE_STEP_COST, UNLIMITED, type WorkBudget } from './work-budget.js';

/** Largest NFA accepted (counted repetitions are expanded). */
export const MAX_NFA_STATES = 2_000;
/** Cached DFA states per pattern; past it the pattern is run as an NFA (memory stays bounded). */
const MAX_DFA_STATES = 1_000;
/** Transition slots (states × character classes) cached per pattern: about 2 MB at most. */
const MAX_DFA_SLOTS = 262_144;
/** New DFA states one test may build before it finishes by stepping the NFA. */
const MAX_NEW_STATES_PER_TEST = 32;

const CHAR = 0;
const SPLIT = 1;
const ASSERT = 2;
const MATCH = 3;
const EMPTY = 4;

const A_BOL = 0;
const A_EOL = 1;
const A_WORDB = 2;
const A_NOT_WORDB = 3;

/** The NFA is too large to build (a counted repetition of a counted repetition, typically). */
export class MachineTooLarge extends Error {}

/** How many NFA states `node` compiles to (the MATCH state not counted): checked before building. */
export function nfaSize(node: RegexNode): number {
  switch (node.t) {
    case 'cat':
      return node.items.length === 0 ? 1 : node.items.reduce((n, i) => n + nfaSize(i), 0);
    case 'alt':
      return node.items.reduce((n, i) => n + nfaSize(i), 0) + node.items.length - 1;
    case 'rep': {
      const s = nfaSize(node.node);
      const n =
        node.min * s + (node.max === Number.POSITIVE_INFINITY ? s + 1 : (node.max - node.min) * (s + 1));
      return n === 0 ? 1 : n;
    }
    case 'look':
      return nfaSize(node.node);
    default:
      return 1;
  }
}

/** Thompson NFA in flat arrays. */
class Nfa {
  kind: number[] = [];
  arg: number[] = [];
  out1: number[] = [];
  out2: number[] = [];
  sets: Ranges[] = [];
  /** Set ids by the parsed set they come from: the copies a counted repetition makes share one. */
  setIds = new Map<Ranges, number>();

  add(kind: number, arg = -1, out1 = -1, out2 = -1): number {
    if (this.kind.length >= MAX_NFA_STATES) throw new MachineTooLarge();
    this.kind.push(kind);
    this.arg.push(arg);
    this.out1.push(out1);
    this.out2.push(out2);
    return this.kind.length - 1;
  }
}

/** A compiled fragment: its entry state and the dangling exits to patch. */
interface Frag {
  start: number;
  /** Exits as `state * 2 + (0 for out1 | 1 for out2)`. */
  exits: number[];
}

function patch(nfa: Nfa, exits: number[], to: number): void {
  for (const e of exits) {
    if (e & 1) nfa.out2[e >> 1] = to;
    else nfa.out1[e >> 1] = to;
  }
}

function build(nfa: Nfa, node: RegexNode): Frag {
  switch (node.t) {
    case 'set': {
      let id = nfa.setIds.get(node.ranges);
      if (id === undefined) {
        id = nfa.sets.length;
        nfa.sets.push(node.ranges);
        nfa.setIds.set(node.ranges, id);
      }
      const s = nfa.add(CHAR, id);
      return { start: s, exits: [s * 2] };
    }
    case 'bol':
    case 'eol':
    case 'wordb': {
      const a = node.t === 'bol' ? A_BOL : node.t === 'eol' ? A_EOL : node.negated ? A_NOT_WORDB : A_WORDB;
      const s = nfa.add(ASSERT, a);
      return { start: s, exits: [s * 2] };
    }
    case 'cat': {
      if (node.items.length === 0) return empty(nfa);
      let first: Frag | null = null;
      let exits: number[] = [];
      for (const item of node.items) {
        const f = build(nfa, item);
        if (first === null) first = f;
        else patch(nfa, exits, f.start);
        exits = f.exits;
      }
      return { start: first!.start, exits };
    }
    case 'alt': {
      const frags = node.items.map((n) => build(nfa, n));
      let start = frags[frags.length - 1]!.start;
      for (let i = frags.length - 2; i >= 0; i--) start = nfa.add(SPLIT, -1, frags[i]!.start, start);
      return { start, exits: frags.flatMap((f) => f.exits) };
    }
    case 'rep':
      return repeat(nfa, node.node, node.min, node.max);
    case 'look':
      // Leading lookaheads are split off by `compileMachine`; none reaches here.
      throw new MachineTooLarge();
  }
}

function empty(nfa: Nfa): Frag {
  const s = nfa.add(EMPTY);
  return { start: s, exits: [s * 2] };
}

function repeat(nfa: Nfa, node: RegexNode, min: number, max: number): Frag {
  let first: Frag | null = null;
  let exits: number[] = [];
  const chain = (f: Frag) => {
    if (first === null) first = f;
    else patch(nfa, exits, f.start);
  };
  for (let i = 0; i < min; i++) {
    const f = build(nfa, node);
    chain(f);
    exits = f.exits;
  }
  if (max === Number.POSITIVE_INFINITY) {
    // x*: split → x → back to split; exit from the split.
    const f = build(nfa, node);
    const s = nfa.add(SPLIT, -1, f.start, -1);
    patch(nfa, f.exits, s);
    chain({ start: s, exits: [] });
    exits = [s * 2 + 1];
  } else {
    // x? nested (max − min) times: each optional copy may be skipped to the end.
    const skips: number[] = [];
    for (let i = min; i < max; i++) {
      const f = build(nfa, node);
      const s = nfa.add(SPLIT, -1, f.start, -1);
      chain({ start: s, exits: [] });
      skips.push(s * 2 + 1);
      exits = f.exits;
    }
    exits = [...exits, ...skips];
  }
  if (first === null) return empty(nfa);
  return { start: (first as Frag).start, exits };
}

/** A DFA state: the NFA states alive after the characters read so far. */
interface DState {
  /** NFA states reached by the last character (before following ε-edges). */
  readonly kernel: Int32Array;
  /** At position 0 (nothing read yet). */
  readonly atStart: boolean;
  /** The last character read was a word character (for `\b`). */
  readonly prevWord: boolean;
  /** Next state by character class; `undefined` until computed. */
  readonly next: (DState | undefined)[];
  /** Whether the pattern matches when the input ends here: -1 unknown, 0 no, 1 yes. */
  acceptAtEnd: number;
  /** Budget units a character read from here costs (see `LinearMachine.charge`). */
  readonly weight: number;
}

// Transition sentinels: a match was found (stop, true) or no match can follow (stop, false).
const ACCEPT: DState = {
  weight: 0,
  kernel: new Int32Array(0),
  atStart: false,
  prevWord: false,
  next: [],
  acceptAtEnd: 1,
};
const DEAD: DState = {
  weight: 0,
  kernel: new Int32Array(0),
  atStart: false,
  prevWord: false,
  next: [],
  acceptAtEnd: 0,
};

/** A compiled pattern that answers `test(input)` in linear time. */
export class LinearMachine {
  private readonly kind: Int8Array;
  private readonly arg: Int32Array;
  private readonly out1: Int32Array;
  private readonly out2: Int32Array;
  private readonly start: number;
  /** Every alternative begins with `^`: no match can start after position 0. */
  private readonly anchored: boolean;
  /** Character class of each ASCII code unit. */
  private readonly asciiClass: Uint16Array;
  /** Class boundaries above ASCII: class of `c` is found by binary search over `bounds`. */
  private readonly bounds: Int32Array;
  private readonly boundClass: Uint16Array;
  private readonly classCount: number;
  /**
   * The classes each set accepts, as inclusive class-index intervals: set `k` owns
   * `intervals[intervalStart[k] .. intervalStart[k + 1])`. (A dense state × class table would take
   * megabytes for a large pattern with many classes.)
   */
  private readonly intervals: Int32Array;
  private readonly intervalStart: Int32Array;
  private readonly wordClass: Uint8Array;
  private cache = new Map<string, DState>();
  private readonly initial: DState;
  /** DFA states cached before the pattern is run as an NFA (fewer when there are many classes). */
  private readonly maxStates: number;
  /** States the ε-closure of the start may visit (an upper bound), charged where a match may begin. */
  private readonly startClosure: number;
  /** Set once the DFA outgrows its cache: every test then steps the NFA directly. */
  private simulateOnly = false;
  // Scratch: visited marks (ε-closure and advanced states), the DFS stack, two state lists.
  private readonly mark: Int32Array;
  private readonly seen: Int32Array;
  private generation = 0;
  private readonly stack: Int32Array;
  private readonly bufA: Int32Array;
  private readonly bufB: Int32Array;

  constructor(node: RegexNode) {
    const nfa = new Nfa();
    const frag = build(nfa, node);
    const match = nfa.add(MATCH);
    patch(nfa, frag.exits, match);
    this.start = frag.start;
    this.anchored = startsWithBol(node);
    const n = nfa.kind.length;
    this.kind = Int8Array.from(nfa.kind);
    this.arg = Int32Array.from(nfa.arg);
    this.out1 = Int32Array.from(nfa.out1);
    this.out2 = Int32Array.from(nfa.out2);
    this.mark = new Int32Array(n);
    this.seen = new Int32Array(n);
    // Each state is pushed by at most two visited states, plus the initial list and the start.
    this.stack = new Int32Array(n * 3 + 4);
    this.bufA = new Int32Array(n);
    this.bufB = new Int32Array(n);

    // Partition the code units into classes no set splits (plus `\w`, for word boundaries).
    const cuts = new Set<number>([0, 0x80]);
    for (const r of [...nfa.sets, WORD_RANGES as Ranges]) {
      for (let i = 0; i < r.length; i += 2) {
        cuts.add(r[i]!);
        if (r[i + 1]! + 1 <= 0xffff) cuts.add(r[i + 1]! + 1);
      }
    }
    const starts = [...cuts].sort((a, b) => a - b);
    this.classCount = starts.length;
    this.maxStates = Math.max(16, Math.min(MAX_DFA_STATES, Math.floor(MAX_DFA_SLOTS / this.classCount)));
    const asciiClass = new Uint16Array(128);
    let cls = 0;
    for (let c = 0; c < 128; c++) {
      while (cls + 1 < starts.length && starts[cls + 1]! <= c) cls++;
      asciiClass[c] = cls;
    }
    this.asciiClass = asciiClass;
    const firstHigh = starts.indexOf(0x80);
    this.bounds = Int32Array.from(starts.slice(firstHigh));
    this.boundClass = Uint16Array.from(starts.slice(firstHigh).map((_, i) => firstHigh + i));
    // The class holding code unit c: the last class start ≤ c.
    const classAt = (c: number) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= c) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    // Ranges start and end on class boundaries, so each range is a run of whole classes.
    const flat: number[] = [];
    const offsets = [0];
    for (const r of nfa.sets) {
      for (let i = 0; i < r.length; i += 2) flat.push(classAt(r[i]!), classAt(r[i + 1]!));
      offsets.push(flat.length);
    }
    this.intervals = Int32Array.from(flat);
    this.intervalStart = Int32Array.from(offsets);
    this.wordClass = new Uint8Array(this.classCount);
    for (let i = 0; i < WORD_RANGES.length; i += 2) {
      const last = classAt(WORD_RANGES[i + 1]!);
      for (let k = classAt(WORD_RANGES[i]!); k <= last; k++) this.wordClass[k] = 1;
    }
    this.startClosure = this.closureSize(this.start);
    this.initial = this.state(new Int32Array(0), true, false);
  }

  /**
   * Budget units for reading one character with `alive` NFA states: what stepping the NFA costs —
   * the alive states, the start's closure where a match may begin there, and the character itself.
   * A function of the pattern and the input only, never of the DFA cache.
   */
  private charge(alive: number, atStart: boolean): number {
    const fromStart = atStart || !this.anchored ? this.startClosure : 0;
    return (alive + fromStart + 1) * STATE_STEP_COST;
  }

  /** States reachable from `from` by ε-edges, taking every assertion as passing (an upper bound). */
  private closureSize(from: number): number {
    const seen = new Set<number>();
    const stack = [from];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (s < 0 || seen.has(s)) continue;
      seen.add(s);
      const k = this.kind[s];
      if (k === EMPTY || k === ASSERT) stack.push(this.out1[s]!);
      else if (k === SPLIT) stack.push(this.out1[s]!, this.out2[s]!);
    }
    return seen.size;
  }

  /** Whether set `set` accepts character class `cls` (binary search over its class intervals). */
  private setAccepts(set: number, cls: number): boolean {
    const iv = this.intervals;
    const from = this.intervalStart[set]!;
    const to = this.intervalStart[set + 1]!;
    if (to - from === 2) return cls >= iv[from]! && cls <= iv[from + 1]!; // most sets: one run
    let lo = from >> 1;
    let hi = (to >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cls < iv[mid * 2]!) hi = mid - 1;
      else if (cls > iv[mid * 2 + 1]!) lo = mid + 1;
      else return true;
    }
    return false;
  }

  private classOf(c: number): number {
    if (c < 128) return this.asciiClass[c]!;
    const b = this.bounds;
    let lo = 0;
    let hi = b.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (b[mid]! <= c) lo = mid;
      else hi = mid - 1;
    }
    return this.boundClass[lo]!;
  }

  private fresh(kernel: Int32Array, atStart: boolean, prevWord: boolean): DState {
    const weight = this.charge(kernel.length, atStart);
    return { weight, kernel, atStart, prevWord, next: new Array(this.classCount), acceptAtEnd: -1 };
  }

  private state(kernel: Int32Array, atStart: boolean, prevWord: boolean): DState {
    // NFA states are < 65,536 (MAX_NFA_STATES), so one UTF-16 unit each makes a compact key.
    const key =
      (atStart ? 's' : prevWord ? 'w' : 'n') + String.fromCharCode.apply(null, kernel as unknown as number[]);
    let d = this.cache.get(key);
    if (d === undefined) {
      // A pattern whose DFA keeps growing (`[ab]*a[ab]{500}`) is run as an NFA from now on.
      if (this.cache.size >= this.maxStates) this.simulateOnly = true;
      d = this.fresh(kernel, atStart, prevWord);
      if (!this.simulateOnly) this.cache.set(key, d);
    }
    return d;
  }

  /**
   * One step of the NFA: follow ε-edges from `src[0..srcLen)` (and from the start, where a match may
   * begin) in the context of the next character (`cls`, or -1 at the end of input), then let the
   * character states that accept `cls` advance into `dst`. Returns -1 as soon as MATCH is reached
   * (the pattern matches), else the number of states written to `dst` (distinct, unordered).
   */
  private advance(
    src: Int32Array,
    srcLen: number,
    atStart: boolean,
    prevWord: boolean,
    cls: number,
    dst: Int32Array,
  ): number {
    const gen = ++this.generation;
    const mark = this.mark;
    const seen = this.seen;
    const stack = this.stack;
    const kind = this.kind;
    const out1 = this.out1;
    let sp = 0;
    let count = 0;
    const before = atStart ? false : prevWord;
    const after = cls >= 0 && this.wordClass[cls] === 1;
    for (let i = 0; i < srcLen; i++) stack[sp++] = src[i]!;
    if (atStart || !this.anchored) stack[sp++] = this.start;
    while (sp > 0) {
      const s = stack[--sp]!;
      if (s < 0 || mark[s] === gen) continue;
      mark[s] = gen;
      switch (kind[s]) {
        case MATCH:
          return -1;
        case CHAR:
          if (cls >= 0 && this.setAccepts(this.arg[s]!, cls)) {
            const o = out1[s]!;
            if (seen[o] !== gen) {
              seen[o] = gen;
              dst[count++] = o;
            }
          }
          break;
        case EMPTY:
          stack[sp++] = out1[s]!;
          break;
        case SPLIT:
          stack[sp++] = this.out2[s]!;
          stack[sp++] = out1[s]!;
          break;
        case ASSERT: {
          const a = this.arg[s];
          const ok = a === A_BOL ? atStart : a === A_EOL ? cls < 0 : (before !== after) === (a === A_WORDB);
          if (ok) stack[sp++] = out1[s]!;
          break;
        }
      }
    }
    return count;
  }

  private step(d: DState, cls: number): DState {
    const n = this.advance(d.kernel, d.kernel.length, d.atStart, d.prevWord, cls, this.bufA);
    let result: DState;
    if (n < 0) result = ACCEPT;
    else if (n === 0 && this.anchored) result = DEAD;
    else result = this.state(this.bufA.slice(0, n).sort(), false, this.wordClass[cls] === 1);
    if (!this.simulateOnly) d.next[cls] = result;
    return result;
  }

  private acceptsAtEnd(d: DState): boolean {
    if (d.acceptAtEnd < 0)
      d.acceptAtEnd =
        this.advance(d.kernel, d.kernel.length, d.atStart, d.prevWord, -1, this.bufA) < 0 ? 1 : 0;
    return d.acceptAtEnd === 1;
  }

  /**
   * Whether the pattern matches anywhere in `input` (as `RegExp.prototype.test`, without `lastIndex`).
   * Each character is charged to `budget` (see `./work-budget.ts`); once it is spent the answer is
   * `false` ("no match") and `budget.left` is ≤ 0, which the caller reads as "gave up".
   */
  test(input: string, budget: WorkBudget = UNLIMITED): boolean {
    let left = budget.left;
    let d = this.initial;
    let built = 0;
    for (let i = 0; i < input.length; i++) {
      // Charged before the character, identically here and in `simulate`: the outcome never depends
      // on which states earlier names left in the cache.
      left -= d.weight;
      if (left <= 0) break;
      const cls = this.classOf(input.charCodeAt(i));
      let next = d.next[cls];
      if (next === undefined) {
        // Building DFA states costs more than stepping the NFA: a test builds a few, then simulates.
        if (this.simulateOnly || built >= MAX_NEW_STATES_PER_TEST || budget.builds <= 0) {
          budget.left = left + d.weight; // simulate charges this character again
          return this.simulate(input, i, d, budget);
        }
        next = this.step(d, cls);
        built++;
        budget.builds--;
      }
      if (next === ACCEPT || next === DEAD) {
        budget.left = left;
        return next === ACCEPT;
      }
      d = next;
    }
    if (left <= 0) {
      budget.left = left;
      return false;
    }
    budget.left = left - d.weight;
    return this.acceptsAtEnd(d);
  }

  /** Run the NFA directly from state `d` at position `from` to the end of `input`. */
  private simulate(input: string, from: number, d: DState, budget: WorkBudget): boolean {
    let cur = this.bufA;
    let nxt = this.bufB;
    cur.set(d.kernel);
    let len = d.kernel.length;
    let atStart = d.atStart;
    let prevWord = d.prevWord;
    let left = budget.left;
    for (let i = from; i < input.length; i++) {
      left -= this.charge(len, atStart); // as DState.weight
      if (left <= 0) {
        budget.left = left;
        return false;
      }
      const cls = this.classOf(input.charCodeAt(i));
      const n = this.advance(cur, len, atStart, prevWord, cls, nxt);
      if (n < 0 || (n === 0 && this.anchored)) {
        budget.left = left;
        return n < 0;
      }
      const t = cur;
      cur = nxt;
      nxt = t;
      len = n;
      atStart = false;
      prevWord = this.wordClass[cls] === 1;
    }
    budget.left = left - this.charge(len, atStart);
    return this.advance(cur, len, atStart, prevWord, -1, nxt) < 0;
  }

  /** Cached DFA states (for tests). */
  get cachedStates(): number {
    return this.cache.size;
  }
}

function startsWithBol(node: RegexNode): boolean {
  if (node.t === 'bol') return true;
  if (node.t === 'cat') return node.items.length > 0 && startsWithBol(node.items[0]!);
  if (node.t === 'alt') return node.items.every(startsWithBol);
  return false;
}
