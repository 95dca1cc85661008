/**
 * @internal Constant bytes of a ledger line (a key, a run of keys, a remembered column value), kept
 * eight to a double beside their length. The line encoder writes them with `DataView#setFloat64`,
 * which the JIT turns into one unaligned 8-byte store, instead of one byte a store: keys are about
 * half of a line's bytes, and the byte loop was the encoder's largest cost.
 *
 * The doubles only carry bits, which `Float64Array` loads and `setFloat64` stores keep as they are.
 * The one pattern an engine could rewrite is a NaN, and valid UTF-8 never makes one: a NaN needs
 * its last byte to be 0x7f or 0xff and the byte before it ≥ 0xf0 (exponent all ones), but 0xff
 * never occurs in UTF-8 and a byte ≥ 0xf0 starts a four-byte sequence, so the next byte is a
 * continuation byte (0x80–0xbf), never 0x7f. Every literal is UTF-8 from `TextEncoder` or bytes the
 * encoder wrote (which escapes lone surrogates), padded with zero bytes.
 */
export class Literal {
  /**
   * The bytes as little-endian doubles (bit patterns), the last one padded with zero bytes; at least
   * two doubles, so that a short literal is written with two stores and no loop.
   */
  readonly quads: Float64Array;
  /**
   * Number of bytes (the padding not counted). Fixed, except for a literal that the encoder
   * rewrites in place (a remembered run's storage, see `RunMemo`), which keeps its padding zero
   * and sets it with {@link resize}.
   */
  length: number;
  /**
   * The {@link length} bytes, a view of the doubles' storage: a long literal is written with one
   * `Uint8Array#set` (a copy in a builtin), which costs less than a store a double from about
   * LONG_LITERAL bytes up (see the encoder's `lit`).
   */
  bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    // At least two doubles: the encoder writes two without looking at the length.
    const padded = new Uint8Array(Math.max(2, Math.ceil(bytes.length / QUAD)) * QUAD);
    padded.set(bytes);
    // Read little-endian, as the encoder writes them (the same bytes on any platform).
    const view = new DataView(padded.buffer);
    this.quads = new Float64Array(padded.length / QUAD);
    for (let i = 0; i < this.quads.length; i++) this.quads[i] = view.getFloat64(i * QUAD, true);
    this.length = bytes.length;
    this.bytes = new Uint8Array(this.quads.buffer, 0, bytes.length);
  }

  /** Make the literal the first `n` bytes of its storage (rewritten in place, padding zero). */
  resize(n: number): void {
    this.length = n;
    this.bytes = new Uint8Array(this.quads.buffer, 0, n);
  }
}

/**
 * Length from which a literal is written with `Uint8Array#set` rather than a store a double: six
 * doubles and more (callgrind: the builtin call ~170 instructions; a double ~45 in the loop, and
 * two are stored before it).
 */
export const LONG_LITERAL = 41;

/**
 * Bytes of a {@link Literal} double. The encoder writes whole doubles, at least two, so up to
 * `2 * QUAD - 1` bytes past a literal's end are written too (and overwritten by what follows).
 */
export const QUAD = 8;

const utf8 = new TextEncoder();

/** @internal The UTF-8 bytes of `text` as a {@link Literal}. */
export function literal(text: string): Literal {
  return new Literal(utf8.encode(text));
}
