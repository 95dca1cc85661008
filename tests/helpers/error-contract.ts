/**
 * The properties of the closed error contract, shared by tests/unit/error-contract.test.ts (a few
 * hundred cases each, in `npm test`) and scripts/fuzz.ts (`npm run fuzz`, ≥ 100k cases).
 *
 * Each property counts its cases and its failures instead of stopping at the first one, so the
 * fuzzer can print totals: a failure is a call that threw something other than a
 * `LangfuseCostError` (or, for the adapters, anything at all), or returned a value outside its
 * documented shape, or left the tracker unable to report (`stats()`, `budgetStatus()`, exports).
 */
import fc from 'fast-check';
import { LangfuseCostError } from '../../src/errors.js';
import * as root from '../../src/index.js';
import { CostCallbackHandler } from '../../src/langchain/cost-callback-handler.js';
import { getLogger, setLogger } from '../../src/logger.js';
import { CostSpanProcessor } from '../../src/otel/cost-span-processor.js';
import {
  calculateCost,
  canonicalProvider,
  formatUsd,
  PriceCatalog,
  parseServiceTier,
  picoToDecimalString,
  picoToUsd,
  sumCosts,
  usdToPico,
} from '../../src/pricing/index.js';
import { CostTracker } from '../../src/tracker/tracker.js';
import { normalizeUsage, USAGE_BUCKETS } from '../../src/usage/token-usage.js';
import {
  argsOf,
  asyncLedgerEntries,
  classEntries,
  rootSampledFunctions,
  SINK_WRITE,
  type SurfaceEntry,
  subpathFunctions,
  surfaceCase,
} from './contract-surface.js';
import { type HostileSpec, hostileSpec, materialize, maybeHostile } from './hostile.js';

/** The seed of `npm test`; the fuzzer takes its own (printed) unless given one. */
export const FUZZ_SEED = 1313;

/** Totals of one property run. */
export interface ContractRun {
  cases: number;
  failures: number;
  /** What the first failure threw or returned, for the assertion message. */
  firstFailure: string | undefined;
  /** Calls that returned a value of the documented shape, and calls that threw a typed error. */
  returned: number;
  typedErrors: number;
}

/** Outcomes of the calls of the property being run (reset by each run). */
const tally = { returned: 0, typedErrors: 0 };

/** One property of the contract. */
export interface ContractProperty {
  name: string;
  /** Cases relative to the other properties (a property over many functions gets more). */
  scale?: number;
  run(params: { numRuns: number; seed?: number }): ContractRun | Promise<ContractRun>;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

const catalog = PriceCatalog.fromData({
  version: 1,
  models: [
    { id: 'gpt-4o', provider: 'openai', prices: { input: 2.5, cacheRead: 1.25, output: 10 } },
    {
      id: 'claude-x',
      provider: 'anthropic',
      prices: { input: 3, output: 15 },
      match: { regex: '^claude-x' },
    },
  ],
});

function describeThrown(e: unknown): string {
  try {
    return e instanceof Error ? `${e.constructor.name}: ${e.message.slice(0, 300)}` : typeof e;
  } catch {
    return 'unprintable';
  }
}

/** A fresh run's counters; the call tallies start again from zero. */
function startRun(): ContractRun {
  tally.returned = 0;
  tally.typedErrors = 0;
  return { cases: 0, failures: 0, firstFailure: undefined, returned: 0, typedErrors: 0 };
}

/** Count one case: its failure text (or a throw that escaped the body) goes into `out`. */
function countCase(out: ContractRun, failure: string | undefined): true {
  out.cases++;
  if (failure !== undefined) {
    out.failures++;
    out.firstFailure ??= failure;
  }
  return true;
}

const escaped = (e: unknown) => `escaped the harness: ${describeThrown(e)}`;

/** Close a run: copy the call tallies into it. */
function endRun(out: ContractRun): ContractRun {
  out.returned = tally.returned;
  out.typedErrors = tally.typedErrors;
  return out;
}

/** Run `body` over `arb`, counting cases and failures (`body` returns a failure text or undefined). */
function counted<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  body: (v: T) => string | undefined,
): ContractProperty {
  return {
    name,
    run({ numRuns, seed }) {
      const out = startRun();
      fc.assert(
        fc.property(arb, (v) => {
          let failure: string | undefined;
          try {
            failure = body(v);
          } catch (e) {
            failure = escaped(e);
          }
          return countCase(out, failure);
        }),
        { numRuns, ...(seed === undefined ? {} : { seed }) },
      );
      return endRun(out);
    },
  };
}

