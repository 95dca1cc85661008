import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ChildRun, installedPackage, runBin, runNode, specifierOf } from './context.js';
import { packageSuite } from './suite.js';

// Every entry of the installed package's exports map, loaded with require() in a CommonJS project and
// with import in an ESM project, each in its own plain-node process (one entry alone, as an app that
// uses only that one would load it). Then a cost from each, and the bin.

const suite = packageSuite();
const { cjs, esm } = suite.projects;

interface Target {
  import: { types: string; default: string };
  require: { types: string; default: string };
}
const installed = JSON.parse(readFileSync(path.join(installedPackage(cjs), 'package.json'), 'utf8')) as {
  exports: Record<string, Target | string>;
};
const subpaths = Object.keys(installed.exports);

/** A few names each entry must export, with their `typeof` (from src/*\/index.ts). */
const EXPECTED: Record<string, Record<string, string>> = {
  '.': {
    calculateCost: 'function',
    PriceCatalog: 'function',
    CostTracker: 'function',
    formatUsd: 'function',
    BudgetExceededError: 'function',
  },
  './langchain': { CostCallbackHandler: 'function', registerCostCallbackHandler: 'function' },
  './langchain/portable': { CostCallbackHandler: 'function', registerCostCallbackHandler: 'function' },
  './otel': { CostSpanProcessor: 'function', COST_ATTR: 'object', attachCostMetrics: 'function' },
  './otel/portable': { CostSpanProcessor: 'function', COST_ATTR: 'object', attachCostMetrics: 'function' },
  './langfuse': {
    LegacyLangfuseCostAdapter: 'function',
    toLangfuseCostDetails: 'function',
    LangfusePublicApi: 'function',
  },
  './node': { getNodeCatalog: 'function', JsonlLedgerSink: 'function', loadPriceFileSync: 'function' },
  './dashboards': { runDashboards: 'function', openLocalSource: 'function', listDashboardNames: 'function' },
  './fleet': {
    attachAlerts: 'function',
    webhookChannel: 'function',
    emailChannel: 'function',
    redisBudgetStore: 'function',
  },
};

/** What a probe process reports about one entry. */
interface Probe {
  version: string;
  execArgv: string[];
  nodeOptions: string | null;
  resolved?: string;
  exports?: Record<string, string>;
  error?: string;
}

// The probes: a user's file in each project, loading the entry named on its command line.
const PROBE_CJS = `const spec = process.argv[2];
const out = { version: process.version, execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS ?? null };
try {
  const m = require(spec);
  out.resolved = require.resolve(spec);
  out.exports = Object.fromEntries(Object.keys(m).map((k) => [k, typeof m[k]]));
} catch (e) {
  // The error, then where it happened (for a SyntaxError, the offending line of the file).
  out.error = [String(e), ...String(e?.stack ?? '').split('\\n').slice(0, 3)].join('\\n');
}
console.log(JSON.stringify(out));
`;
const PROBE_ESM = `import { fileURLToPath } from 'node:url';
const spec = process.argv[2];
const out = { version: process.version, execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS ?? null };
try {
  const m = await import(spec, spec.endsWith('.json') ? { with: { type: 'json' } } : undefined);
  out.resolved = fileURLToPath(import.meta.resolve(spec));
  out.exports = Object.fromEntries(Object.keys(m).map((k) => [k, typeof m[k]]));
} catch (e) {
  // The error, then where it happened (for a SyntaxError, the offending line of the file).
  out.error = [String(e), ...String(e?.stack ?? '').split('\\n').slice(0, 3)].join('\\n');
}
console.log(JSON.stringify(out));
`;

const FORMATS = [
  { project: cjs, how: 'require' as const, probe: 'probe-entry.js', source: PROBE_CJS },
  { project: esm, how: 'import' as const, probe: 'probe-entry.js', source: PROBE_ESM },
];

beforeAll(() => {
  for (const f of FORMATS) writeFileSync(path.join(f.project, f.probe), f.source);
});

// One process per (format, entry), started once and shared by the tests that look at it.
const probes = new Map<string, Promise<Probe>>();
function probe(f: (typeof FORMATS)[number], subpath: string): Promise<Probe> {
  const key = `${f.how} ${subpath}`;
  if (!probes.has(key))
    probes.set(
      key,
      runNode(f.project, f.probe, { args: [specifierOf(subpath)] }).then((r: ChildRun) => {
        if (r.code !== 0) throw new Error(`probe exited ${r.code}: ${r.stderr}`);
        return JSON.parse(r.stdout) as Probe;
      }),
    );
  return probes.get(key)!;
}

