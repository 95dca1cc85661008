/**
 * The rest of the public surface under the closed error contract, for tests/helpers/error-contract.ts:
 * the exported classes of `langfuse-cost` (constructor and every method), and the pure functions of
 * the `/langfuse`, `/node`, `/dashboards` and `/fleet` entry points. Functions that do I/O (files, network,
 * chDB, the environment's default tracker) are listed in {@link SKIPPED_IO} with why, not fuzzed.
 *
 * Each entry has valid sample arguments: a case either calls it with hostile arguments, or with a
 * sample whose one randomly chosen node (the root, an argument, a nested field) is replaced by a
 * hostile value — the only way random input reaches past an importer's first check.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as dashboards from '../../src/dashboards/index.js';
import * as fleet from '../../src/fleet/index.js';
import * as root from '../../src/index.js';
import {
  CostAggregate,
  compileSafeRegex,
  ExportWriter,
  LedgerLineEncoder,
  LogHistogram,
  LogSink,
  PriceCatalog,
  TypedEmitter,
  ZonedCalendar,
} from '../../src/index.js';
import * as langchain from '../../src/langchain/index.js';
import * as langfuse from '../../src/langfuse/index.js';
import { toLedgerLine } from '../../src/ledger/line.js';
import * as node from '../../src/node/index.js';
import * as otel from '../../src/otel/index.js';
import { CallSample } from '../../src/tracker/aggregate.js';
import { USAGE_BUCKETS } from '../../src/usage/token-usage.js';
import { type HostileSpec, hostileSpec, materialize } from './hostile.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/prices/${name}`, import.meta.url), 'utf8'));

/** Small valid documents of each price format (the fixtures, cut to a few records). */
function cut(v: unknown, n: number): unknown {
  if (Array.isArray(v)) return v.slice(0, n);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).slice(0, n));
  return v;
}
export const SAMPLE_LITELLM = cut(fixture('litellm-sample.json'), 6);
export const SAMPLE_GENAI = (fixture('genai-prices-v2-sample.json') as unknown[])
  .slice(0, 2)
  .map((p) => ({ ...(p as object), models: ((p as { models: unknown[] }).models ?? []).slice(0, 3) }));
export const SAMPLE_LANGFUSE = cut(fixture('langfuse-default-model-prices.json'), 3);
export const SAMPLE_LANGFUSE_API = { data: cut(fixture('langfuse-api-models.json'), 2), meta: { page: 1 } };
export const SAMPLE_CATALOG = {
  version: 1,
  models: [
    {
      id: 'gpt-4o',
      provider: 'openai',
      prices: { input: 2.5, cacheRead: 1.25, output: 10 },
      contextTiers: [{ above: 200_000, prices: { input: 5, output: 20 } }],
      serviceTiers: { batch: { multiplier: 0.5 } },
    },
    {
      id: 'claude-x',
      provider: 'anthropic',
      prices: { input: 3, output: 15 },
      match: { regex: '^claude-x' },
    },
  ],
  deployments: { prod: 'gpt-4o' },
  providers: { openai: { aliases: ['oai'] } },
};

/** A function or method with sample argument lists. */
export interface SurfaceEntry {
  name: string;
  call: (args: unknown[]) => unknown;
  samples: unknown[][];
}

const DASHBOARD_TEXT = `-- Title: Cost by model
-- Answers: which models cost most
-- Params:
--   from DateTime64(3) = -30d         window start
--   limit UInt32 = 25                 rows
-- Columns:
--   model   the model
SELECT model FROM calls WHERE ts >= {from:DateTime64(3)} LIMIT {limit:UInt32}
`;
const QUERY_RESULT = {
  columns: [
    { name: 'model', type: 'String' },
    { name: 'cost', type: 'Decimal64(6)' },
  ],
  rows: [{ model: 'gpt-4o', cost: 1.5 }],
  elapsedMs: 3,
};
const DASHBOARD = dashboards.parseDashboard('cost-by-model', DASHBOARD_TEXT);
const COST_RESULT = {
  model: 'gpt-4o',
  provider: 'openai',
  usage: { input: 10, output: 5 },
  costs: { input: 0.000025, output: 0.00005 },
  total: 0.000075,
  totalPico: 75_000_000,
  currency: 'USD',
};
const LF_MODEL = (SAMPLE_LANGFUSE as unknown[])[0];
const CAT_MODEL = SAMPLE_CATALOG.models[0];

