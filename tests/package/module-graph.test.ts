import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installedPackage, runNode } from './context.js';
import { packageSuite } from './suite.js';

// What a cold `import 'langfuse-cost'` loads. Every module a process loads is read, decoded and
// compiled; the root entry used to load 12 files (esbuild cut the core into one chunk per set of
// entries reaching a module), its files were two-byte text for a few characters in comments, and
// the whole 330 KB catalog was parsed at import. Each cost a fresh process milliseconds
// (bench/cold-start.ts); these tests fail if one comes back.

const suite = packageSuite();
const { cjs, esm } = suite.projects;
const dist = path.join(installedPackage(cjs), 'dist');

/** The root entry's files, at most: the entry itself and the one chunk that holds the whole core. */
const MAX_ROOT_FILES = 2;

/** Relative modules a dist file loads: `import … from "./x.js"`, `import "./x.js"`, `require('./x.cjs')`. */
function relativeImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const specs = [
    ...src.matchAll(/^(?:import|export)\s[^;]*?\bfrom\s*["'](\.\/[^"']+)["']/gm),
    ...src.matchAll(/^import\s*["'](\.\/[^"']+)["']/gm),
    ...src.matchAll(/\brequire\(\s*["'](\.\/[^"']+)["']\s*\)/g),
  ].map((m) => m[1]!);
  return [...new Set(specs)];
}

/** Every dist file `entry` loads statically (itself included), by name. */
function graph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const spec of relativeImports(path.join(dist, name))) visit(path.basename(spec));
  };
  visit(entry);
  return [...seen].sort();
}

/** The dist files of the entries (the exports map's `default` targets), without `.js` / `.cjs`. */
const ENTRIES = [
  'index',
  'langchain',
  'langchain-portable',
  'otel',
  'otel-portable',
  'langfuse',
  'node',
  'dashboards',
  'fleet',
];

describe("the root entry's module graph", () => {
  it.each([
    ['ESM', 'index.js'],
    ['CommonJS', 'index.cjs'],
  ])('%s: %s loads at most 2 files (the entry and the core chunk)', (_how, entry) => {
    const files = graph(entry);
    expect(files.length, files.join(', ')).toBeLessThanOrEqual(MAX_ROOT_FILES);
  });

  it.each([
    ['ESM', '.js'],
    ['CommonJS', '.cjs'],
  ])('%s: every entry loads the same core files as the root (one core instance for all)', (_how, ext) => {
    const core = graph(`index${ext}`).filter((f) => f !== `index${ext}`);
    expect(core.length).toBeGreaterThan(0);
    for (const e of ENTRIES) expect(graph(`${e}${ext}`), e).toEqual(expect.arrayContaining(core));
  });
});

describe('the JavaScript files of the package', () => {
  it('are ASCII only (one other character makes Node read a whole file as two-byte text)', () => {
    const files = readdirSync(dist).filter((f) => /\.(c|m)?js$/.test(f));
    expect(files.length).toBeGreaterThan(10);
    const offending = files.filter((f) => readFileSync(path.join(dist, f)).some((byte) => byte > 0x7f));
    expect(offending).toEqual([]);
  });
});

