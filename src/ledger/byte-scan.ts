/**
 * Scanning a ledger line's bytes four at a time: the word tests the byte readers of the ledger
 * (`report`'s line reader, the dashboards' Native writer) share. On Node 20 reading a byte of a
 * Uint8Array costs about as much as reading a 32-bit word through a DataView, so a string's body is
 * skipped a word at a time until a word holds a byte that ends or escapes it.
 */

/** Each byte of a 32-bit word: {@link specialByte} tests four bytes at once against these. */
const ONES = 0x01010101;
const HIGH_BITS = 0x80808080 | 0;
const QUOTES = 0x22222222;
const BACKSLASHES = 0x5c5c5c5c;
const SPACES = 0x20202020;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** The first byte that is not a control character (JSON refuses those inside a string). */
const SPACE = 0x20;

/**
 * Index of the first quote, backslash or byte below 0x20 at or after `i` in `s` (`s.length` when none),
 * `view` being a DataView over the same bytes. Four bytes at a time while none of them is one: a word
 * has a zero byte when `(x - 0x01010101) & ~x & 0x80808080` is not 0, and one below 0x20 when the same
 * with 0x20202020 is (never wrong when they say none). In the word that has one, the lowest flagged
 * byte is it: a byte is flagged wrongly only by a borrow from a flagged byte below it. A line ends with
 * its newline (below 0x20), so the words read never pass it by more than three bytes.
 */
export function specialByte(s: Uint8Array, view: DataView, i: number): number {
  const last = s.length - 4;
  while (i <= last) {
    const v = view.getUint32(i, true);
    const q = v ^ QUOTES;
    const b = v ^ BACKSLASHES;
    const m = (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((v - SPACES) & ~v)) & HIGH_BITS;
    if (m !== 0) return i + ((31 - Math.clz32(m & ((0 - m) | 0))) >> 3);
    i += 4;
  }
  let c = s[i];
  while (c !== undefined && c >= SPACE && c !== QUOTE && c !== BACKSLASH) c = s[++i];
  return i;
}

/**
 * Bytes (at least four) as little-endian 32-bit words: their whole words but the last, then their last
 * four bytes (which may overlap the word before). See {@link sameWords}.
 */
export function wordsOf(bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const whole = Math.ceil(bytes.length / 4) - 1;
  return Uint32Array.from({ length: whole + 1 }, (_, w) =>
    view.getUint32(w < whole ? w * 4 : bytes.length - 4, true),
  );
}

/**
 * True when the `n` bytes at `p` (inside the view) are those whose {@link wordsOf} are `words`: compared
 * four at a time, the last four read where they end, so no byte is compared alone.
 */
export function sameWords(view: DataView, p: number, n: number, words: Uint32Array): boolean {
  const whole = words.length - 1;
  for (let w = 0; w < whole; w++) if (view.getUint32(p + w * 4, true) !== words[w]) return false;
  return view.getUint32(p + n - 4, true) === words[whole];
}

/**
 * The bytes of the word `w` that are not ASCII digits, flagged (bits of their high nibble; 0 when all
 * four are digits): a byte is a digit when its high nibble is 3 and its low nibble plus 6 stays below
 * 16. The low nibbles are added alone, so no flag crosses into another byte: the lowest flagged byte is
 * the first that is not a digit.
 */
export function nonDigitBytes(w: number): number {
  return ((w & 0xf0f0f0f0) ^ 0x30303030) | (((w & 0x0f0f0f0f) + 0x06060606) & 0xf0f0f0f0);
}

/** The little-endian 32-bit word of the first four characters of `text` (each below 0x100). */
export function wordOf(text: string): number {
  return (
    (text.charCodeAt(0) |
      (text.charCodeAt(1) << 8) |
      (text.charCodeAt(2) << 16) |
      (text.charCodeAt(3) << 24)) >>>
    0
  );
}

/** `null` and `true` as words, and `false` as the word of `fals` then its last byte. */
export const NULL_WORD = wordOf('null');
export const TRUE_WORD = wordOf('true');
export const FALS_WORD = wordOf('fals');
export const FALSE_LAST = 0x65;
