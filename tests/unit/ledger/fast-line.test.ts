/**
 * The fast field scanner keeps no state between scans: everything a scan reads goes to the `FastLine`
 * it was given, so scans into two lines, interleaved, and a declined scan in between, leave each line
 * with its own fields.
 */
import { describe, expect, it } from 'vitest';
import { ledgerLineProblem } from '../../../src/ledger/check.js';
import { compareRanges, FastLine, scanLine, scanText, TextRange } from '../../../src/ledger/fast-line.js';
import { USAGE_BUCKETS } from '../../../src/usage/buckets.js';

/** A ledger line as the writer puts it (columns in order), with the fields the scanner reads varied. */
function line(o: {
  id: string;
  model: string;
  user: string;
  pico: number;
  input: number;
  provided: string;
}): string {
  const usd = (o.pico / 1e12).toFixed(12);
  return (
    `{"id":"${o.id}","trace_id":"t-${o.id}","parent_observation_id":null,"project_id":"local",` +
    `"type":"GENERATION","name":"chat","environment":"production",` +
    `"start_time":"2026-10-01T10:00:00.000Z","end_time":"2026-10-01T10:00:01.000Z",` +
    `"level":"DEFAULT","status_message":null,"provided_model_name":"${o.model}","internal_model_id":"${o.model}",` +
    `"usage_details":{"input":${o.input},"output":10,"total":${o.input + 10}},` +
    `"cost_details":{"input":${usd}},"provided_cost_details":${o.provided},"total_cost":${usd},"cost_pico":${o.pico},` +
    `"metadata":{},"session_id":"s-${o.id}","user_id":"${o.user}","tenant_id":null,"tags":["${o.id}-tag"],` +
    `"provider":"openai","resolved_model":"${o.model}","source":"catalog","estimated":false,"tier":"standard",` +
    `"fallback":false,"service":null,"duration_ms":1000,"status":"success"}`
  );
}

const A = line({
  id: 'a',
  model: 'gpt-4o',
  user: 'ann',
  pico: 2_500_000,
  input: 1,
  provided: '{"total":0.25}',
});
const B = line({ id: 'b', model: 'claude-x', user: 'bob', pico: 7_000_000, input: 2, provided: '{}' });

describe('fast-line scanner state', () => {
  it('the test lines are valid ledger lines that the scanner accepts', () => {
    for (const text of [A, B]) {
      expect(ledgerLineProblem(JSON.parse(text))).toBeNull();
      expect(scanText(text, new FastLine())).toBe(true);
    }
  });

  it('two interleaved scans, and a declined one between them, keep their own fields', () => {
    const fa = new FastLine();
    const fb = new FastLine();
    const fc = new FastLine();
    expect(scanText(A, fa)).toBe(true);
    expect(scanText(B, fb)).toBe(true);
    // Declined after its provided total and cost were read: nothing of it may reach fa or fb.
    const torn = line({
      id: 'c',
      model: 'm',
      user: 'cy',
      pico: 9,
      input: 3,
      provided: '{"total":9}',
    }).replace('"duration_ms":1000', '"duration_ms":-1');
    expect(scanText(torn, fc)).toBe(false);
    // The string fields are cut out only now, after the other scans.
    expect([fa.model, fa.user, fa.tags, fa.pico, fa.provided, fa.usage[0]]).toEqual([
      'gpt-4o',
      'ann',
      ['a-tag'],
      2_500_000,
      0.25,
      1,
    ]);
    expect([fb.model, fb.user, fb.tags, fb.pico, Number.isNaN(fb.provided), fb.usage[0]]).toEqual([
      'claude-x',
      'bob',
      ['b-tag'],
      7_000_000,
      true,
      2,
    ]);
  });

  it('a provided-cost key with an escape takes the JSON.parse path', () => {
    const text = line({ id: 'e', model: 'm', user: 'u', pico: 1, input: 1, provided: '{"tot\\u0061l":0.5}' });
    expect(JSON.parse(text).provided_cost_details).toEqual({ total: 0.5 });
    expect(scanText(text, new FastLine())).toBe(false);
  });
});

