/**
 * chDB's allocator options (`CHDB_ALLOCATOR_CONF`): set for chDB's own load when the application set
 * none, then taken out of the environment again; the application's own `JE_MALLOC_CONF` wins. What they
 * do is seen in the child's memory: anonymous memory in transparent huge pages after a large query.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const THP_SETTING = '/sys/kernel/mm/transparent_hugepage/enabled';
/** The kernel's THP mode (the bracketed word of the setting), or null where there is none. */
const thpMode =
  process.platform === 'linux' && existsSync(THP_SETTING)
    ? (/\[(\w+)\]/.exec(readFileSync(THP_SETTING, 'utf8'))?.[1] ?? null)
    : null;
/** Huge pages can be asked for (THP `always` or `madvise`); the kernel never gives them otherwise. */
const thpAvailable = thpMode === 'always' || thpMode === 'madvise';
/** Huge pages only where asked for (`madvise`): a process that asks for none has none. */
const thpOnlyWhenAsked = thpMode === 'madvise';

/** Run the child with `JE_MALLOC_CONF` as given (undefined: not in its environment). */
function child(conf: string | undefined, ...args: string[]): { left: string | null; hugeKb: number } {
  const env = { ...process.env };
  delete env.JE_MALLOC_CONF;
  if (conf !== undefined) env.JE_MALLOC_CONF = conf;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'tests/helpers/chdb-allocator-child.ts', ...args],
    { env, encoding: 'utf8' },
  );
  return JSON.parse(out) as { left: string | null; hugeKb: number };
}

describe.skipIf(process.platform !== 'linux')("chDB's allocator options", () => {
  it('are read by chDB as it loads and are not left in the environment', () => {
    const r = child(undefined);
    expect(r.left).toBeNull();
    if (thpAvailable) expect(r.hugeKb).toBeGreaterThan(0);
  });

  it('are left out, and chDB still loads, when the application froze process.env', () => {
    const r = child(undefined, 'frozen');
    expect(r.left).toBeNull();
    if (thpOnlyWhenAsked) expect(r.hugeKb).toBe(0);
  });

  it("leave the application's own JE_MALLOC_CONF alone, even an empty one", () => {
    for (const conf of ['', 'abort_conf:false']) {
      const r = child(conf);
      expect(r.left).toBe(conf);
      // chDB's own options: no huge pages (THP is only given where asked for, in `madvise` mode).
      if (thpOnlyWhenAsked) expect(r.hugeKb).toBe(0);
    }
  });
});