/** {@link counted} for an async body (fast-check's async property; cases run one after another). */
function countedAsync<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  body: (v: T) => Promise<string | undefined>,
): ContractProperty {
  return {
    name,
    async run({ numRuns, seed }) {
      const out = startRun();
      await fc.assert(
        fc.asyncProperty(arb, async (v) => {
          let failure: string | undefined;
          try {
            failure = await body(v);
          } catch (e) {
            failure = escaped(e);
          }
          return countCase(out, failure);
        }),
        { numRuns, ...(seed === undefined ? {} : { seed }) },
      );
      return endRun(out);
    },
  };
}

/** Await `f()`: a typed error (thrown or rejected) or a value passes; anything else is the failure text. */
async function typedOrAsync(f: () => unknown): Promise<string | undefined> {
  try {
    await f();
  } catch (e) {
    if (!(e instanceof LangfuseCostError)) return `threw ${describeThrown(e)}`;
    tally.typedErrors++;
    return undefined;
  }
  tally.returned++;
  return undefined;
}

/** Call `f`: a typed error or a value `ok` accepts passes; anything else is the failure text. */
function typedOr(f: () => unknown, ok: (v: unknown) => boolean = () => true): string | undefined {
  let v: unknown;
  try {
    v = f();
  } catch (e) {
    if (!(e instanceof LangfuseCostError)) return `threw ${describeThrown(e)}`;
    tally.typedErrors++;
    return undefined;
  }
  if (!ok(v)) return `returned a value of the wrong shape: ${String(typeof v)}`;
  tally.returned++;
  return undefined;
}

/** Call `f`: nothing may escape (the adapters' contract). */
function never(f: () => unknown): string | undefined {
  try {
    f();
    tally.returned++;
    return undefined;
  } catch (e) {
    return `threw into the host: ${describeThrown(e)}`;
  }
}

const m = materialize;

/** `arb` once in `n` cases, else null (fc.option is the other way round: null once in `freq`). */
function rarely<T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

const usageSpec = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      Object.fromEntries(USAGE_BUCKETS.map((b) => [b, maybeHostile(fc.nat(5_000_000), 60)])),
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: hostileSpec.map((h) => ({ __whole: h })) },
);

function usageOf(spec: any): unknown {
  if ('__whole' in spec) return m(spec.__whole as HostileSpec);
  const u: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(spec)) u[k] = m(s as HostileSpec);
  return u;
}

const isResult = (v: unknown): boolean => {
  if (v === null) return true;
  const r = v as { totalPico: unknown; total: unknown; currency: unknown };
  return (
    typeof r.totalPico === 'number' &&
    Number.isSafeInteger(r.totalPico) &&
    r.totalPico >= 0 &&
    typeof r.total === 'number' &&
    r.total >= 0 &&
    r.currency === 'USD'
  );
};

