/**
 * A generated Langfuse-shaped dataset for the dashboard tests, in three storage shapes (v3 tables with
 * stale versions and tombstones, v4 events_core rows, and ledger lines in the TRACKER-API format), plus
 * an oracle: the value each dashboard must return, computed here in plain JS from the generated calls.
 * Money is integer pico-USD (BigInt) throughout.
 */
import { seededRandom } from './seeded-random.js';

export const HOSTILE_MODEL = `gpt-4o'); DROP TABLE observations; --\\ "x"`;
export const HOSTILE_USER = `o'brien\\" OR 1=1 --`;
export const PROJECT = 'proj-a';
export const OTHER_PROJECT = 'proj-b';
export const FROM = Date.parse('2026-11-01T00:00:00.000Z');
export const TO = Date.parse('2026-11-04T00:00:00.000Z');

/** One trace (v3 `traces` row, final version). */
export interface Trace {
  id: string;
  projectId: string;
  name: string;
  userId: string | null;
  sessionId: string | null;
  tags: string[];
  /** Tenant in trace metadata (`tenant_id`). */
  tenant: string | null;
  timestampMs: number;
}

/** One observation, final version. */
export interface Call {
  id: string;
  traceId: string;
  projectId: string;
  type: 'GENERATION' | 'EMBEDDING' | 'SPAN';
  name: string;
  startMs: number;
  endMs: number;
  eventMs: number;
  model: string | null;
  /** metadata['provider'] (or ls_provider when `providerKey` says so). */
  provider: string | null;
  providerKey: 'provider' | 'ls_provider';
  fallback: boolean;
  /** Tenant in observation metadata. */
  tenant: string | null;
  level: 'DEFAULT' | 'ERROR';
  statusMessage: string | null;
  usage: Record<string, number>;
  /** Cost per key, pico-USD; `total` present unless the call has no total. */
  cost: Record<string, bigint>;
  /** The latest version is a tombstone (is_deleted = 1). */
  deleted: boolean;
  /** Langfuse environment (default `default`). */
  environment?: string;
}

export interface Dataset {
  traces: Trace[];
  calls: Call[];
}

const MODELS: [string, string][] = [
  ['gpt-4o-2024-08-06', 'openai'],
  ['claude-sonnet-4-5', 'anthropic'],
  ['gemini-2.5-flash', 'google'],
  ['mistral-large-latest', 'mistral'],
  [HOSTILE_MODEL, 'openai'],
];