const silentLog = () => {};
const SILENT = { debug: silentLog, info: silentLog, warn: silentLog, error: silentLog };
const RECORD = {
  id: 'r1',
  startTime: 1_700_000_000_000,
  endTime: 1_700_000_000_812,
  durationMs: 812,
  model: 'gpt-4o',
  resolvedModel: 'gpt-4o',
  provider: 'openai',
  usage: { ...Object.fromEntries(USAGE_BUCKETS.map((b) => [b, 0])), input: 10, output: 5 },
  costs: { input: 0.000025, output: 0.00005 },
  total: 0.000075,
  totalPico: 75_000_000,
  source: 'catalog',
  estimated: false,
  tier: 'standard',
  status: 'success',
  tags: ['a'],
  metadata: { k: 'v' },
};

const LEDGER_LINE = toLedgerLine(RECORD as never);

/**
 * A small ledger in a temp dir for the ledger functions of /node: one rotated file and the active
 * file, one line each (so a parallel read never has enough to share with a worker thread), and a
 * directory for the sink's writes. Hostile paths are rejected before any I/O or are read-only lookups.
 */
export const LEDGER_DIR = mkdtempSync(join(tmpdir(), 'lfc-contract-'));
export const LEDGER = join(LEDGER_DIR, 'ledger.jsonl');
export const SINK_PATH = join(LEDGER_DIR, 'sink', 'ledger.jsonl');
writeFileSync(join(LEDGER_DIR, 'ledger.2023-11-14.1.jsonl'), `${JSON.stringify(LEDGER_LINE)}\n`);
writeFileSync(LEDGER, `${JSON.stringify({ ...LEDGER_LINE, id: 'r2' })}\n`);
mkdirSync(join(LEDGER_DIR, 'sink'));
process.once('exit', () => rmSync(LEDGER_DIR, { recursive: true, force: true }));
const LEDGER_READ = { from: '2020-01-01', to: '2030-01-01', activeOnly: false, onWarning: silentLog };
const LEDGER_REPORT = {
  ...LEDGER_READ,
  groupBy: 'model',
  timeZone: 'Europe/Berlin',
  maxGroups: 100,
  top: 5,
};

