import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The core entry (`langfuse-cost`) must run in Node, Bun and edge runtimes: no Node built-ins, no dependencies.
const CORE_DIRS = ['src/pricing', 'src/usage', 'src/tracker'];
const CORE_FILES = ['src/index.ts', 'src/errors.ts', 'src/logger.ts', 'src/langfuse/cost-details.ts'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('core has no Node-only import and no runtime dependency', () => {
  const files = [...CORE_DIRS.flatMap((d) => walk(join(root, d))), ...CORE_FILES.map((f) => join(root, f))];
  it('covers the core files', () => {
    expect(files.length).toBeGreaterThan(15);
  });
  for (const file of files) {
    it(relative(root, file), () => {
      const src = readFileSync(file, 'utf8');
      const specifiers = [
        ...src.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
      ].map((m) => m[1] ?? m[2]!);
      const offending = specifiers.filter((s) => !s.startsWith('.'));
      expect(offending, `${relative(root, file)} imports ${offending.join(', ')}`).toEqual([]);
      expect(src).not.toMatch(/\brequire\(/);
      expect(src).not.toMatch(/\bprocess\.(env|cwd|exit|on)\b/);
    });
  }
});