describe('fast-line scanner and escapes', () => {
  it('declines a line with a bad escape, so the JSON.parse path rejects it instead of a getter throwing later', () => {
    const bad = line({ id: 'c', model: 'gpt-4o', user: 'a\\x', pico: 1, input: 1, provided: '{}' });
    expect(() => JSON.parse(bad)).toThrow(SyntaxError);
    expect(scanText(bad, new FastLine())).toBe(false);
  });

  it('reads a line with good escapes on the fast path; the lines of a block around it scan too', () => {
    const escaped = line({
      id: 'd',
      model: 'gpt-4o',
      user: 'say \\"hi\\" \\u00e9',
      pico: 1,
      input: 1,
      provided: '{}',
    });
    expect((JSON.parse(escaped) as { user_id: string }).user_id).toBe('say "hi" \u00e9');
    // One text holding four lines, as the reader hands over a block: only the bad one declines.
    const bad = line({ id: 'c', model: 'gpt-4o', user: 'a\\x', pico: 1, input: 1, provided: '{}' });
    const lines = [A, escaped, bad, B];
    const block = new TextEncoder().encode(`${lines.join('\n')}\n`);
    const f = new FastLine();
    const users: (string | null)[] = [];
    let at = 0;
    const accepted = lines.map((l) => {
      const nl = scanLine(block, at, f);
      // A line taken ends at its own newline (the lines are ASCII: a character is a byte).
      if (nl >= 0) expect(nl).toBe(at + l.length);
      users.push(nl >= 0 ? f.user : null);
      at += l.length + 1;
      return nl >= 0;
    });
    expect(accepted).toEqual([true, true, false, true]);
    expect(users).toEqual(['ann', 'say "hi" \u00e9', null, 'bob']);
  });
});

describe('usage_details.total counts tokens only', () => {
  // A transcription call as the writer puts it: 90 s of audio, no tokens, so total is 0.
  const withUnits = A.replace(
    '"usage_details":{"input":1,"output":10,"total":11}',
    '"usage_details":{"input":0,"output":0,"input_audio_seconds":90,"input_characters":1200,"total":0}',
  );
  // The same with the units summed into total, which no writer does.
  const unitsInTotal = withUnits.replace('"total":0}', '"total":1290}');
  const audio = USAGE_BUCKETS.indexOf('audioSeconds');
  const characters = USAGE_BUCKETS.indexOf('characters');

  it('a line with audio seconds and characters is valid and scanned, with its units counted', () => {
    expect(withUnits).not.toBe(A);
    expect(ledgerLineProblem(JSON.parse(withUnits))).toBeNull();
    const f = new FastLine();
    expect(scanText(withUnits, f)).toBe(true);
    expect([f.usage[audio], f.usage[characters]]).toEqual([90, 1200]);
  });

  it('a total that includes the units is not the token total: the checker and the scanner both refuse it', () => {
    expect(ledgerLineProblem(JSON.parse(unitsInTotal))).toBe(
      'usage_details.total: 1290, not the sum of the token counts (0)',
    );
    expect(scanText(unitsInTotal, new FastLine())).toBe(false);
  });
});

describe('numbers in the scanner (one walker of JSON number grammar, for read and skipped amounts)', () => {
  // `total_cost` and `duration_ms` are skipped amounts; `cost_pico` is read. Each variant keeps A's values.
  const at = (field: string, value: string) =>
    A.replace(new RegExp(`"${field}":[^,}]*`), `"${field}":${value}`);
  const same: Record<string, string[]> = {
    total_cost: ['0.0000025', '2.5e-6', '25E-7', '0.00000250', '2.5E-06'],
    duration_ms: ['1000', '1e3', '1E+3', '10000e-1', '1000.0'],
    cost_pico: ['2500000', '2.5e6', '25E+5', '250000000e-2', '2500000.0'],
  };

  it('reads the numbers JSON writes, exponents included', () => {
    for (const [field, values] of Object.entries(same)) {
      for (const v of values) {
        const text = at(field, v);
        expect(ledgerLineProblem(JSON.parse(text)), `${field} ${v}`).toBeNull();
        expect(scanText(text, new FastLine()), `${field} ${v}`).toBe(true);
      }
    }
  });

  it('declines what the checker must judge: a minus sign, a large exponent, text that is not a JSON number', () => {
    for (const field of Object.keys(same)) {
      for (const v of ['-1', '-0', '1e400', '2e100', '01', '1.', '.5', '1e', '+1', '0x10']) {
        const text = at(field, v);
        expect(scanText(text, new FastLine()), `${field} ${v}`).toBe(false);
      }
    }
  });
});