/** Pure functions of the subpath entry points, with samples (the rest get hostile arguments only). */
const SUBPATH_SAMPLES: Record<string, unknown[][]> = {
  readRunMetadata: [[{ langfuseSessionId: 's1', langfuseUserId: 'u1', tags: ['a'] }]],
  attributionFromLangChain: [[{ userId: 'u0' }, { langfuseSessionId: 's1' }, ['t'], 'chain']],
  attributionFromRunMetadata: [[{ userId: 'u0' }, { sessionId: 's1', tags: ['a'] }, ['t'], 'chain']],
  isLangChainInternalTag: [['seq:step:2'], ['team-a']],
  toLangfuseCostDetails: [[COST_RESULT]],
  toLangfuseUsageDetails: [[{ input: 10, output: 5, cacheRead: 2 }]],
  legacyGenerationCostFields: [[{ result: COST_RESULT, usage: { input: 1 } }]],
  attachCostToLegacyLangfuse: [[{ langfuse: { enqueue() {} } }, { waitMs: 10 }]],
  buildMatchPattern: [
    ['gpt-4o', 'openai'],
    ['claude-x', 'anthropic', ['claude-x-1']],
  ],
  compileMatchPattern: [['(?i)^(openai/)?(gpt-4o)$']],
  buildPricingTiers: [[CAT_MODEL]],
  excludeNames: [['(?i)^gpt-4o$', ['gpt-4o-mini']]],
  patternConflicts: [['(?i)^gpt-4o$', [LF_MODEL]]],
  toLangfuseModelDefinition: [[CAT_MODEL], [CAT_MODEL, { provider: 'openai' }]],
  remoteDefaultPrices: [[LF_MODEL]],
  findMatchingDefinition: [[[LF_MODEL], 'gpt-4o']],
  compareDefinitions: [[LF_MODEL, LF_MODEL]],
  diffModelDefinitions: [[SAMPLE_CATALOG.models, [LF_MODEL]]],
  langfuseCredentialsFromEnv: [[{ LANGFUSE_PUBLIC_KEY: 'pk-lf-1', LANGFUSE_SECRET_KEY: 'sk-lf-1' }]],
  usageFromLangfuseDetails: [[{ input: 10, output: 5, total: 15 }]],
  repriceObservation: [
    [
      {
        id: 'o1',
        model: 'gpt-4o',
        startTime: '2026-06-01T00:00:00Z',
        usageDetails: { input: 10, output: 5 },
        costDetails: { total: 1 },
      },
      { catalog: PriceCatalog.fromData(SAMPLE_CATALOG as never) },
    ],
  ],
  buildCostUpdateEvents: [[[], { now: 0 }]],
  parseFallbackPrice: [['input=1,output=2'], ['1/2']],
  parseBytes: [['10MB']],
  parseThreshold: [['80%']],
  parseUsd: [['$1.50']],
  trackerConfigFromEnv: [[{ LANGFUSE_COST_BUDGET_DAILY: '5' }]],
  splitPriceFileList: [['a.json,b.json']],
  modelKey: [[CAT_MODEL]],
  flattenPrices: [[CAT_MODEL]],
  diffModel: [[CAT_MODEL, SAMPLE_CATALOG.models[1]]],
  diffCatalogs: [[SAMPLE_CATALOG, SAMPLE_CATALOG]],
  isEmptyDiff: [[{ added: [], removed: [], changed: [] }]],
  redactUrl: [['https://user:pw@example.com/x?token=1']],
  findHostileValues: [[SAMPLE_LITELLM, 'litellm']],
  assertNoHostileValues: [[SAMPLE_LITELLM, 'litellm', 'here']],
  assertValidCatalog: [[SAMPLE_CATALOG, 'here', 1]],
  assertNotShrunk: [[SAMPLE_CATALOG, SAMPLE_CATALOG, 'here']],
  mergeKeepingRemoved: [[SAMPLE_CATALOG, SAMPLE_CATALOG]],
  resolveSource: [['litellm'], [undefined]],
  detectRawFormat: [[SAMPLE_LITELLM], [SAMPLE_GENAI]],
  importRaw: [[SAMPLE_LITELLM, 'litellm', { name: 'x' }]],
  resolveCacheDir: [[{ LANGFUSE_COST_CACHE_DIR: '/tmp/x' }]],
  syncedCatalogPath: [['/tmp/x']],
  syncMetaPath: [['/tmp/x']],
  resolveUserPricesPath: [[{ HOME: '/tmp' }]],
  defaultUserPricesPath: [[{ HOME: '/tmp' }]],
  findPlaceholders: [['SELECT {a:String}, {b:UInt32}']],
  parseDashboard: [['cost-by-model', DASHBOARD_TEXT]],
  stripSqlComments: [['SELECT 1 -- x\n/* y */']],
  withSourceCtes: [['SELECT 1', 'calls AS (SELECT 1)']],
  formatUsdCell: [[1.5]],
  formatTable: [[QUERY_RESULT]],
  formatCsv: [[QUERY_RESULT]],
  formatJson: [[QUERY_RESULT]],
  formatResult: [[QUERY_RESULT, 'table']],
  usdTick: [[0.5]],
  renderHtmlReport: [[[{ dashboard: DASHBOARD, result: QUERY_RESULT }], { source: 'local', generatedAt: 0 }]],
  bindParams: [[DASHBOARD, { from: '-7d', limit: 10 }]],
  formatEpochParam: [[1_700_000_000_000]],
  formatParamValue: [[DASHBOARD.params[0], '-7d', 1_700_000_000_000]],
  parseTimeValue: [['-7d', 1_700_000_000_000]],
  sqlForSource: [[DASHBOARD, { ctes: 'calls AS (SELECT 1)' }]],
  // /node's ledger: reads of the temp ledger, its file names, the time and report helpers.
  scanLedger: [
    [LEDGER, LEDGER_READ, () => {}],
    [LEDGER, {}, () => {}],
  ],
  aggregateLedger: [
    [LEDGER, LEDGER_REPORT],
    [LEDGER, { groupBy: 'day', timeZone: 'UTC' }],
  ],
  ledgerBudgetStatus: [
    [
      LEDGER,
      { daily: 1, monthly: { limit: 10, warning: 0.5 }, perUser: { limit: 0.5, period: 'month' } },
      { now: 1_700_000_000_000, top: 3, timeZone: 'UTC', window: { from: 0 }, onWarning: silentLog },
    ],
  ],
  listLedgerFiles: [[LEDGER]],
  nextRotationSeq: [[LEDGER, '2023-11-14']],
  rotatedPath: [[LEDGER, '2026-01-01', 2]],
  splitLedgerName: [[LEDGER]],
  parseTime: [['7d', 'from'], [1_700_000_000_000, 'to'], ['2026-11-01T10:00:00Z']],
  dayOfFunction: [['Europe/Berlin'], ['UTC']],
  sampleFromLine: [[new CallSample(), LEDGER_LINE]],
};