/** Generate the dataset (deterministic for a seed). */
export function generateDataset(seed = 42, traceCount = 90): Dataset {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const traces: Trace[] = [];
  const calls: Call[] = [];
  const users = ['alice', 'bob', HOSTILE_USER, 'dave', null];
  const tenants = ['acme', 'globex', 'initech'];
  let n = 0;
  for (let t = 0; t < traceCount; t++) {
    const projectId = t % 15 === 14 ? OTHER_PROJECT : PROJECT;
    const userIdx = t % users.length;
    const userId = users[userIdx]!;
    // A session belongs to one user; some traces have none.
    const sessionId = t % 7 === 3 ? null : `sess-${userIdx}-${Math.floor(t / 10)}`;
    // Spread over 2026-10-31 .. 2026-11-04 so some traces fall outside the window.
    const base = Date.parse('2026-10-31T20:00:00.000Z') + Math.floor(rnd() * 4.3 * 86_400_000);
    const trace: Trace = {
      id: `tr-${t}`,
      projectId,
      name: pick(['chat', 'rag', 'agent']),
      userId,
      sessionId,
      tags: t % 4 === 0 ? ['prod', 'beta'] : ['prod'],
      tenant: t % 3 === 0 ? null : tenants[t % tenants.length]!,
      timestampMs: base,
    };
    traces.push(trace);
    const k = 2 + Math.floor(rnd() * 4);
    for (let i = 0; i < k; i++) {
      const id = `obs-${n++}`;
      const startMs = base + i * 61_000 + Math.floor(rnd() * 1000);
      const [model, provider] = pick(MODELS);
      const type: Call['type'] = n % 23 === 0 ? 'SPAN' : n % 11 === 0 ? 'EMBEDDING' : 'GENERATION';
      const input = 100 + Math.floor(rnd() * 5000);
      const cached = n % 3 === 0 ? Math.floor(rnd() * 2000) : 0;
      const cacheRead = n % 8 === 0 ? Math.floor(rnd() * 500) : 0;
      const cacheWrite = n % 5 === 0 ? Math.floor(rnd() * 800) : 0;
      const output = type === 'EMBEDDING' ? 0 : 20 + Math.floor(rnd() * 1500);
      const reasoning = n % 4 === 0 ? Math.floor(rnd() * 700) : 0;
      const usage: Record<string, number> = { input };
      if (cached) usage.input_cached_tokens = cached;
      if (cacheRead) usage.input_cache_read = cacheRead;
      if (cacheWrite) usage.input_cache_creation = cacheWrite;
      if (output) usage.output = output;
      if (reasoning) usage.output_reasoning_tokens = reasoning;
      usage.total = input + cached + cacheRead + cacheWrite + output + reasoning;
      const rate = BigInt(1 + Math.floor(rnd() * 15)) * 1_000_000n; // pico per token
      const cost: Record<string, bigint> = {};
      for (const [key, tokens] of Object.entries(usage)) {
        if (key === 'total') continue;
        const mult =
          key.includes('cached') || key.includes('cache_read') ? 1n : key.startsWith('output') ? 4n : 2n;
        cost[key] = BigInt(tokens) * rate * mult + BigInt(Math.floor(rnd() * 1000)); // odd picos on purpose
      }
      const total = Object.values(cost).reduce((a, b) => a + b, 0n);
      const mode =
        n % 29 === 0 ? 'unpriced' : n % 31 === 0 ? 'no-total' : n % 46 === 0 ? 'span-nocost' : 'priced';
      let finalCost: Record<string, bigint> = { ...cost, total };
      if (mode === 'unpriced' || mode === 'span-nocost') finalCost = {};
      if (mode === 'no-total') finalCost = { ...cost };
      const level: Call['level'] = n % 13 === 0 ? 'ERROR' : 'DEFAULT';
      calls.push({
        id,
        traceId: trace.id,
        projectId,
        type,
        name: i === 0 ? '' : pick(['retrieve', 'answer', 'summarize']),
        startMs,
        endMs: startMs + 800 + Math.floor(rnd() * 3000),
        eventMs: startMs + 5000,
        model: n % 37 === 0 ? null : model,
        provider: n % 19 === 0 ? null : provider,
        providerKey: n % 6 === 0 ? 'ls_provider' : 'provider',
        fallback: n % 9 === 0,
        tenant: n % 10 === 0 ? 'umbrella' : null,
        // Whole traces run in one environment; most in Langfuse's `default`.
        ...(t % 5 === 2 ? { environment: 'staging' } : t % 5 === 4 ? { environment: 'dev' } : {}),
        level,
        statusMessage: level === 'ERROR' ? `rate limited (429) "${id}"` : null,
        usage,
        cost: finalCost,
        deleted: n % 41 === 0,
      });
    }
  }
  // Boundary calls: exactly at `from` (inside) and exactly at `to` (outside).
  const edgeTrace = traces.find((t) => t.projectId === PROJECT)!;
  for (const [id, at] of [
    ['obs-at-from', FROM],
    ['obs-at-to', TO],
  ] as const) {
    calls.push({
      id,
      traceId: edgeTrace.id,
      projectId: PROJECT,
      type: 'GENERATION',
      name: 'edge',
      startMs: at,
      endMs: at + 1000,
      eventMs: at + 5000,
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      providerKey: 'provider',
      fallback: false,
      tenant: null,
      level: 'DEFAULT',
      statusMessage: null,
      usage: { input: 1000, output: 100, total: 1100 },
      cost: { input: 2_500_000_000n, output: 1_000_000_000n, total: 3_500_000_000n },
      deleted: false,
    });
  }
  return { traces, calls };
}

// ---------------------------------------------------------------------------------------------------
// Storage shapes

/** Decimal text of a pico amount (12 decimals). */
export function picoText(p: bigint): string {
  const neg = p < 0n;
  const a = neg ? -p : p;
  const s = a.toString().padStart(13, '0');
  return `${neg ? '-' : ''}${s.slice(0, -12)}.${s.slice(-12)}`;
}