describe('the CommonJS files of the package', () => {
  it('keep ?. ?? and class fields as written, not rewritten into helper calls (tsup.config.ts, cjsAsWritten)', () => {
    // A rewritten optional chain is a helper call with an array and a closure each time it runs, and
    // the helpers made the CommonJS core 21 KB larger for every require to compile.
    const files = readdirSync(dist).filter((f) => f.endsWith('.cjs'));
    expect(files.length).toBeGreaterThan(10);
    const rewritten = files.filter((f) =>
      /\b_optionalChain\(|\b_nullishCoalesce\(|\b_optionalChainDelete\(/.test(
        readFileSync(path.join(dist, f), 'utf8'),
      ),
    );
    expect(rewritten).toEqual([]);
    const core = graph('index.cjs').filter((f) => f !== 'index.cjs');
    const text = core.map((f) => readFileSync(path.join(dist, f), 'utf8')).join('\n');
    expect(text).toContain('?.');
    expect(text).toContain(' ?? ');
  });
});

/** A string literal this long is data (the catalog's text), not code. */
const LONG_LITERAL = 2_000;

/** Single- or double-quoted string literals of at least {@link LONG_LITERAL} characters on one line. */
const LONG_LITERALS = new RegExp(
  `'(?:[^'\\\\\\n]|\\\\.){${LONG_LITERAL},}'|"(?:[^"\\\\\\n]|\\\\.){${LONG_LITERAL},}"`,
  'g',
);

describe("the bundled catalog's text", () => {
  it('is compiled as prices read it: each long string literal is returned by a function of its own', () => {
    // V8 compiles a module's top level at import but a function's body on its first call (it only
    // pre-scans it before): the 440 KB of catalog text as top-level literals cost every import about
    // 1.2 ms. The longest piece (the index's group arrays) is about 27 KB.
    const files = readdirSync(dist).filter((f) => /\.(c|m)?js$/.test(f));
    const found: string[] = [];
    for (const f of files) {
      const src = readFileSync(path.join(dist, f), 'utf8');
      for (const m of src.matchAll(LONG_LITERALS)) {
        const before = src.slice(Math.max(0, m.index - 40), m.index);
        const where = `${f}: ${m[0].length} characters after ${JSON.stringify(before)}`;
        found.push(where);
        expect(before, where).toMatch(/\{\s*return\s*$/);
        expect(m[0].length, where).toBeLessThan(MAX_PARSED_TEXT);
      }
    }
    // The catalog is in the core chunks (ESM, CommonJS, the CLI's), in more than 60 pieces each.
    expect(found.length, found.join('\n')).toBeGreaterThan(2 * 60);
  });
});

// Counts every JSON.parse of the process by the length of its text, then imports the root entry and
// prices two calls. Neither the bundled catalog (about 330 KB of JSON) nor its index's exact-name
// table may be parsed whole for them.
const PARSES = (load: string) => `const parse = JSON.parse;
const sizes = [];
JSON.parse = function (text, reviver) { sizes.push(String(text).length); return parse.call(this, text, reviver); };
${load}
const atImport = sizes.length;
const r = lib.calculateCost({ model: 'gpt-4o', provider: 'openai', usage: { input: 1000000, output: 100000 } });
const other = lib.calculateCost({ model: 'claude-sonnet-4-5', usage: { input: 100000, output: 0 } });
console.log(JSON.stringify({ atImport, largest: Math.max(0, ...sizes), total: r.total, other: other.total }));
`;

/**
 * Above the index without its exact names (about 27 KB), below the exact-name table (about 76 KB,
 * parsed a 64th at a time) and far below the whole catalog (about 330 KB).
 */
const MAX_PARSED_TEXT = 40_000;

describe('the bundled catalog is parsed as a price needs it', () => {
  it.concurrent.each([
    ['require', cjs, 'parses.cjs', PARSES("const lib = require('langfuse-cost');")],
    ['import', esm, 'parses.mjs', PARSES("const lib = await import('langfuse-cost');")],
  ])('%s: nothing at import, never the whole catalog for a price', async (_how, project, file, code) => {
    writeFileSync(path.join(project, file), code);
    const r = await runNode(project, file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { atImport: number; largest: number; total: number; other: number };
    expect(out.atImport, 'JSON.parse calls during the import').toBe(0);
    expect(out.largest).toBeLessThan(MAX_PARSED_TEXT);
    // gpt-4o: $2.50 per 1M input tokens, $10 per 1M output tokens → 2.5 + 1.0.
    expect(out.total).toBe(3.5);
    // claude-sonnet-4-5: $3 per 1M input tokens (up to 200k tokens a call) → 100,000 × 3 / 1M.
    expect(out.other).toBe(0.3);
  });
});