/**
 * The async readers of /node's ledger, fuzzed by an async property (tests/helpers/error-contract.ts):
 * the generator is drained, the promise awaited.
 */
export function asyncLedgerEntries(): SurfaceEntry[] {
  return [
    {
      name: 'node:readLedger',
      call: async (a) => {
        for await (const _ of node.readLedger(...(a as [never, never]))) {
          // drain
        }
      },
      samples: [[LEDGER, LEDGER_READ], [LEDGER]],
    },
    {
      name: 'node:aggregateLedgerParallel',
      call: (a) => node.aggregateLedgerParallel(...(a as [never, never])),
      samples: [[LEDGER, { ...LEDGER_REPORT, threads: 2, minBytes: 1e12 }], [LEDGER]],
    },
  ];
}

/** Functions fuzzed by the async property, not the synchronous one. */
const ASYNC = new Set(['readLedger', 'aggregateLedgerParallel']);

/**
 * Exported functions of the subpath entry points that are not fuzzed, with why: they read or write
 * files, open sockets or a chDB session, or read/replace process-wide state (the default tracker
 * and catalog, which would leak between cases). Their argument checks are covered by their own tests.
 */
export const SKIPPED_IO: Readonly<Record<string, string>> = {
  // /langchain
  registerCostCallbackHandler: 'process-wide state (the async-context handler of LangChain)',
  unregisterCostCallbackHandler: 'process-wide state (the async-context handler of LangChain)',
  // /langfuse
  planReprice: 'async, calls the Langfuse API',
  planLangfuseReprice: 'async, calls the Langfuse API',
  applyLangfuseReprice: 'async, calls the Langfuse API',
  toMillisIso: 'internal (not exported by the entry point)',
  // /node
  flushAtExit: 'process-wide exit hooks (it only adds to a Set; the hook catches what flushSync throws)',
  forgetAtExit: 'process-wide exit hooks (it only deletes from a Set)',
  getNodeCatalog: 'reads price files and the synced cache from disk',
  resetNodeCatalog: 'process-wide state',
  createTrackerFromEnv: 'opens a ledger file',
  getDefaultTracker: 'process-wide state, opens a ledger file',
  setDefaultTracker: 'process-wide state',
  loadPriceFile: 'reads a file',
  loadPriceFileSync: 'reads a file',
  loadPriceFilesFromEnv: 'reads files',
  loadPriceFilesFromEnvSync: 'reads files',
  writeFileAtomic: 'writes a file',
  autoRefresh: 'timers and network',
  getCacheStats: 'reads the cache directory',
  clearCache: 'deletes files',
  downloadPriceFile: 'network',
  readSyncMeta: 'reads a file',
  writeSyncMeta: 'writes a file',
  readSyncedCatalog: 'reads a file',
  writeSyncedCatalog: 'writes a file',
  repriceLedger: 'reads and writes the ledger',
  syncPrices: 'network and files',
  setUserPrice: 'writes the user price file',
  installNodeAdapterDefaults: "process-wide state (the adapters' default catalog and tracker)",
  unsetUserPrice: 'writes the user price file',
  // /dashboards
  dashboardsDir: 'locates the installed dashboards directory',
  listDashboardNames: 'reads a directory',
  loadDashboards: 'reads files',
  loadDashboard: 'reads a file',
  readDashboardAsset: 'reads a file',
  runDashboard: 'runs SQL on chDB or ClickHouse',
  runDashboards: 'runs SQL on chDB or ClickHouse',
  createChdbSource: 'opens a chDB session',
  loadChdb: 'loads the chDB native module',
  openLocalSource: 'opens a chDB session on the ledger',
  openClickHouseSource: 'network',
  openSource: 'opens chDB or ClickHouse',
  defaultLedgerPath: 'reads the environment and the working directory',
  // /fleet
  attachAlerts: 'subscribes to a tracker and starts delivery queues (timers, network)',
  attachAlertsFromEnv: 'reads the environment; subscribes and starts delivery queues',
};