/** ClickHouse DateTime64(3) text in UTC. */
export function chTime(ms: number, digits = 3): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${digits === 6 ? '000' : ''}`;
}

function costMap(c: Record<string, bigint>): Record<string, string> {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, picoText(v)]));
}

function obsMetadata(c: Call): Record<string, string> {
  const m: Record<string, string> = {};
  if (c.provider) m[c.providerKey] = c.provider;
  if (c.fallback) m.fallback = 'true';
  if (c.tenant) m.tenant_id = c.tenant;
  return m;
}

/** A stale version of a call: earlier event_ts, other model and cost (must never be counted). */
function staleCost(): Record<string, bigint> {
  return { input: 999_000_000_000n, output: 999_000_000_000n, total: 1_998_000_000_000n };
}

/** v3 `observations` rows, JSONEachRow objects: final versions, stale versions, tombstones, root spans. */
export function v3ObservationRows(d: Dataset): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const base = (c: Call) => ({
    id: c.id,
    trace_id: c.traceId,
    project_id: c.projectId,
    type: c.type,
    parent_observation_id: `root-${c.traceId}`,
    start_time: chTime(c.startMs),
    end_time: chTime(c.endMs),
    name: c.name,
    environment: c.environment ?? 'default',
    metadata: obsMetadata(c),
    level: c.level,
    status_message: c.statusMessage,
    provided_model_name: c.model,
    usage_details: c.usage,
    cost_details: costMap(c.cost),
    total_cost: c.cost.total === undefined ? null : picoText(c.cost.total),
    event_ts: chTime(c.eventMs),
    is_deleted: 0,
  });
  d.calls.forEach((c, i) => {
    rows.push(base(c));
    if (i % 3 === 0 || c.deleted) {
      // Stale version written earlier, with a different model and cost.
      const sc = staleCost();
      rows.push({
        ...base(c),
        provided_model_name: 'stale-model',
        cost_details: costMap(sc),
        total_cost: picoText(sc.total!),
        level: 'ERROR',
        metadata: { provider: 'stale', fallback: 'true', tenant_id: 'stale' },
        event_ts: chTime(c.eventMs - 3000),
      });
    }
    if (c.deleted) rows.push({ ...base(c), event_ts: chTime(c.eventMs + 3000), is_deleted: 1 });
  });
  for (const t of d.traces) {
    rows.push({
      id: `root-${t.id}`,
      trace_id: t.id,
      project_id: t.projectId,
      type: 'SPAN',
      parent_observation_id: null,
      start_time: chTime(Math.min(...d.calls.filter((c) => c.traceId === t.id).map((c) => c.startMs))),
      name: t.name,
      metadata: {},
      level: 'DEFAULT',
      event_ts: chTime(t.timestampMs + 10_000),
      is_deleted: 0,
    });
  }
  return rows;
}

/** v3 `traces` rows: final versions plus stale versions with other users and sessions. */
export function v3TraceRows(d: Dataset): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  d.traces.forEach((t, i) => {
    const row = {
      id: t.id,
      timestamp: chTime(t.timestampMs),
      name: t.name,
      user_id: t.userId,
      metadata: t.tenant ? { tenant_id: t.tenant } : {},
      project_id: t.projectId,
      public: false,
      bookmarked: false,
      tags: t.tags,
      session_id: t.sessionId,
      event_ts: chTime(t.timestampMs + 20_000),
      is_deleted: 0,
    };
    rows.push(row);
    if (i % 2 === 0) {
      rows.push({
        ...row,
        user_id: 'stale-user',
        session_id: 'stale-session',
        metadata: { tenant_id: 'stale' },
        event_ts: chTime(t.timestampMs + 1000),
      });
    }
  });
  return rows;
}

/** v4 `events_core` rows: one per span version, trace attributes denormalised, root spans carry trace metadata. */
export function v4EventRows(d: Dataset): Record<string, unknown>[] {
  const byTrace = new Map(d.traces.map((t) => [t.id, t]));
  const rows: Record<string, unknown>[] = [];
  const traceCols = (t: Trace) => ({
    trace_name: t.name,
    user_id: t.userId ?? '',
    session_id: t.sessionId ?? '',
    tags: t.tags,
  });
  const base = (c: Call) => {
    const meta = obsMetadata(c);
    return {
      project_id: c.projectId,
      trace_id: c.traceId,
      span_id: c.id,
      parent_span_id: `root-${c.traceId}`,
      start_time: chTime(c.startMs, 6),
      end_time: chTime(c.endMs, 6),
      name: c.name,
      type: c.type,
      environment: c.environment ?? 'default',
      ...traceCols(byTrace.get(c.traceId)!),
      level: c.level,
      status_message: c.statusMessage ?? '',
      provided_model_name: c.model ?? '',
      usage_details: c.usage,
      cost_details: costMap(c.cost),
      metadata_names: Object.keys(meta),
      metadata_values: Object.values(meta),
      event_ts: chTime(c.eventMs, 6),
      is_deleted: 0,
    };
  };
  d.calls.forEach((c, i) => {
    rows.push(base(c));
    if (i % 3 === 0 || c.deleted) {
      const sc = staleCost();
      rows.push({
        ...base(c),
        provided_model_name: 'stale-model',
        cost_details: costMap(sc),
        level: 'ERROR',
        metadata_names: ['provider', 'fallback', 'tenant_id'],
        metadata_values: ['stale', 'true', 'stale'],
        event_ts: chTime(c.eventMs - 3000, 6),
      });
    }
    if (c.deleted) rows.push({ ...base(c), event_ts: chTime(c.eventMs + 3000, 6), is_deleted: 1 });
  });
  for (const t of d.traces) {
    const first = Math.min(...d.calls.filter((c) => c.traceId === t.id).map((c) => c.startMs));
    rows.push({
      project_id: t.projectId,
      trace_id: t.id,
      span_id: `root-${t.id}`,
      parent_span_id: '',
      start_time: chTime(first, 6),
      name: t.name,
      type: 'SPAN',
      ...traceCols(t),
      level: 'DEFAULT',
      metadata_names: t.tenant ? ['tenant_id'] : [],
      metadata_values: t.tenant ? [t.tenant] : [],
      event_ts: chTime(t.timestampMs + 20_000, 6),
      is_deleted: 0,
    });
  }
  return rows;
}

/**
 * Ledger lines in the TRACKER-API format, one per (non-deleted) call. A few calls also get an earlier
 * duplicate line (older end_time, other cost) that the dashboards must ignore. Trace-level tenant is
 * resolved onto the line's tenant_id, as the tracker writes it.
 */
export function ledgerLines(d: Dataset): string[] {
  const byTrace = new Map(d.traces.map((t) => [t.id, t]));
  const lines: string[] = [];
  d.calls.forEach((c, i) => {
    if (c.deleted) return;
    const t = byTrace.get(c.traceId)!;
    const hasTotal = c.cost.total !== undefined;
    const line = (cost: Record<string, bigint>, endMs: number, model: string | null) => {
      const total = cost.total;
      // Costs as JSON numbers written exactly (12 decimals), as the tracker writes USD.
      const costJson = `{${Object.entries(cost)
        .map(([k, v]) => `${JSON.stringify(k)}:${picoText(v)}`)
        .join(',')}}`;
      const obj = {
        id: c.id,
        trace_id: c.traceId,
        parent_observation_id: null,
        project_id: c.projectId,
        type: c.type,
        name: c.name === '' ? null : c.name,
        environment: c.environment ?? 'default',
        start_time: new Date(c.startMs).toISOString(),
        end_time: new Date(endMs).toISOString(),
        level: c.level,
        status_message: c.statusMessage,
        provided_model_name: model,
        internal_model_id: model,
        usage_details: c.usage,
        cost_details: '@@COST@@',
        provided_cost_details: {},
        total_cost: total === undefined ? null : '@@TOTAL@@',
        cost_pico: total === undefined ? null : '@@PICO@@',
        metadata: c.providerKey === 'ls_provider' && c.provider ? { ls_provider: c.provider } : {},
        session_id: t.sessionId,
        user_id: t.userId,
        tenant_id: c.tenant ?? t.tenant,
        tags: t.tags,
        provider: c.providerKey === 'provider' ? (c.provider ?? '') : '',
        resolved_model: model ?? '',
        source: hasTotal ? 'catalog' : 'fallback',
        estimated: false,
        tier: 'standard',
        fallback: c.fallback,
        service: null,
        duration_ms: endMs - c.startMs,
        status: c.level === 'ERROR' ? 'error' : 'success',
      };
      return JSON.stringify(obj)
        .replace('"@@COST@@"', costJson)
        .replace('"@@TOTAL@@"', total === undefined ? 'null' : picoText(total))
        .replace('"@@PICO@@"', total === undefined ? 'null' : total.toString());
    };
    if (i % 4 === 1) lines.push(line(staleCost(), c.endMs - 500, 'stale-model'));
    lines.push(line(c.cost, c.endMs, c.model));
  });
  return lines;
}

// ---------------------------------------------------------------------------------------------------
// Oracle

/** Parameters the oracle needs. */
export interface OracleParams {
  projectId: string;
  from: number;
  to: number;
  limit?: number;
  budgetPico?: bigint;
  timeZone?: string;
  /** `perGroup` of report-calls (default 10). */
  perGroup?: number;
  /** `bucket` of report-facts / report-calls (default day). */
  bucket?: 'hour' | 'day';
}

/** A call as the dashboards see it, joined with its trace. */
export interface Seen extends Call {
  trace: Trace;
  modelName: string;
  providerName: string;
  tenantName: string;
  operation: string;
  totalPico: bigint | null;
  inputCost: bigint;
  outputCost: bigint;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  totalTokens: number;
}

const contains = (k: string, s: string) => k.toLowerCase().includes(s);

/** The calls every dashboard counts: final, not deleted, in project and window, generation-like or costed. */
export function seenCalls(d: Dataset, p: OracleParams): Seen[] {
  const byTrace = new Map(d.traces.map((t) => [t.id, t]));
  return d.calls
    .filter((c) => c.projectId === p.projectId && c.startMs >= p.from && c.startMs < p.to && !c.deleted)
    .filter((c) => c.type !== 'SPAN' || Object.keys(c.cost).length > 0)
    .map((c) => {
      const trace = byTrace.get(c.traceId)!;
      const sumKeys = (m: Record<string, number>, f: (k: string) => boolean) =>
        Object.entries(m).reduce((a, [k, v]) => (f(k) ? a + v : a), 0);
      const sumCost = (f: (k: string) => boolean) =>
        Object.entries(c.cost).reduce((a, [k, v]) => (f(k) ? a + v : a), 0n);
      return {
        ...c,
        trace,
        modelName: c.model || '(unknown)',
        providerName: c.provider || '(unknown)',
        tenantName: c.tenant || trace.tenant || '(none)',
        operation: c.name || '(unnamed)',
        totalPico: c.cost.total ?? null,
        inputCost: sumCost((k) => contains(k, 'input')),
        outputCost: sumCost((k) => contains(k, 'output')),
        inputTokens: sumKeys(c.usage, (k) => contains(k, 'input')),
        outputTokens: sumKeys(c.usage, (k) => contains(k, 'output')),
        cachedInputTokens: sumKeys(
          c.usage,
          (k) => contains(k, 'input') && (contains(k, 'cached') || contains(k, 'cache_read')),
        ),
        totalTokens: c.usage.total ?? 0,
      };
    });
}

/** Group by a key, keeping insertion order. */
export function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const g = m.get(k);
    if (g) g.push(x);
    else m.set(k, [x]);
  }
  return m;
}

export const cost0 = (s: Seen) => s.totalPico ?? 0n;
export const sumPico = (xs: Seen[], f: (s: Seen) => bigint = cost0) => xs.reduce((a, s) => a + f(s), 0n);
export const sumNum = (xs: Seen[], f: (s: Seen) => number) => xs.reduce((a, s) => a + f(s), 0);
/** Decimal division as ClickHouse does it for `Decimal(12) / integer`: truncated to 12 decimals. */
export const divPico = (p: bigint, n: number) => p / BigInt(n);
/** `a DESC, b ASC` comparator for bigint cost then string. */
export function byCostDescThen(a: [bigint, string], b: [bigint, string]): number {
  if (a[0] !== b[0]) return a[0] > b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** Calendar day of an instant in an IANA zone, `YYYY-MM-DD`. */
export function dayIn(ms: number, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(ms);
}

/** Start of the hour of an instant in an IANA zone, `YYYY-MM-DD HH:00:00`. */
export function hourIn(ms: number, timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:00:00`;
}

/** ClickHouse's quantileExact: the element at index floor(level × n) of the sorted values. */
export function quantileExact(sorted: bigint[], level: number): bigint {
  return sorted[Math.min(sorted.length - 1, Math.floor(level * sorted.length))]!;
}