const querySpec = fc.record({
  whole: rarely(hostileSpec, 8),
  model: maybeHostile(
    fc.constantFrom('gpt-4o', 'gpt-4o-2024-08-06', 'claude-x-1', 'openai/gpt-4o', 'unknown-model'),
    12,
  ),
  provider: maybeHostile(fc.constantFrom('openai', 'anthropic', 'OpenAI.chat', 'toString'), 12),
  usage: usageSpec,
  serviceTier: maybeHostile(fc.constantFrom('standard', 'priority', 'flex', 'batch', 'bogus'), 12),
  at: maybeHostile(fc.oneof(fc.integer({ min: 0, max: 4e12 }), fc.constant('2026-01-01T00:00:00Z')), 12),
  catalog: rarely(hostileSpec, 10),
});

/** A query (or a hostile thing where the query belongs). */
function queryOf(q: fc.Arbitrary<unknown> extends never ? never : any): unknown {
  if (q.whole !== null) return m(q.whole);
  return {
    model: m(q.model),
    provider: m(q.provider),
    usage: usageOf(q.usage),
    serviceTier: m(q.serviceTier),
    at: m(q.at),
  };
}

/** A priced result, valid or damaged field by field. */
const resultSpec = fc.record({
  whole: rarely(hostileSpec, 10),
  damage: fc.option(
    fc.record({
      key: fc.constantFrom(
        'model',
        'provider',
        'resolvedModel',
        'usage',
        'costs',
        'total',
        'totalPico',
        'source',
        'estimated',
        'tier',
        'providedCost',
      ),
      value: hostileSpec,
    }),
    { freq: 2 },
  ),
  input: fc.nat(100_000),
  output: fc.nat(100_000),
});

function resultOf(r: any): unknown {
  if (r.whole !== null) return m(r.whole);
  const res = calculateCost(
    { model: 'gpt-4o', usage: { input: r.input, output: r.output } },
    catalog,
  ) as unknown as Record<string, unknown>;
  if (r.damage !== null) res[r.damage.key] = m(r.damage.value);
  return res;
}

const T0 = Date.UTC(2026, 5, 1);
const validCtx: Record<string, fc.Arbitrary<unknown>> = {
  traceId: fc.string(),
  spanId: fc.string({ minLength: 1 }),
  sessionId: fc.string(),
  userId: fc.constantFrom('u1', 'u2', '=cmd()', ''),
  tenantId: fc.string(),
  operation: fc.string(),
  environment: fc.string(),
  tags: fc.array(fc.string(), { maxLength: 20 }),
  metadata: fc.dictionary(fc.string(), fc.string(), { maxKeys: 4 }),
  startTime: fc.integer({ min: T0 - 10_000, max: T0 }),
  endTime: fc.integer({ min: T0, max: T0 + 10_000 }),
  durationMs: fc.nat(100_000),
  providedCost: fc.double({ min: 0, max: 100, noNaN: true }),
  cached: fc.boolean(),
  fallback: fc.boolean(),
};

const ctxSpec = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: hostileSpec.map((h) => ({ __whole: h })) },
  {
    weight: 6,
    arbitrary: fc.record(
      Object.fromEntries(Object.entries(validCtx).map(([k, a]) => [k, maybeHostile(a, 40)])),
      { requiredKeys: [] },
    ),
  },
);

function ctxOf(c: any): unknown {
  if (c === null) return undefined;
  if ('__whole' in c) return m(c.__whole);
  const o: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(c)) o[k] = m(s as HostileSpec);
  return o;
}

/** The tracker still reports: stats (every window), budgets and every export format work. */
function trackerReports(t: CostTracker): string | undefined {
  try {
    const s = t.stats();
    if (typeof s.totalPico !== 'bigint' || s.totalPico < 0n)
      return `stats().totalPico is ${String(s.totalPico)}`;
    t.stats({ window: 'calendarDay', groupBy: 'model' });
    for (const b of t.budgetStatus())
      if (!Number.isFinite(b.spent) || b.spent < 0) return `budget spent ${b.spent}`;
    for (const format of ['json', 'csv', 'jsonl'] as const) t.export({ format });
    return undefined;
  } catch (e) {
    return `tracker cannot report after hostile calls: ${describeThrown(e)}`;
  }
}

