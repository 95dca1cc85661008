/**
 * The regular-expression syntax match rules may use, parsed into a tree the linear-time matcher
 * (`./machine.ts`) compiles. It is JavaScript's own syntax (non-Unicode mode, Annex B quirks
 * included) minus what cannot run in linear time: backreferences and lookarounds (a lookahead is
 * accepted only right after a leading `^`, where it is tested once, at position 0).
 *
 * A pattern outside that subset is not an error here: `parseRegex` returns a rejection with the
 * reason and the offset, and the callers (catalog validation, importers) report it.
 */

/** Code-unit ranges, flat and sorted: `[lo0, hi0, lo1, hi1, …]`, inclusive, non-overlapping. */
export type Ranges = number[];

/** A parsed pattern. Groups leave no trace: a boolean test needs no captures. */
export type RegexNode =
  | { t: 'set'; ranges: Ranges }
  | { t: 'cat'; items: RegexNode[] }
  | { t: 'alt'; items: RegexNode[] }
  | { t: 'rep'; node: RegexNode; min: number; max: number }
  | { t: 'bol' }
  | { t: 'eol' }
  | { t: 'wordb'; negated: boolean }
  | { t: 'look'; negated: boolean; node: RegexNode };

/** Why a pattern is not accepted, and where. */
export interface RegexRejection {
  reason: string;
  /** Offset in the pattern source. */
  at: number;
  /** Not a valid JavaScript regular expression at all (rather than outside the linear-time subset). */
  invalid?: boolean;
}

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 2_000;
/** Largest repetition count (`{n}`, `{n,m}`) accepted. */
export const MAX_REPEAT = 1_000;

const MAX_CODE = 0xffff;
const DIGIT: Ranges = [0x30, 0x39];
const WORD: Ranges = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
// ECMAScript WhiteSpace and LineTerminator.
const SPACE: Ranges = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f,
  0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
];
const LINE_TERMINATORS: Ranges = [0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029];

/** The `\w` ranges (used by `\b`). */
export const WORD_RANGES: Readonly<Ranges> = WORD;

class Rejected {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {}
}

