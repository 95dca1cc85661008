import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extractSnippets } from '../helpers/docs-examples.js';
import { type ProgramFile, ROOT, type SnippetFile } from './context.js';

// The files of the consumer projects: package.json, tsconfig.json, and the TypeScript sources the
// TypeScript projects compile (a file using every entry point, the docs' code blocks, the examples).

const writeJson = (file: string, data: unknown) => writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);

/** An empty project of the given module type (what `npm init -y` gives, plus `type`). */
export function writePackageJson(dir: string, type: 'commonjs' | 'module'): void {
  mkdirSync(dir, { recursive: true });
  writeJson(path.join(dir, 'package.json'), {
    name: `consumer-${path.basename(dir)}`,
    version: '1.0.0',
    private: true,
    type,
  });
}

/**
 * Options every TypeScript project shares: strict, as the repository's own code is written.
 * skipLibCheck is off so the package's .d.ts files are checked too; diagnostics in other packages'
 * declarations are not the package's and the tests set them aside.
 */
const STRICT = {
  target: 'ES2022',
  lib: ['ES2022'],
  types: ['node'],
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  esModuleInterop: true,
  isolatedModules: true,
  skipLibCheck: false,
};

export const TSCONFIG = {
  /** ESM under Node's own resolution; emits JavaScript next to the sources, run with plain node. */
  'ts-node16': { ...STRICT, module: 'node16', moduleResolution: 'node16', resolveJsonModule: true },
  /** What a bundler-based app type-checks with. No output. */
  'ts-bundler': { ...STRICT, module: 'preserve', moduleResolution: 'bundler', noEmit: true },
  /** CommonJS TypeScript: imports compile to require(), types come from the `require` condition's .d.cts. */
  'ts-cjs': { ...STRICT, module: 'node16', moduleResolution: 'node16' },
} as const;

export function writeTsconfig(dir: string, compilerOptions: object): void {
  writeJson(path.join(dir, 'tsconfig.json'), { compilerOptions, include: ['src/**/*.ts'] });
}

/**
 * A module that imports every subpath of the installed package's exports map (so a new subpath is
 * covered without editing the suite) and uses a few of the public types; run, it prints what it got
 * as JSON. No top-level await: the same file compiles as CommonJS.
 */
export function entriesSource(exportsMap: Record<string, unknown>): string {
  const subpaths = Object.keys(exportsMap).filter((s) => !s.endsWith('.json'));
  const spec = (s: string) => (s === '.' ? 'langfuse-cost' : `langfuse-cost/${s.slice(2)}`);
  return `// Written by tests/package/setup-projects.ts: every entry point of the installed package, and a few types.
${subpaths.map((s, i) => `import * as entry${i} from '${spec(s)}';`).join('\n')}
import { CostTracker, type CostResult, calculateCost } from 'langfuse-cost';
import { CostCallbackHandler, type CostCallbackHandlerOptions, type CostEvent } from 'langfuse-cost/langchain';
import { type LangfuseDetailKey, toLangfuseCostDetails } from 'langfuse-cost/langfuse';
import { type NodeCatalogOptions, getNodeCatalog } from 'langfuse-cost/node';
import { CostSpanProcessor, type CostSpanProcessorOptions } from 'langfuse-cost/otel';
import { type Dashboard, listDashboardNames, loadDashboard } from 'langfuse-cost/dashboards';

// gpt-4o: $2.50 per 1M input tokens.
const result: CostResult | null = calculateCost({ model: 'gpt-4o-2024-08-06', usage: { input: 1_000_000 } });
const events: CostEvent[] = [];
const handlerOptions: CostCallbackHandlerOptions = { tracker: new CostTracker(), onCost: (e) => events.push(e) };
const handler = new CostCallbackHandler(handlerOptions);
const processorOptions: CostSpanProcessorOptions = { tracker: false };
const processor = new CostSpanProcessor(processorOptions);
const catalogOptions: NodeCatalogOptions = { priceFiles: [] };
const names: string[] = listDashboardNames();
const first: Promise<Dashboard> = loadDashboard(names[0]!);
const details: Record<string, number> | undefined = result ? toLangfuseCostDetails(result) : undefined;
const key: LangfuseDetailKey = 'input';

void first.then((dashboard) =>
  console.log(
    JSON.stringify({
      total: result?.total,
      details,
      key,
      handler: typeof handler.handleLLMEnd,
      processor: typeof processor.onEnd,
      catalog: typeof getNodeCatalog(catalogOptions).list,
      dashboards: names.length,
      firstDashboard: dashboard.name,
      entries: { ${subpaths.map((s, i) => `'${s}': Object.keys(entry${i}).length`).join(', ')} },
    }),
  ),
);
`;
}