describe('start times compared where they are', () => {
  const range = (text: string, from: number, to: number) =>
    Object.assign(new TextRange(), { text, from, to });
  /** The range of an ASCII text as the range of its bytes. */
  const inBytes = (r: TextRange) => {
    const bytes = new TextEncoder().encode(r.text);
    return Object.assign(new TextRange(), {
      bytes,
      view: new DataView(bytes.buffer),
      from: r.from,
      to: r.to,
    });
  };

  it('compareRanges orders two ranges as < orders their strings, prefixes and other lengths included', () => {
    const times = [
      '2026-11-01T10:00:00.000Z',
      '2026-11-01T10:00:00.001Z',
      '2026-11-01T09:59:59.999Z',
      '2026-11-01T10:00:00.000',
      '2026-11-0',
      '2027-01-01T00:00:00.000Z',
      '',
    ];
    const block = times.map((t) => `{"start_time":"${t}"}`).join('\n');
    const at = (i: number) => {
      const from =
        block.split('\n').slice(0, i).join('\n').length + (i > 0 ? 1 : 0) + '{"start_time":"'.length;
      return range(block, from, from + times[i]!.length);
    };
    for (let i = 0; i < times.length; i++) {
      for (let j = 0; j < times.length; j++) {
        const want = Math.sign(times[i]! < times[j]! ? -1 : times[i]! > times[j]! ? 1 : 0);
        expect(Math.sign(compareRanges(at(i), range(times[j]!, 0, times[j]!.length)))).toBe(want);
        expect(Math.sign(compareRanges(at(i), at(j)))).toBe(want);
        // The same in bytes (the scanner's ranges), against bytes and against text.
        expect(Math.sign(compareRanges(inBytes(at(i)), inBytes(at(j))))).toBe(want);
        expect(Math.sign(compareRanges(inBytes(at(i)), range(times[j]!, 0, times[j]!.length)))).toBe(want);
        expect(Math.sign(compareRanges(range(times[j]!, 0, times[j]!.length), inBytes(at(i))))).toBe(
          0 - want,
        );
      }
    }
  });

  it('startRange gives the scanned time in the text, and a time read the JSON.parse way as itself', () => {
    const text = new TextEncoder().encode(`${B}\n${A}\n`);
    const f = new FastLine();
    expect(scanLine(text, B.length + 1, f)).toBe(text.length - 1);
    const r = new TextRange();
    f.startRange(r);
    expect(r.bytes).toBe(text);
    expect(r.value()).toBe(f.startTime);
    // A copy keeps the time when the bytes are overwritten (a reader's next block).
    const kept = new TextRange();
    kept.copy(r);
    text.fill(0x30);
    expect(kept.value()).toBe(f.startTime);
    f.fromLine(JSON.parse(A));
    f.startRange(r);
    expect([r.bytes, r.text, r.from, r.to]).toEqual([null, f.startTime, 0, f.startTime.length]);
  });
});

describe('times are looked at where their closing quote must be', () => {
  it.each([
    ['a character after the Z', '2026-10-01T10:00:00.000Zx'],
    ['one character short', '2026-10-01T10:00:00.00Z'],
    ['an escaped quote after the Z', '2026-10-01T10:00:00.000Z\\"'],
    ['not a time', 'yesterday at noon, roughly'],
    ['24 characters, not a time', 'yesterday at noon, rough'],
    ['a 13th month', '2026-13-01T10:00:00.000Z'],
  ])('declines a start or end time with %s (JSON.parse and the checker then decide)', (_, time) => {
    for (const key of ['start_time', 'end_time']) {
      const text = A.replace(new RegExp(`"${key}":"[^"]*"`), `"${key}":"${time}"`);
      expect(text).not.toBe(A);
      expect(() => JSON.parse(text)).not.toThrow();
      expect(scanText(text, new FastLine())).toBe(false);
    }
  });

  it('declines a line that ends inside its start time', () => {
    const at = A.indexOf('"start_time":"') + '"start_time":"'.length;
    const f = new FastLine();
    expect(scanText(A.slice(0, at + 24), f)).toBe(false);
    expect(scanText(A, f)).toBe(true);
  });
});