function functionsOf(mod: Record<string, unknown>, label: string): SurfaceEntry[] {
  return Object.entries(mod)
    .filter(([k, v]) => typeof v === 'function' && !/^[A-Z]/.test(k) && !(k in SKIPPED_IO) && !ASYNC.has(k))
    .map(([k, v]) => ({
      name: `${label}:${k}`,
      call: (args: unknown[]) => (v as (...a: unknown[]) => unknown)(...args),
      samples: SUBPATH_SAMPLES[k] ?? [],
    }));
}

/** The pure functions of `/langchain`, `/otel`, `/langfuse`, `/node`, `/dashboards` and `/fleet`. */
export function subpathFunctions(): SurfaceEntry[] {
  return [
    ...functionsOf(langchain as never, 'langchain'),
    ...functionsOf(otel as never, 'otel'),
    ...functionsOf(langfuse as never, 'langfuse'),
    ...functionsOf(node as never, 'node'),
    ...functionsOf(dashboards as never, 'dashboards'),
    ...functionsOf(fleet as never, 'fleet'),
  ];
}

/** A method of an exported class: a fresh instance each case, then the method. */
function methods<T extends object>(
  cls: string,
  make: () => T,
  table: Record<string, unknown[][]>,
): SurfaceEntry[] {
  return Object.entries(table).map(([method, samples]) => ({
    name: `${cls}.${method}`,
    call: (args: unknown[]) => {
      const o = make() as Record<string, (...a: unknown[]) => unknown>;
      return o[method]!(...args);
    },
    samples,
  }));
}

