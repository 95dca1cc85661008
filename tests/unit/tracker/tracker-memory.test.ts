import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('bounded memory', () => {
  it('one million recorded calls add at most 64 MB of heap (measured after gc in a child process)', () => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'tests/helpers/tracker-memory-child.ts', '1000000'],
      { cwd: root, encoding: 'utf8', timeout: 120_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const r = JSON.parse(child.stdout) as { added: number; requests: number; groups: number };
    expect(r.requests).toBe(1_000_000);
    // 20,000 distinct sessions: the session table stays bounded (maxGroups 1000, compacted past 2000).
    expect(r.groups).toBeLessThanOrEqual(2001);
    expect(r.added).toBeLessThanOrEqual(64 * 1024 * 1024);
    console.log(`heap added by 1M calls: ${(r.added / 1024 / 1024).toFixed(1)} MB`);
  }, 120_000);
});