/** Union of range lists, normalised (sorted, merged). */
export function union(...lists: Ranges[]): Ranges {
  const pairs: [number, number][] = [];
  for (const l of lists) for (let i = 0; i < l.length; i += 2) pairs.push([l[i]!, l[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) out[last] = Math.max(out[last]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

/** Complement within the UTF-16 code units. */
export function complement(r: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (r[i]! > next) out.push(next, r[i]! - 1);
    next = r[i + 1]! + 1;
  }
  if (next <= MAX_CODE) out.push(next, MAX_CODE);
  return out;
}

/** ECMAScript Canonicalize (non-Unicode, ignoreCase): the upper case, unless it leaves ASCII. */
function canonicalize(ch: number): number {
  const u = String.fromCharCode(ch).toUpperCase();
  if (u.length !== 1) return ch;
  const cu = u.charCodeAt(0);
  return ch >= 128 && cu < 128 ? ch : cu;
}

// Ranges wider than this are not case-folded character by character (see `foldCase`).
const FOLD_SCAN_LIMIT = 4_096;

/**
 * Add every code unit that matches a member under the `i` flag (same canonical form). Exact for
 * ASCII and for ranges up to 4,096 code units; wider non-ASCII ranges are kept as they are (names
 * are lower-cased before matching, and such ranges already hold both cases of the scripts they span).
 */
export function foldCase(r: Ranges): Ranges {
  const extra: Ranges = [];
  for (let i = 0; i < r.length; i += 2) {
    const lo = r[i]!;
    const hi = r[i + 1]!;
    // ASCII letters, exactly.
    const a = Math.max(lo, 0x41);
    const b = Math.min(hi, 0x5a);
    if (a <= b) extra.push(a + 32, b + 32);
    const c = Math.max(lo, 0x61);
    const d = Math.min(hi, 0x7a);
    if (c <= d) extra.push(c - 32, d - 32);
    const from = Math.max(lo, 0x80);
    if (from > hi || hi - from >= FOLD_SCAN_LIMIT) continue;
    for (let ch = from; ch <= hi; ch++) {
      const canon = canonicalize(ch);
      for (const s of [String.fromCharCode(ch).toLowerCase(), String.fromCharCode(ch).toUpperCase()]) {
        if (s.length !== 1) continue;
        const other = s.charCodeAt(0);
        if (other !== ch && canonicalize(other) === canon) extra.push(other, other);
      }
      if (canon !== ch) extra.push(canon, canon);
    }
  }
  return extra.length === 0 ? r : union(r, extra);
}

const HEX = /^[0-9a-fA-F]+$/;

/** Recursive-descent parser over one pattern. */
class Parser {
  private i = 0;
  private groups = 0;
  constructor(
    private readonly src: string,
    private readonly ignoreCase: boolean,
  ) {}

  parse(): RegexNode {
    const node = this.alternation();
    if (this.i < this.src.length) throw new Rejected('unbalanced ")"', this.i);
    return node;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alternation(): RegexNode {
    const items = [this.sequence()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.sequence());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private sequence(): RegexNode {
    const items: RegexNode[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) {
      const start = this.i;
      const atom = this.atom();
      const quantified = this.quantifier(atom, start);
      items.push(quantified);
    }
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  private quantifier(atom: RegexNode, start: number): RegexNode {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Number.POSITIVE_INFINITY];
    else if (c === '+') [min, max] = [1, Number.POSITIVE_INFINITY];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return atom; // Annex B: a `{` that starts no quantifier is a literal (read by `atom`).
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
      if (min > MAX_REPEAT || (max !== Number.POSITIVE_INFINITY && max > MAX_REPEAT))
        throw new Rejected(`repetition count above ${MAX_REPEAT}`, this.i);
      if (max < min) throw new Rejected('numbers out of order in {} quantifier', this.i);
      this.i += m[0].length - 1;
    } else return atom;
    this.i++;
    if (this.peek() === '?') this.i++; // lazy: same set of matches
    // A bare `^*` is a JavaScript syntax error (caught before parsing); a quantified lookahead is Annex B only.
    if (atom.t === 'look') throw new Rejected('a quantifier on a lookahead', start);
    const next = this.peek();
    if (
      next === '*' ||
      next === '+' ||
      next === '?' ||
      (next === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.i)))
    )
      throw new Rejected('nothing to repeat', this.i);
    return { t: 'rep', node: atom, min, max };
  }

  private atom(): RegexNode {
    const c = this.src[this.i]!;
    const at = this.i;
    switch (c) {
      case '^':
        this.i++;
        return { t: 'bol' };
      case '$':
        this.i++;
        return { t: 'eol' };
      case '.':
        this.i++;
        return { t: 'set', ranges: complement(LINE_TERMINATORS) };
      case '(':
        return this.group();
      case '[':
        return this.set(this.charClass());
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        throw new Rejected('nothing to repeat', at);
      case '{':
        if (/^\{\d+(,\d*)?\}/.test(this.src.slice(this.i))) throw new Rejected('nothing to repeat', at);
        this.i++;
        return this.literal(c.charCodeAt(0));
      default:
        this.i++;
        return this.literal(c.charCodeAt(0));
    }
  }

  private literal(code: number): RegexNode {
    // The common case, an ASCII character, folds without the general machinery.
    if (this.ignoreCase && code < 0x80) {
      const lower = code | 0x20;
      if (lower >= 0x61 && lower <= 0x7a) return { t: 'set', ranges: [lower - 32, lower - 32, lower, lower] };
      return { t: 'set', ranges: [code, code] };
    }
    return this.set([code, code]);
  }

  private set(ranges: Ranges): RegexNode {
    return { t: 'set', ranges: this.ignoreCase ? foldCase(ranges) : ranges };
  }

  private group(): RegexNode {
    const at = this.i;
    this.i++;
    let look: { negated: boolean } | null = null;
    if (this.src.startsWith('?:', this.i)) this.i += 2;
    else if (this.src.startsWith('?=', this.i) || this.src.startsWith('?!', this.i)) {
      look = { negated: this.src[this.i + 1] === '!' };
      this.i += 2;
    } else if (this.src.startsWith('?<=', this.i) || this.src.startsWith('?<!', this.i)) {
      throw new Rejected('a lookbehind ((?<=…) or (?<!…)) is not supported', at);
    } else if (this.src.startsWith('?<', this.i)) {
      const m = /^\?<([A-Za-z_$][\w$]*)>/.exec(this.src.slice(this.i));
      if (!m) throw new Rejected('invalid group name', at);
      this.i += m[0].length;
      this.groups++;
    } else if (this.peek() === '?') {
      throw new Rejected('inline modifiers such as (?i) are not supported inside a pattern', at);
    } else this.groups++;
    const inner = this.alternation();
    if (this.peek() !== ')') throw new Rejected('unterminated group', at);
    this.i++;
    if (look) return { t: 'look', negated: look.negated, node: inner };
    return inner;
  }

  /** A class escape (`\d`, `\w`, `\s` and their negations) or null. */
  private classEscape(ch: string | undefined): Ranges | null {
    switch (ch) {
      case 'd':
        return DIGIT;
      case 'D':
        return complement(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return complement(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complement(SPACE);
      default:
        return null;
    }
  }

  /** The code unit of a character escape after `\` (at `this.i`), advancing past it. */
  private charEscape(inClass: boolean): number {
    const at = this.i - 1;
    const ch = this.src[this.i];
    if (ch === undefined) throw new Rejected('\\ at end of pattern', at);
    this.i++;
    switch (ch) {
      case 't':
        return 9;
      case 'n':
        return 10;
      case 'v':
        return 11;
      case 'f':
        return 12;
      case 'r':
        return 13;
      case 'b':
        return 8; // only reached inside a class: backspace
      case '0':
        if (/[0-9]/.test(this.src[this.i] ?? ''))
          throw new Rejected('octal escapes and backreferences are not supported', at);
        return 0;
      case 'c': {
        const l = this.src[this.i];
        if (l !== undefined && /[A-Za-z]/.test(l)) {
          this.i++;
          return l.charCodeAt(0) % 32;
        }
        throw new Rejected('\\c without a control letter is not supported', at);
      }
      case 'x': {
        const h = this.src.slice(this.i, this.i + 2);
        if (h.length === 2 && HEX.test(h)) {
          this.i += 2;
          return Number.parseInt(h, 16);
        }
        return 0x78; // Annex B: `\x` not followed by two hex digits is `x`
      }
      case 'u': {
        const h = this.src.slice(this.i, this.i + 4);
        if (h.length === 4 && HEX.test(h)) {
          this.i += 4;
          return Number.parseInt(h, 16);
        }
        return 0x75;
      }
      case 'k':
        if (this.groups > 0 || /\(\?<[A-Za-z_$]/.test(this.src))
          throw new Rejected('backreferences (\\k<name>) are not supported', at);
        return 0x6b;
      default:
        if (/[1-9]/.test(ch))
          throw new Rejected(`backreferences and octal escapes (\\${ch}) are not supported`, at);
        if (inClass && ch === 'B') return 0x42;
        return ch.charCodeAt(0); // identity escape
    }
  }

  private escape(): RegexNode {
    this.i++;
    const ch = this.src[this.i];
    if (ch === 'b' || ch === 'B') {
      this.i++;
      return { t: 'wordb', negated: ch === 'B' };
    }
    const cls = this.classEscape(ch);
    if (cls) {
      this.i++;
      return this.set(cls);
    }
    return this.literal(this.charEscape(false));
  }

  /** A class atom: a code unit, or a class escape's ranges. */
  private classAtom(): number | Ranges {
    const c = this.src[this.i];
    if (c === undefined) throw new Rejected('unterminated character class', this.i);
    if (c !== '\\') {
      this.i++;
      return c.charCodeAt(0);
    }
    this.i++;
    const cls = this.classEscape(this.src[this.i]);
    if (cls) {
      this.i++;
      return cls;
    }
    return this.charEscape(true);
  }

  private charClass(): Ranges {
    const at = this.i;
    this.i++;
    const negated = this.peek() === '^';
    if (negated) this.i++;
    const parts: Ranges[] = [];
    while (this.peek() !== ']') {
      if (this.peek() === undefined) throw new Rejected('unterminated character class', at);
      const lo = this.classAtom();
      if (this.peek() === '-' && this.src[this.i + 1] !== ']' && this.src[this.i + 1] !== undefined) {
        this.i++;
        const hi = this.classAtom();
        // Annex B: a class escape at either end makes the `-` a literal.
        if (typeof lo !== 'number' || typeof hi !== 'number') {
          parts.push(
            typeof lo === 'number' ? [lo, lo] : lo,
            [0x2d, 0x2d],
            typeof hi === 'number' ? [hi, hi] : hi,
          );
        } else {
          if (hi < lo) throw new Rejected('range out of order in character class', at);
          parts.push([lo, hi]);
        }
      } else parts.push(typeof lo === 'number' ? [lo, lo] : lo);
    }
    this.i++;
    let ranges = union(...parts);
    // Fold before negating: `[^x]` under `i` excludes both cases of x, as in JavaScript.
    if (this.ignoreCase) ranges = foldCase(ranges);
    return negated ? complement(ranges) : ranges;
  }
}

/** Parse a pattern with JavaScript syntax; a rejection says why it is outside the linear-time subset. */
export function parseRegex(
  source: string,
  ignoreCase: boolean,
): { ok: true; node: RegexNode } | { ok: false; rejection: RegexRejection } {
  if (source.length > MAX_PATTERN_LENGTH)
    return { ok: false, rejection: { reason: `longer than ${MAX_PATTERN_LENGTH} characters`, at: 0 } };
  try {
    const node = new Parser(source, ignoreCase).parse();
    const misplaced = misplacedLookahead(node);
    if (misplaced) return { ok: false, rejection: { reason: misplaced, at: 0 } };
    return { ok: true, node };
  } catch (e) {
    if (e instanceof Rejected) return { ok: false, rejection: { reason: e.reason, at: e.at } };
    throw e;
  }
}

/**
 * Lookaheads are accepted only as `^(?=…)` / `^(?!…)` at the very start of the pattern, bodies free of
 * lookarounds: there they are tested once, at position 0, and the test stays linear.
 */
function misplacedLookahead(node: RegexNode): string | null {
  const items = node.t === 'cat' ? node.items : [node];
  let k = 0;
  if (items[0]?.t === 'bol') {
    k = 1;
    for (; k < items.length && items[k]!.t === 'look'; k++) {
      if (containsLook((items[k] as { node: RegexNode }).node)) return 'a lookahead nested in a lookahead';
    }
  }
  for (; k < items.length; k++) {
    if (containsLook(items[k]!))
      return 'a lookahead ((?=…) or (?!…)) is supported only right after a leading ^';
  }
  return null;
}

function containsLook(node: RegexNode): boolean {
  switch (node.t) {
    case 'look':
      return true;
    case 'cat':
    case 'alt':
      return node.items.some(containsLook);
    case 'rep':
      return containsLook(node.node);
    default:
      return false;
  }
}