/** Constructors and methods of the exported classes of `langfuse-cost` (and /langfuse's adapter). */
export function classEntries(): SurfaceEntry[] {
  const catalog = () => PriceCatalog.fromData(SAMPLE_CATALOG as never);
  return [
    {
      name: 'new PriceCatalog',
      call: (a) => new PriceCatalog(a[0] as never),
      samples: [
        [
          {
            memoLimit: 10,
            freeProviders: ['ollama'],
            layers: [{ layer: 'user', data: SAMPLE_CATALOG }],
            fallback: { input: 1 },
          },
        ],
      ],
    },
    {
      name: 'PriceCatalog.fromData',
      call: (a) => PriceCatalog.fromData(...(a as [never])),
      samples: [[SAMPLE_CATALOG], [SAMPLE_CATALOG, 'user', 'x.json']],
    },
    ...methods('PriceCatalog', catalog, {
      addLayer: [['user', SAMPLE_CATALOG, 'x.json']],
      setLayer: [
        ['synced', [SAMPLE_CATALOG]],
        ['synced', null],
      ],
      override: [[CAT_MODEL], [[CAT_MODEL]], [SAMPLE_CATALOG]],
      merge: [[catalog()]],
      setFallback: [[{ input: 1, output: 2 }], [null]],
      canonicalProvider: [['OpenAI']],
      sources: [[]],
      stats: [[]],
      resolveMemo: [['gpt-4o', 'openai']],
    }),
    { name: 'new CostAggregate', call: () => new CostAggregate(), samples: [[]] },
    ...methods('CostAggregate', () => new CostAggregate(), {
      add: [[]],
      merge: [[new CostAggregate()]],
      addValue: [[10]],
      mergeHistogram: [[new LogHistogram()]],
      quantile: [[0.5]],
      quantiles: [[[0.5, 0.9]]],
      totalPico: [[]],
      approxPico: [[]],
      summary: [[]],
    }),
    ...methods('LogHistogram', () => new LogHistogram(), {
      addValue: [[10], [10, 3]],
      mergeHistogram: [[new LogHistogram()]],
      quantile: [[0.5]],
      quantiles: [[[0.5, 0.9]]],
    }),
    ...methods(
      'TypedEmitter',
      () => {
        const e = new TypedEmitter<Record<string, (...a: unknown[]) => void>>();
        e.on('alert', () => {});
        return e;
      },
      {
        on: [['alert', () => {}]],
        once: [['alert', () => {}]],
        off: [['alert', () => {}]],
        listenerCount: [['alert']],
        emit: [['alert', { level: 'warning' }]],
      },
    ),
    {
      name: 'new ZonedCalendar',
      call: (a) => new ZonedCalendar(a[0] as never),
      samples: [['Europe/Berlin'], []],
    },
    ...methods('ZonedCalendar', () => new ZonedCalendar('Europe/Berlin'), {
      period: [
        [1_700_000_000_000, 'day'],
        [1_700_000_000_000, 'month'],
      ],
      dayStart: [['2026-03-29']],
      dateOf: [[1_700_000_000_000]],
      wallTime: [[2026, 3, 29, 2, 30]],
    }),
    {
      name: 'new LogSink',
      call: (a) => new LogSink(a[0] as never),
      samples: [[{ log: silentLog }], [{ log: { info: silentLog }, level: 'info' }]],
    },
    ...methods('LogSink', () => new LogSink({ log: silentLog }), { write: [[RECORD]] }),
    {
      name: 'new LedgerLineEncoder',
      call: (a) => new LedgerLineEncoder(...(a as [never])),
      samples: [['local', 1024], []],
    },
    ...methods('LedgerLineEncoder', () => new LedgerLineEncoder('local', 256), {
      line: [[RECORD]],
      newline: [[]],
      take: [[0]],
    }),
    {
      name: 'new ExportWriter',
      call: (a) => new ExportWriter(...(a as [never, never, never])),
      samples: [
        ['csv', () => {}],
        ['json', () => {}, { excelSafe: true }],
      ],
    },
    ...methods('ExportWriter', () => new ExportWriter('json', () => {}), {
      add: [[LEDGER_LINE]],
      end: [[]],
    }),
    ...methods(
      'SafeRegex',
      () => {
        const r = compileSafeRegex('^(claude|gpt)-x');
        if (!r.ok) throw new Error('the sample pattern compiles');
        return r.regex;
      },
      { test: [['claude-x-1'], ['x'.repeat(100)]] },
    ),
    {
      name: 'new CostCallbackHandler',
      call: (a) => new langchain.CostCallbackHandler(a[0] as never),
      samples: [
        [{ catalog: catalog(), logger: SILENT, maxOpenRuns: 10, staleRunMs: 1000, traceRuns: false }],
      ],
    },
    {
      name: 'new CostSpanProcessor',
      call: (a) => new otel.CostSpanProcessor(a[0] as never),
      samples: [[{ catalog: catalog(), logger: SILENT, overwrite: true }]],
    },
    {
      // Constructing opens nothing (the file is opened on the first flush), so hostile paths are safe.
      name: 'new JsonlLedgerSink',
      call: (a) => new node.JsonlLedgerSink(a[0] as never),
      samples: [
        [
          {
            path: SINK_PATH,
            flushOnExit: false,
            flushIntervalMs: 50,
            batchSize: 10,
            maxQueued: 100,
            maxWriteBytes: 8192,
            rotate: { maxBytes: 1e9, daily: false },
            fsync: false,
            logger: SILENT,
            projectId: 'p',
          },
        ],
      ],
    },
    {
      name: 'new LangfuseCostAdapter',
      call: (a) => new langfuse.LangfuseCostAdapter(a[0] as never, a[1] as never),
      samples: [[{ handleOtelSpanEnd() {} }, { maxPending: 10, pendingMs: 100 }]],
    },
    {
      name: 'new LegacyLangfuseCostAdapter',
      call: (a) => new langfuse.LegacyLangfuseCostAdapter(a[0] as never),
      samples: [[{}]],
    },
  ];
}

