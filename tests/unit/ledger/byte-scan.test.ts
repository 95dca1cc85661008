import { describe, expect, it } from 'vitest';
import { nonDigitBytes, sameWords, specialByte, wordOf, wordsOf } from '../../../src/ledger/byte-scan.js';

/** The first quote, backslash or control byte at or after `i`, a byte at a time. */
function naive(s: Uint8Array, i: number): number {
  while (i < s.length && s[i]! >= 0x20 && s[i] !== 0x22 && s[i] !== 0x5c) i++;
  return i;
}

describe('specialByte', () => {
  it('finds the first quote, backslash or control byte in every lane of a word, as a byte scan does', () => {
    // Bytes next to the special ones (a borrow from one could flag its neighbour), and high bytes.
    const plain = [0x20, 0x21, 0x23, 0x5b, 0x5d, 0x41, 0x7f, 0x80, 0xa2, 0xdc, 0xff];
    const special = [0x22, 0x5c, 0x00, 0x01, 0x0a, 0x1f];
    let checked = 0;
    for (let len = 0; len <= 13; len++) {
      for (let at = -1; at < len; at++) {
        for (const sp of special) {
          for (let k = 0; k < plain.length; k++) {
            const s = new Uint8Array(len);
            for (let j = 0; j < len; j++) s[j] = plain[(j + k) % plain.length]!;
            if (at >= 0) s[at] = sp;
            // A second special byte after the first must not be the one found.
            if (at >= 0 && at + 2 < len) s[at + 2] = special[(k + 1) % special.length]!;
            const view = new DataView(s.buffer);
            for (let from = 0; from <= len; from++) {
              expect(specialByte(s, view, from), `${[...s]} from ${from}`).toBe(naive(s, from));
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });
});

describe('wordsOf and sameWords', () => {
  it('match the same bytes at any offset and length, and no bytes that differ in one place', () => {
    const text = '"provided_cost_details":{"input":';
    let checked = 0;
    for (let n = 4; n <= 13; n++) {
      const want = Buffer.from(text.slice(0, n), 'latin1');
      const words = wordsOf(want);
      for (let off = 0; off < 4; off++) {
        const line = Buffer.alloc(off + n + 3, 0x20);
        want.copy(line, off);
        const view = new DataView(line.buffer, line.byteOffset, line.length);
        expect(sameWords(view, off, n, words)).toBe(true);
        for (let i = 0; i < n; i++) {
          const before = line[off + i]!;
          line[off + i] = before ^ 0x01;
          expect(sameWords(view, off, n, words), `${n} bytes at ${off}, byte ${i} changed`).toBe(false);
          line[off + i] = before;
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});

describe('nonDigitBytes', () => {
  it('flags exactly the bytes that are not 0-9, each in its own lane, for every byte value in every lane', () => {
    // The other lanes hold a digit, or a byte just outside 0-9 whose flag must not spill over.
    const neighbours = [0x30, 0x39, 0x2f, 0x3a, 0x00, 0xff];
    let checked = 0;
    for (let lane = 0; lane < 4; lane++) {
      for (let c = 0; c < 256; c++) {
        for (const other of neighbours) {
          const bytes = [other, other, other, other];
          bytes[lane] = c;
          const w = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
          const flags = nonDigitBytes(w);
          for (let i = 0; i < 4; i++) {
            const isDigit = bytes[i]! >= 0x30 && bytes[i]! <= 0x39;
            const flagged = ((flags >>> (8 * i)) & 0xff) !== 0;
            if (flagged === isDigit) throw new Error(`byte ${bytes[i]} in lane ${i} of ${w.toString(16)}`);
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(4 * 256 * neighbours.length);
  });
});

describe('wordOf', () => {
  it('is the word a little-endian read of the same four bytes gives', () => {
    for (const text of ['null', 'true', 'fals', 'tota', '\u00ff\u0080az']) {
      const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
      expect(wordOf(text)).toBe(new DataView(bytes.buffer).getUint32(0, true));
    }
  });
});