const trackerCall = fc.oneof(
  fc.record({ op: fc.constant('record' as const), result: resultSpec, ctx: ctxSpec }),
  fc.record({
    op: fc.constant('unpriced' as const),
    model: maybeHostile(fc.constant('mystery')),
    provider: maybeHostile(fc.constant('acme')),
    usage: usageSpec,
    ctx: ctxSpec,
  }),
  fc.record({
    op: fc.constant('failure' as const),
    whole: rarely(hostileSpec, 5),
    model: maybeHostile(fc.constant('gpt-4o')),
    error: hostileSpec,
    usage: usageSpec,
    result: fc.option(resultSpec, { freq: 3 }),
    ctx: ctxSpec,
  }),
  fc.record({
    op: fc.constant('read' as const),
    which: fc.constantFrom('stats', 'budgetStatus', 'checkBudget', 'export', 'recent'),
    arg: hostileSpec,
  }),
);

function runTrackerCall(t: CostTracker, c: any): string | undefined {
  switch (c.op) {
    case 'record':
      return typedOr(() => t.record(resultOf(c.result) as never, ctxOf(c.ctx) as never));
    case 'unpriced':
      return typedOr(() =>
        t.recordUnpriced(
          m(c.model) as never,
          m(c.provider) as never,
          usageOf(c.usage) as never,
          ctxOf(c.ctx) as never,
        ),
      );
    case 'failure': {
      const failure =
        c.whole !== null
          ? m(c.whole)
          : {
              model: m(c.model),
              error: m(c.error),
              usage: usageOf(c.usage),
              ...(c.result ? { result: resultOf(c.result) } : {}),
            };
      return typedOr(() => t.recordFailure(failure as never, ctxOf(c.ctx) as never));
    }
    default: {
      const arg = m(c.arg);
      const which = c.which as 'stats' | 'budgetStatus' | 'checkBudget' | 'export' | 'recent';
      return typedOr(() => (t[which] as (a: unknown) => unknown)(arg));
    }
  }
}

/** A LangChain callback with hostile arguments. */
const handlerCall = fc.record({
  method: fc.constantFrom(
    'handleLLMStart',
    'handleChatModelStart',
    'handleLLMNewToken',
    'handleLLMEnd',
    'handleLLMError',
    'handleChainStart',
    'handleChainEnd',
    'handleToolStart',
    'handleRetrieverStart',
  ),
  runId: fc.oneof(
    fc.constantFrom('run-1', 'run-2'),
    hostileSpec.map((h) => ({ __h: h })),
  ),
  args: fc.array(hostileSpec, { maxLength: 8 }),
});

/** A span with hostile parts for the span processor. */
const spanSpec = fc.record({
  whole: rarely(hostileSpec, 6),
  attributes: fc.oneof(
    hostileSpec.map((h) => ({ __h: h })),
    fc.record({
      'gen_ai.operation.name': maybeHostile(fc.constant('chat')),
      'gen_ai.request.model': maybeHostile(fc.constantFrom('gpt-4o', 'mystery')),
      'gen_ai.usage.input_tokens': maybeHostile(fc.nat(10_000)),
      'gen_ai.usage.output_tokens': maybeHostile(fc.nat(10_000)),
      'gen_ai.usage.cost': maybeHostile(fc.double({ min: 0, max: 10, noNaN: true })),
      'langfuse.observation.type': maybeHostile(fc.constant('generation')),
    }),
  ),
  name: hostileSpec,
  startTime: maybeHostile(fc.constant([1_700_000_000, 0])),
  endTime: maybeHostile(fc.constant([1_700_000_001, 0])),
  spanContext: hostileSpec,
  resource: hostileSpec,
  scope: hostileSpec,
});