/** Relative module specifiers of a TypeScript source (`../shared/offline.js`, …). */
function relativeImports(code: string): string[] {
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map(
    (m) => m[1]!,
  );
}

/**
 * Copies examples/ (all files but its tsconfig.json, which maps `langfuse-cost` to src/) into
 * `srcDir/examples`, and the files outside examples/ they import by relative path (the loopback
 * servers in tests/helpers/), keeping the repository's layout so the imports hold. Returns the
 * programs: every examples/<name>/main.ts and examples/quickstart/demo.ts.
 */
export function copyPrograms(srcDir: string): ProgramFile[] {
  const examples = path.join(ROOT, 'examples');
  cpSync(examples, path.join(srcDir, 'examples'), {
    recursive: true,
    filter: (f) => path.basename(f) !== 'tsconfig.json',
  });
  const queue = readdirSync(examples, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(examples, f));
  const seen = new Set(queue);
  while (queue.length > 0) {
    const file = queue.pop()!;
    for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      if (seen.has(target)) continue;
      seen.add(target);
      const rel = path.relative(ROOT, target);
      // An import of the sources would bypass the installed package: the examples must use its name.
      if (rel.startsWith(`src${path.sep}`)) throw new Error(`${path.relative(ROOT, file)} imports ${rel}`);
      if (!existsSync(target)) throw new Error(`${path.relative(ROOT, file)} imports ${spec}: no ${rel}`);
      mkdirSync(path.dirname(path.join(srcDir, rel)), { recursive: true });
      cpSync(target, path.join(srcDir, rel));
      queue.push(target);
    }
  }
  const mains = readdirSync(examples, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(examples, d.name, 'main.ts')))
    .map((d) => `examples/${d.name}/main.ts`)
    .sort();
  const demo = 'examples/quickstart/demo.ts';
  return [...mains, ...(existsSync(path.join(ROOT, demo)) ? [demo] : [])].map((source) => ({
    name: source.split('/')[1]!,
    source,
    compiled: path.join(srcDir, source.replace(/\.ts$/, '.js')),
  }));
}

/** Each ```ts block of the docs as its own module in `srcDir/docs`. */
export function writeSnippets(srcDir: string): SnippetFile[] {
  const dir = path.join(srcDir, 'docs');
  mkdirSync(dir, { recursive: true });
  return extractSnippets().map((s) => {
    const source = path.join(dir, path.basename(s.file));
    // `export {}` makes every block a module: own scope, top-level await allowed.
    writeFileSync(source, `${s.code}\n\nexport {};\n`);
    return {
      label: `${s.doc}:${s.line}`,
      doc: s.doc,
      line: s.line,
      flags: s.flags,
      code: s.code,
      source,
      compiled: source.replace(/\.ts$/, '.js'),
    };
  });
}

/** The first README block under the heading that starts with `heading`. */
export function readmeBlock(snippets: SnippetFile[], heading: string): SnippetFile | null {
  const lines = readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n');
  const at = lines.findIndex((l) => l.startsWith(`## ${heading}`));
  if (at < 0) return null;
  const next = lines.findIndex((l, i) => i > at && l.startsWith('## '));
  const end = next < 0 ? lines.length : next + 1;
  return snippets.find((s) => s.doc === 'README.md' && s.line > at + 1 && s.line < end) ?? null;
}

/**
 * The README's OTel block followed by what an app does next: one GenAI span (1000 input and 500
 * output tokens of gpt-4o-mini) and `await sdk.shutdown()`, which flushes it to Langfuse.
 */
export function writeOtelExport(srcDir: string, otel: SnippetFile): string {
  const source = path.join(srcDir, 'readme-otel-export.ts');
  writeFileSync(
    source,
    `${otel.code}

// Appended by tests/package: one GenAI span through the pipeline, then a clean shutdown.
const { trace } = await import('@opentelemetry/api');
trace
  .getTracer('readme')
  .startSpan('chat gpt-4o-mini', {
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 500,
    },
  })
  .end();
await sdk.shutdown();

export {};
`,
  );
  return source.replace(/\.ts$/, '.js');
}