/** Functions of `langfuse-cost` that walk documents, with valid samples to damage. */
const ROOT_SAMPLES: Record<string, unknown[][]> = {
  importAny: [
    [SAMPLE_LITELLM],
    [SAMPLE_GENAI, 'x.json'],
    [SAMPLE_LANGFUSE],
    [SAMPLE_LANGFUSE_API],
    [SAMPLE_CATALOG],
    [SAMPLE_LITELLM, 'x', { format: 'litellm', onStats: () => {} }],
  ],
  importLiteLLM: [[SAMPLE_LITELLM], [SAMPLE_LITELLM, { onStats: () => {}, source: { name: 'x' } }]],
  importGenaiPrices: [[SAMPLE_GENAI]],
  importLangfuseModels: [[SAMPLE_LANGFUSE], [SAMPLE_LANGFUSE_API]],
  detectPriceFormat: [
    [SAMPLE_LITELLM],
    [SAMPLE_GENAI],
    [SAMPLE_LANGFUSE],
    [SAMPLE_LANGFUSE_API],
    [SAMPLE_CATALOG],
  ],
  validateCatalog: [[SAMPLE_CATALOG, 'x.json']],
  collectCatalogIssues: [[SAMPLE_CATALOG]],
  decomposeModelName: [['openrouter/openai/gpt-4o-2024-08-06:free'], ['us.anthropic.claude-x-v1:0']],
  parseTimeSpec: [
    ['7d', { now: 1_700_000_000_000 }],
    ['2026-03-29T02:30', { now: 0, calendar: new ZonedCalendar('Europe/Berlin'), day: 'end' }],
    ['today', { now: 1_700_000_000_000, day: 'start' }],
  ],
  convertMatchRule: [[{ or: [{ starts_with: 'a' }, { regex: '^b' }] }]],
  inferProvider: [['gpt-4o', '(?i)^gpt-4o$']],
  litellmProviderId: [['vertex_ai-language-models']],
};

/** Every function of `langfuse-cost` with samples (the rest are fuzzed with hostile arguments only). */
export function rootSampledFunctions(): SurfaceEntry[] {
  return Object.entries(ROOT_SAMPLES)
    .filter(([k]) => typeof (root as Record<string, unknown>)[k] === 'function')
    .map(([k, samples]) => ({
      name: k,
      call: (args: unknown[]) =>
        ((root as Record<string, unknown>)[k] as (...a: unknown[]) => unknown)(...args),
      samples,
    }));
}

/** `JsonlLedgerSink.write` (then a flush and close): never throws, whatever the record. */
export const SINK_WRITE: SurfaceEntry = {
  name: 'JsonlLedgerSink.write',
  call: (a) => {
    const sink = new node.JsonlLedgerSink({ path: SINK_PATH, flushOnExit: false, logger: SILENT });
    sink.write(a[0] as never);
    sink.flushSync();
    const h = sink.health();
    void sink.close();
    return h;
  },
  samples: [[RECORD]],
};

/** One case: hostile arguments, or a sample with one node replaced by a hostile value. */
export interface SurfaceCase {
  entry: number;
  sample: number;
  /** Which node of [args] to replace (pre-order index, modulo the node count); null: all hostile. */
  node: number | null;
  value: HostileSpec;
  args: HostileSpec[];
}

export const surfaceCase = (entries: number): fc.Arbitrary<SurfaceCase> =>
  fc.record({
    entry: fc.nat(entries - 1),
    sample: fc.nat(7),
    node: fc.option(fc.nat(10_000), { freq: 4 }),
    value: hostileSpec,
    args: fc.array(hostileSpec, { maxLength: 4 }),
  });

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
  return v;
}

/** The arguments of a case (fresh values each time). */
export function argsOf(e: SurfaceEntry, c: SurfaceCase): unknown[] {
  if (c.node === null || e.samples.length === 0) return c.args.map(materialize);
  const args = clone(e.samples[c.sample % e.samples.length]) as unknown[];
  // Pre-order walk of plain arrays and objects; node 0 is the argument list itself (then it is
  // replaced by a list holding the hostile value).
  const slots: { parent: Record<string | number, unknown>; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (slots.length > 500) return;
    if (Array.isArray(v) || (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)) {
      for (const k of Object.keys(v as object)) {
        slots.push({ parent: v as Record<string, unknown>, key: k });
        walk((v as Record<string, unknown>)[k]);
      }
    }
  };
  walk(args);
  const i = c.node % (slots.length + 1);
  if (i === slots.length) return [materialize(c.value)];
  const s = slots[i]!;
  s.parent[s.key] = materialize(c.value);
  return args;
}
