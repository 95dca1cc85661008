import { describe, expect, it } from 'vitest';
import { LedgerLineEncoder } from '../../../src/ledger/encoder.js';
import { Literal, literal, QUAD } from '../../../src/ledger/literal.js';

const utf8 = new TextEncoder();
const decoder = new TextDecoder();

/** Text with every kind of UTF-8 sequence: 1 to 4 bytes, and the lead and continuation bytes near each limit. */
function sampleTexts(): string[] {
  const points: number[] = [];
  for (let cp = 0x20; cp < 0x80; cp++) points.push(cp);
  for (let cp = 0x80; cp < 0x800; cp += 7) points.push(cp);
  for (let cp = 0x800; cp < 0xd800; cp += 251) points.push(cp);
  for (let cp = 0xe000; cp < 0x10000; cp += 127) points.push(cp);
  for (let cp = 0x10000; cp <= 0x10ffff; cp += 4093) points.push(cp);
  points.push(0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff, 0x7f);
  const texts: string[] = [];
  // Every sequence at every offset inside an 8-byte store, with the bytes after it too.
  for (let i = 0; i < points.length; i += 5) {
    const run = String.fromCodePoint(...points.slice(i, i + 5));
    for (let pad = 0; pad < 8; pad++) texts.push('x'.repeat(pad) + run);
  }
  return texts;
}

describe('Literal', () => {
  it('writes the UTF-8 bytes of its text exactly, at any offset, leaving the bytes before it as they were', () => {
    let checked = 0;
    for (const text of sampleTexts()) {
      const expected = utf8.encode(text);
      for (let at = 0; at < 8; at++) {
        // Room is the caller's duty (the encoder reserves it per line): an encoder with plenty.
        const e = new LedgerLineEncoder('local', 4096);
        e.length = at;
        e.bytes.fill(0xaa, 0, at);
        e.lit(literal(text));
        expect(e.length).toBe(at + expected.length);
        expect(Buffer.from(e.bytes.subarray(at, e.length)).equals(Buffer.from(expected))).toBe(true);
        // The bytes before it are untouched.
        expect(e.bytes.subarray(0, at).every((b) => b === 0xaa)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('keeps its length apart from the padding of its last store', () => {
    expect(literal('').length).toBe(0);
    expect(literal('abc').length).toBe(3);
    expect(literal('€').length).toBe(3);
    expect(new Literal(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])).quads.length).toBe(2);
  });

  it('writes the bytes its storage holds after a resize, short or long', () => {
    const storage = new Uint8Array(128);
    const lit = new Literal(storage);
    const bytes = new Uint8Array(lit.quads.buffer);
    for (const n of [100, 3, 64, 0, 17, 128]) {
      for (let i = 0; i < n; i++) bytes[i] = 0x61 + ((i + n) % 26);
      bytes.fill(0, n);
      lit.resize(n);
      const e = new LedgerLineEncoder('local', 4096);
      e.bytes.fill(0xaa);
      e.lit(lit);
      // Nothing written past the padding of its last double (two doubles at least, see QUAD).
      const written = Math.max(2 * QUAD, Math.ceil(n / QUAD) * QUAD);
      expect(e.bytes.subarray(written).every((b) => b === 0xaa)).toBe(true);
      e.lit(literal('|'));
      expect(decoder.decode(e.bytes.subarray(0, e.length))).toBe(`${decoder.decode(bytes.subarray(0, n))}|`);
    }
  });
});