function spanOf(s: any): unknown {
  if (s.whole !== null) return m(s.whole);
  const attrs =
    '__h' in s.attributes
      ? m(s.attributes.__h)
      : Object.fromEntries(Object.entries(s.attributes).map(([k, v]) => [k, m(v as HostileSpec)]));
  const sc = m(s.spanContext);
  return {
    name: m(s.name),
    attributes: attrs,
    startTime: m(s.startTime),
    endTime: m(s.endTime),
    spanContext: () => (typeof sc === 'function' ? sc() : sc),
    resource: m(s.resource),
    instrumentationScope: m(s.scope),
  };
}

/**
 * Functions of `langfuse-cost` not yet inside the contract, with why (empty: every exported function
 * of the root entry point is closed, and so is every function of the subpath entry points that is not
 * in `SKIPPED_IO`).
 */
export const NOT_YET_CLOSED: ReadonlySet<string> = new Set<string>([]);

/** Every function (not class) exported by `langfuse-cost` that the contract covers. */
export const CLOSED_FUNCTIONS: readonly string[] = Object.entries(root)
  .filter(([name, v]) => typeof v === 'function' && !/^[A-Z]/.test(name) && !NOT_YET_CLOSED.has(name))
  .map(([name]) => name)
  .sort();

/** Calls of `entries` with hostile arguments or damaged samples: a value or a typed error. */
function surfaceProperty(name: string, entries: SurfaceEntry[]): ContractProperty {
  const p = counted(
    `${name} (${entries.length}): a value or a typed error`,
    surfaceCase(entries.length),
    (c) => {
      const e = entries[c.entry]!;
      const previous = getLogger();
      setLogger(silent);
      try {
        const failure = typedOr(() => e.call(argsOf(e, c)));
        return failure && `${e.name}: ${failure}`;
      } finally {
        setLogger(previous);
      }
    },
  );
  // About 25 cases per function or method for every 400 cases of a one-function property.
  return { ...p, scale: Math.max(1, Math.round(entries.length / 16)) };
}

