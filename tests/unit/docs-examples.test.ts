import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PriceCatalog } from '../../src/pricing/index.js';
import type { CatalogData } from '../../src/pricing/types.js';
import {
  type DocSnippet,
  expectedPrints,
  extractSnippets,
  printsMismatch,
  ROOT,
  runTs,
  type TscDiagnostic,
  typeCheck,
  writeSnippetProject,
} from '../helpers/docs-examples.js';

// Every ```ts block of README.md and docs/*.md is written to its own module and type-checked in one
// tsc run together with examples/**, with `langfuse-cost/*` mapped to src/. Blocks fenced as
// ```ts run are also executed; their `// prints: TEXT` comments are their stdout, line by line (see printsMismatch).

const snippets = extractSnippets();
let diagnostics: TscDiagnostic[] = [];
let tscOutput = '';

beforeAll(async () => {
  const tsconfig = writeSnippetProject(snippets);
  ({ diagnostics, output: tscOutput } = await typeCheck(tsconfig));
}, 120_000);

function errorsIn(file: string): string[] {
  return diagnostics.filter((d) => d.file === file).map((d) => `line ${d.line}: ${d.message}`);
}

const label = (s: DocSnippet) => `${s.doc}:${s.line}`;

describe('TypeScript blocks in the docs', () => {
  it('finds the blocks (README and every doc page has some)', () => {
    expect(snippets.length).toBeGreaterThan(20);
    const docs = new Set(snippets.map((s) => s.doc));
    expect(docs.has('README.md')).toBe(true);
    expect(docs.has('docs/langchain.md')).toBe(true);
    expect(docs.has('docs/otel.md')).toBe(true);
  });

  it('tsc ran (a diagnostic list, not a crash)', () => {
    // tsc prints "error TS…" lines or nothing; anything else (a crash, a bad tsconfig) fails here.
    const unexpected = tscOutput
      .split('\n')
      .filter((l) => l.trim() !== '' && !/\): error TS\d+|^\s/.test(l) && !/^npm warn/.test(l));
    expect(unexpected).toEqual([]);
  });

  it.each(snippets.map((s) => [label(s), s] as const))('%s type-checks', (_name, s) => {
    expect(errorsIn(s.file)).toEqual([]);
  });

  const runnable = snippets.filter((s) => s.flags.includes('run'));
  it('has runnable blocks', () => {
    expect(runnable.length).toBeGreaterThan(3);
  });

  // Each run is a child process that mostly waits on module loading; a few at once cut the wall time.
  it.concurrent.each(runnable.map((s) => [label(s), s] as const))('%s runs', async (_name, s) => {
    const r = await runTs(s.file, { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(printsMismatch(s.code, r.stdout)).toBeNull();
  });

  it('every block with a // prints: comment runs (so the comment is checked)', () => {
    const unchecked = snippets.filter((s) => expectedPrints(s.code).length > 0 && !s.flags.includes('run'));
    expect(unchecked.map(label)).toEqual([]);
  });
});

describe('price catalogs in the docs', () => {
  // ```json catalog / ```yaml catalog blocks are complete catalog documents: they must validate.
  const catalogs = extractSnippets(undefined, ['json', 'yaml']).filter((s) => s.flags.includes('catalog'));
  it('has catalog examples', () => {
    expect(catalogs.length).toBeGreaterThan(0);
  });
  it.each(catalogs.map((s) => [label(s), s] as const))('%s is a valid catalog', (_name, s) => {
    const data = (s.file.endsWith('.yaml') ? parseYaml(s.code) : JSON.parse(s.code)) as CatalogData;
    const catalog = PriceCatalog.fromData(data, 'user');
    expect(catalog.list().length).toBe(data.models.length);
  });
});

describe('examples/', () => {
  it('every example type-checks', () => {
    const inExamples = diagnostics.filter((d) => d.file.startsWith(path.join(ROOT, 'examples')));
    expect(inExamples.map((d) => `${path.relative(ROOT, d.file)}:${d.line}: ${d.message}`)).toEqual([]);
  });
});
