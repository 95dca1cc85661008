import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../src/cli/format.js';

describe('renderTable', () => {
  it('aligns columns, numbers to the right', () => {
    expect(
      renderTable(
        ['user', 'calls', 'cost'],
        [
          ['alice', 1234, '$0.50'],
          ['bob', 5, '$12.00'],
        ],
      ),
    ).toBe('user   calls    cost\n─────  ─────  ──────\nalice  1,234   $0.50\nbob        5  $12.00\n');
  });

  it('shows control characters from the data as � (a tab as a space): no escape reaches the terminal, no row splits', () => {
    const t = renderTable(
      ['user', 'calls'],
      [
        ['\u001b[31mRED\u001b[0m', 1],
        ['line1\nline2', 2],
        ['a\tb', 3],
      ],
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    expect(t).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(t.split('\n')).toEqual([
      'user          calls',
      '────────────  ─────',
      '�[31mRED�[0m      1',
      'line1�line2       2',
      'a b               3',
      '',
    ]);
  });
});
