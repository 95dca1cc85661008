import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Diagnostic, installedPackage, ROOT, runNode, TS_PROJECTS } from './context.js';
import { packageSuite } from './suite.js';

// The TypeScript projects, each compiled once by the setup (tsc -p, skipLibCheck off): every entry
// point imported and a few public types used (src/entries.ts, in all three), and in ts-node16 also every
// ```ts block of the docs and every program of examples/. The types must come from the installed
// package — .d.ts for ESM, .d.cts through the `require` condition for CommonJS — and compile cleanly.

const suite = packageSuite();
const thirdParty = path.join(ROOT, 'node_modules') + path.sep;

const show = (ds: Diagnostic[]) =>
  ds.map((d) => `${path.relative(ROOT, d.file)}:${d.line}: ${d.code} ${d.message}`);

/** Diagnostics that are the package's or the project's (not in other packages' declarations). */
const ours = (name: (typeof TS_PROJECTS)[number]) =>
  suite.tsc[name].diagnostics.filter((d) => !d.file.startsWith(thirdParty));

describe.each(TS_PROJECTS)('%s', (name) => {
  const dir = suite.projects[name];
  const tsc = suite.tsc[name];
  const pkgDir = installedPackage(dir) + path.sep;

  it('tsc ran (diagnostics and a file list, nothing else)', () => {
    expect(tsc.unexpected).toEqual([]);
    expect(tsc.files.length).toBeGreaterThan(10);
  });

  it('reads langfuse-cost declarations from the installed tarball only', () => {
    // Any copy: installed in some node_modules, or the repository's own src/ and dist/.
    const elsewhere = ['src', 'dist'].map((d) => path.join(ROOT, d) + path.sep);
    const ourDecls = tsc.files.filter(
      (f) =>
        f.includes(`${path.sep}node_modules${path.sep}langfuse-cost${path.sep}`) ||
        elsewhere.some((d) => f.startsWith(d)),
    );
    expect(ourDecls.length).toBeGreaterThan(0);
    expect(ourDecls.filter((f) => !f.startsWith(pkgDir))).toEqual([]);
    // CommonJS resolves through the `require` condition (.d.cts); ESM through `import` (.d.ts).
    const ext = name === 'ts-cjs' ? /\.d\.cts$/ : /\.d\.ts$/;
    expect(ourDecls.filter((f) => !ext.test(f))).toEqual([]);
  });

  it('src/entries.ts (every entry point, a few types) compiles with zero errors', () => {
    expect(show(ours(name).filter((d) => d.file === path.join(dir, 'src', 'entries.ts')))).toEqual([]);
  });

  it("the package's own declarations have no errors (skipLibCheck off)", () => {
    expect(show(ours(name).filter((d) => d.file.startsWith(pkgDir)))).toEqual([]);
  });

  it('no other error anywhere but in other packages’ declarations', () => {
    expect(show(ours(name))).toEqual([]);
  });
});

describe('compiled src/entries.js, run with plain node', () => {
  it.concurrent.each(['ts-node16', 'ts-cjs'] as const)('%s', async (name) => {
    const r = await runNode(suite.projects[name], path.join('src', 'entries.js'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // gpt-4o: $2.50 per 1M input tokens.
    expect(out.total).toBe(2.5);
    expect(out.details).toMatchObject({ input: 2.5, total: 2.5 });
    expect([out.handler, out.processor, out.catalog]).toEqual(['function', 'function', 'function']);
    expect(out.dashboards).toBeGreaterThan(0);
    expect(out.firstDashboard).toMatch(/^[a-z-]+$/);
    for (const [sub, n] of Object.entries(out.entries as Record<string, number>))
      expect(n, `${sub} exports`).toBeGreaterThan(0);
  });
});

describe('ts-node16: the docs and the examples against the installed .d.ts', () => {
  const diagnostics = ours('ts-node16');

  it('finds the docs’ blocks (README and docs/ have some)', () => {
    expect(suite.snippets.length).toBeGreaterThan(20);
    expect(new Set(suite.snippets.map((s) => s.doc))).toContain('README.md');
  });

  it.each(suite.snippets.map((s) => [s.label, s] as const))('%s type-checks', (_label, s) => {
    expect(show(diagnostics.filter((d) => d.file === s.source))).toEqual([]);
  });

  it('every program of examples/ (and the helpers it imports) type-checks', () => {
    const src = path.join(suite.projects['ts-node16'], 'src');
    const inPrograms = diagnostics.filter(
      (d) => d.file.startsWith(path.join(src, 'examples')) || d.file.startsWith(path.join(src, 'tests')),
    );
    expect(show(inPrograms)).toEqual([]);
  });
});