/** Every property of the contract. */
export function contractProperties(): ContractProperty[] {
  return [
    surfaceProperty(
      'importers, validation, model names, time syntax on damaged documents',
      rootSampledFunctions(),
    ),
    surfaceProperty('exported classes: constructors and methods', classEntries()),
    surfaceProperty(
      'pure functions of /langchain, /otel, /langfuse, /node, /dashboards, /fleet',
      subpathFunctions(),
    ),
    (() => {
      const entries = asyncLedgerEntries();
      return countedAsync(
        `ledger readers of /node (${entries.map((e) => e.name).join(', ')}): a value or a typed error`,
        surfaceCase(entries.length),
        async (c) => {
          const e = entries[c.entry]!;
          const failure = await typedOrAsync(() => e.call(argsOf(e, c)));
          return failure && `${e.name}: ${failure}`;
        },
      );
    })(),
    counted(
      'JsonlLedgerSink.write: never throws into the host; each record written or dropped and counted',
      surfaceCase(1),
      (c) => {
        let h: { written: number; dropped: number; queued: number } | undefined;
        const failure = never(() => {
          h = SINK_WRITE.call(argsOf(SINK_WRITE, c)) as typeof h;
        });
        if (failure) return failure;
        if (h === undefined || h.written + h.dropped !== 1 || h.queued !== 0)
          return `health() after one write: ${JSON.stringify(h)}`;
        return undefined;
      },
    ),
    counted(
      `every exported function of langfuse-cost (${CLOSED_FUNCTIONS.length}): a value or a typed error`,
      fc.tuple(fc.constantFrom(...CLOSED_FUNCTIONS), fc.array(hostileSpec, { maxLength: 4 })),
      ([name, args]) => {
        const previous = getLogger();
        setLogger(silent);
        try {
          const f = (root as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
          const failure = typedOr(() => f(...args.map(m)));
          return failure && `${name}: ${failure}`;
        } finally {
          setLogger(previous);
        }
      },
    ),
    counted(
      'PriceCatalog lookups and marks, new CostTracker(options): a value or a typed error',
      fc.tuple(
        fc.constantFrom(
          'resolve',
          'explain',
          'list',
          'markFree',
          'markProviderFree',
          'mapDeployment',
          'tracker',
        ),
        fc.array(hostileSpec, { maxLength: 3 }),
      ),
      ([method, args]) => {
        const a = args.map(m);
        if (method === 'tracker') return typedOr(() => new CostTracker(a[0] as never));
        const c = PriceCatalog.fromData({
          version: 1,
          models: [{ id: 'x', provider: 'p', prices: { input: 1 } }],
        });
        return typedOr(() => (c[method] as (...x: unknown[]) => unknown)(...a));
      },
    ),
    counted('calculateCost: a result, null or a typed error, whatever the query', querySpec, (q) =>
      typedOr(() => {
        const query = queryOf(q);
        return q.catalog === null
          ? calculateCost(query as never, catalog)
          : calculateCost(query as never, m(q.catalog) as never);
      }, isResult),
    ),
    counted(
      'parseServiceTier, canonicalProvider, normalizeUsage: a value or a typed error',
      fc.tuple(hostileSpec, hostileSpec, usageSpec),
      ([a, b, u]) =>
        typedOr(() => parseServiceTier(m(a) as never)) ??
        typedOr(() => canonicalProvider(m(a) as never, m(b) as never)) ??
        typedOr(() => normalizeUsage(usageOf(u) as never)),
    ),
    counted(
      'money helpers: a value or a typed error',
      fc.tuple(hostileSpec, hostileSpec),
      ([a, b]) =>
        typedOr(() => picoToUsd(m(a) as never)) ??
        typedOr(() => picoToDecimalString(m(a) as never, m(b) as never)) ??
        typedOr(() => usdToPico(m(a) as never)) ??
        typedOr(() => formatUsd(m(a) as never)) ??
        typedOr(() => sumCosts(m(a) as never)),
    ),
    counted(
      'CostTracker: typed errors only, and after any sequence stats, budgets and exports work',
      fc.array(trackerCall, { minLength: 1, maxLength: 12 }),
      (calls) => {
        const t = new CostTracker({
          budgets: { daily: { limit: 1 }, perUser: { limit: 0.5 } },
          logger: silent,
          storeText: true,
        });
        for (const c of calls) {
          const f = runTrackerCall(t, c);
          if (f) return `${c.op}: ${f}`;
        }
        return trackerReports(t);
      },
    ),
    counted(
      'CostCallbackHandler: never throws into the chain',
      fc.array(handlerCall, { minLength: 1, maxLength: 6 }),
      (calls) => {
        const tracker = new CostTracker({ logger: silent });
        const h = new CostCallbackHandler({ tracker, catalog, logger: silent });
        for (const c of calls) {
          const runId = typeof c.runId === 'string' ? c.runId : m(c.runId.__h);
          const args = c.args.map(m);
          // LangChain's argument order: (first, second, runId, …) for every callback used here.
          const f = never(() =>
            (h[c.method] as (...a: unknown[]) => unknown)(args[0], args[1], runId, ...args.slice(2)),
          );
          if (f) return `${c.method}: ${f}`;
        }
        return trackerReports(tracker);
      },
    ),
    counted(
      'CostSpanProcessor: never throws into the SDK',
      fc.array(spanSpec, { minLength: 1, maxLength: 4 }),
      (spans) => {
        const tracker = new CostTracker({ logger: silent });
        const p = new CostSpanProcessor({ catalog, tracker, logger: silent });
        for (const s of spans) {
          const span = spanOf(s) as never;
          const f =
            never(() => p.onStart(span, undefined as never)) ??
            never(() => p.onEnding(span)) ??
            never(() => p.onEnd(span));
          if (f) return f;
        }
        return trackerReports(tracker);
      },
    ),
  ];
}