describe('the byte scanner', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('never runs over a newline into the next line, even where a key cut by it matches at a few bytes', () => {
    // A line cut inside the key "provided_model_name": the next line's bytes put its last letter, quote and
    // colon where the key's end would be, and go on as the rest of a ledger line.
    const key = '"provided_model_name":';
    const at = A.indexOf(key);
    const torn = A.slice(0, at + 13);
    const next = `xxxxxe":${A.slice(at + key.length)}`;
    expect(next.slice(5, 8)).toBe('e":');
    const block = bytes(`${torn}\n${next}\n`);
    expect(block[at + 13]).toBe(0x0a);
    const f = new FastLine();
    expect(scanLine(block, 0, f)).toBe(-1);
    // Each line alone is no ledger line either.
    expect(scanText(torn, f)).toBe(false);
    expect(scanText(next, f)).toBe(false);
  });

  it('takes repeated values from its memo only when all their bytes are the same', () => {
    // Same length, first, middle and last byte (one memo slot); they differ in the first word or after it.
    const models = ['mAdel-x', 'mBdel-x', 'mAdelyx', 'mAdel-x', 'mBdel-x', 'n', 'n', 'mAdelyx'];
    const f = new FastLine();
    const read = models.map((m) => {
      const text = line({ id: 'm', model: m, user: m, pico: 1, input: 1, provided: '{}' });
      expect(scanText(text, f)).toBe(true);
      return [f.model, f.user];
    });
    expect(read).toEqual(models.map((m) => [m, m]));
  });

  it('accepts total_cost beside cost_pico exactly when the check does (half its tolerance in place, the rest exactly)', () => {
    const f = new FastLine();
    let accepted = 0;
    let declined = 0;
    for (const pico of [5, 999, 2_500_000, 1_000_000_000, 123_456_789_012, 8_999_999_999_999_999]) {
      for (const delta of [-3, -2, -1, -0.6, -0.5, -0.4, 0, 0.4, 0.5, 0.6, 1, 2, 3]) {
        const tol = Math.max(1, pico * 1e-9);
        const total = ((pico + delta * tol) / 1e12).toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
        const text = A.replace(/"total_cost":[^,]*/, `"total_cost":${total}`).replace(
          /"cost_pico":[^,]*/,
          `"cost_pico":${pico}`,
        );
        const valid = ledgerLineProblem(JSON.parse(text)) === null;
        expect(scanText(text, f), `${total} ${pico}`).toBe(valid);
        if (valid) accepted++;
        else declined++;
      }
    }
    expect(accepted).toBeGreaterThan(10);
    expect(declined).toBeGreaterThan(10);
  });

  it('reads total_cost when cost_pico is left out (the line then costs total_cost)', () => {
    const text = A.replace(/,"cost_pico":[^,]*/, '');
    const f = new FastLine();
    const ref = new FastLine();
    ref.fromLine(JSON.parse(text));
    expect(ledgerLineProblem(JSON.parse(text))).toBeNull();
    expect(scanText(text, f)).toBe(true);
    expect(f.costPico()).toBe(ref.costPico());
    expect(f.costPico()).toBe(2_500_000);
  });
});

describe('usage keys matched in place', () => {
  it('a key that starts like total is a count, not the total', () => {
    const text = A.replace(
      '"usage_details":{"input":1,"output":10,"total":11}',
      '"usage_details":{"input":1,"output":10,"totax":5,"total":16}',
    );
    expect(text).not.toBe(A);
    expect(ledgerLineProblem(JSON.parse(text))).toBeNull();
    const f = new FastLine();
    expect(scanText(text, f)).toBe(true);
    const ref = new FastLine();
    ref.fromLine(JSON.parse(text));
    expect([...f.usage]).toEqual([...ref.usage]);
    expect(f.usage.reduce((a, b) => a + b, 0)).toBe(11);
  });
});
