import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tsFilesUnder } from '../../scripts/gen-architecture.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The core entry (`langfuse-cost`) must run in Node, Bun and edge runtimes: no Node built-ins, no dependencies.
const CORE_DIRS = ['src/pricing', 'src/usage', 'src/ledger', 'src/tracker'];
const CORE_FILES = ['src/index.ts', 'src/errors.ts', 'src/logger.ts'];
/**
 * The layers of the core, lowest first: a module may import from its own layer and the ones below,
 * never from a layer above it and never from outside the core (adapters, Node wiring, CLI).
 */
const LAYERS = [
  ['src/errors.ts', 'src/logger.ts'],
  ['src/usage'],
  ['src/pricing'],
  ['src/ledger'],
  ['src/tracker'],
  ['src/index.ts'],
];

/** The layer index of a path under the repository root, or -1 outside the core. */
function layerOf(path: string): number {
  const rel = relative(root, path);
  return LAYERS.findIndex((layer) => layer.some((p) => rel === p || rel.startsWith(`${p}/`)));
}

describe('core has no Node-only import and no runtime dependency', () => {
  const files = [
    ...CORE_DIRS.flatMap((d) => tsFilesUnder(join(root, d))),
    ...CORE_FILES.map((f) => join(root, f)),
  ];
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
      // Arrows point down: adapters → core, and inside the core usage ← pricing ← ledger ← tracker.
      const own = layerOf(file);
      const upward = specifiers
        .map((s) => join(dirname(file), s.replace(/\.js$/, '.ts')))
        .filter((target) => layerOf(target) < 0 || layerOf(target) > own)
        .map((target) => relative(root, target));
      expect(upward, `${relative(root, file)} imports above its layer`).toEqual([]);
      expect(src).not.toMatch(/\brequire\(/);
      expect(src).not.toMatch(/\bprocess\.(env|cwd|exit|on)\b/);
    });
  }
});

describe('the portable adapter entries load no Node module', () => {
  const builtins = new Set(builtinModules);
  /** Every module `entry` loads (relative imports, transitively) and the bare specifiers they import. */
  function closure(entry: string): { files: string[]; bare: string[] } {
    const files = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string) => {
      if (files.has(file)) return;
      files.add(file);
      const src = readFileSync(file, 'utf8');
      // Type-only imports are erased from the build: they load nothing.
      for (const m of src.matchAll(/^(?:import|export)(?!\s+type\b)[^'"]*?from\s*['"]([^'"]+)['"]/gm)) {
        const s = m[1]!;
        if (s.startsWith('.')) visit(join(dirname(file), s.replace(/\.js$/, '.ts')));
        else bare.add(s);
      }
    };
    visit(join(root, entry));
    return { files: [...files].map((f) => relative(root, f)), bare: [...bare] };
  }
  for (const entry of ['src/langchain/portable.ts', 'src/otel/portable.ts']) {
    it(entry, () => {
      const { files, bare } = closure(entry);
      expect(files.length).toBeGreaterThan(5);
      expect(files.filter((f) => f.startsWith('src/node/'))).toEqual([]);
      expect(bare.filter((s) => s.startsWith('node:') || builtins.has(s))).toEqual([]);
    });
  }
  it('while the Node entries install Node defaults (so the check above is not vacuous)', () => {
    expect(closure('src/otel/index.ts').files).toContain('src/node/adapter-defaults.ts');
  });
});