describe('installing the tarball', () => {
  it.each(Object.keys(suite.projects))(
    '%s: no install-script warning, the copy in its node_modules',
    (name) => {
      const { output } = suite.installs[name as keyof typeof suite.installs];
      // npm warns about lifecycle scripts (e.g. `prepare`) of a package it installs; ours has none.
      expect(output).not.toMatch(/install-scripts|install script|prepare|preinstall|postinstall/i);
      const dir = suite.projects[name as keyof typeof suite.projects];
      const pkg = JSON.parse(readFileSync(path.join(installedPackage(dir), 'package.json'), 'utf8'));
      expect(pkg.name).toBe('langfuse-cost');
      expect(pkg.scripts?.prepare).toBeUndefined();
      expect(pkg.scripts?.install).toBeUndefined();
      expect(pkg.scripts?.postinstall).toBeUndefined();
    },
  );

  it('the exports map has every entry the suite knows', () => {
    for (const sub of Object.keys(EXPECTED)) expect(subpaths).toContain(sub);
  });
});

for (const f of FORMATS) {
  describe(`${f.how}() in a "type": "${f.how === 'require' ? 'commonjs' : 'module'}" project, plain node`, () => {
    it.concurrent.each(subpaths.map((s) => [specifierOf(s), s]))(`${f.how}('%s')`, async (_spec, subpath) => {
      const p = await probe(f, subpath);
      expect(p.error, `${specifierOf(subpath)}`).toBeUndefined();
      // Plain node (the one running the suite): no loader, no flags.
      expect(p.version).toBe(process.version);
      expect(p.execArgv).toEqual([]);
      expect(p.nodeOptions).toBeNull();
      // From the project's own node_modules, by the exports map's condition for this loader.
      const target = installed.exports[subpath]!;
      const file = typeof target === 'string' ? target : target[f.how].default;
      expect(realpathSync(p.resolved!)).toBe(realpathSync(path.join(installedPackage(f.project), file)));
      if (subpath.endsWith('.json')) return;
      const functions = Object.entries(p.exports!).filter(([, t]) => t === 'function');
      expect(functions.length, 'exported functions').toBeGreaterThan(0);
      const expected = EXPECTED[subpath] ?? {};
      expect(Object.fromEntries(Object.keys(expected).map((k) => [k, p.exports![k]]))).toEqual(expected);
    });
  });
}

describe('CommonJS and ESM builds', () => {
  it.concurrent.each(subpaths.filter((s) => !s.endsWith('.json')))(
    '%s exports the same names',
    async (sub) => {
      const [c, e] = await Promise.all(FORMATS.map((f) => probe(f, sub)));
      expect([c!.error, e!.error]).toEqual([undefined, undefined]);
      expect(Object.keys(c!.exports ?? {}).sort()).toEqual(Object.keys(e!.exports ?? {}).sort());
    },
  );
});

// gpt-4o-2024-08-06: $2.50 per 1M input tokens, $10 per 1M output tokens.
const GPT4O_COST = `const r = calculateCost({ model: 'gpt-4o-2024-08-06', usage: { input: 1000000, output: 100000 } });
console.log(JSON.stringify({ total: r.total, pico: String(r.totalPico), source: r.source }));
`;

describe('calculateCost with the bundled prices', () => {
  it.concurrent.each([
    ['require', cjs, 'cost.js', `const { calculateCost } = require('langfuse-cost');\n${GPT4O_COST}`],
    ['import', esm, 'cost.js', `import { calculateCost } from 'langfuse-cost';\n${GPT4O_COST}`],
  ])('%s: 1M input + 100k output tokens of gpt-4o = $3.50', async (_how, project, file, code) => {
    writeFileSync(path.join(project, file), code);
    const r = await runNode(project, file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // 1,000,000 × $2.50/1M + 100,000 × $10/1M
    expect(JSON.parse(r.stdout)).toEqual({ total: 3.5, pico: '3500000000000', source: 'catalog' });
  });
});

describe('the bin (node_modules/.bin/langfuse-cost)', () => {
  it.concurrent.each([
    ['commonjs', cjs],
    ['module', esm],
  ])('in a "type": "%s" project: price gpt-4o-mini 1M in + 1M out = $0.75', async (_type, project) => {
    const r = await runBin(project, [
      'price',
      'gpt-4o-mini-2024-07-18',
      '--input',
      '1000000',
      '--output',
      '1000000',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // gpt-4o-mini: $0.15 input, $0.60 output per 1M tokens.
    expect(JSON.parse(r.stdout).totalPico).toBe(750_000_000_000);
  });
});
