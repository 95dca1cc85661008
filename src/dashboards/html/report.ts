import { createHash } from 'node:crypto';
import { closedError } from '../../errors.js';
import { redactErrorText, redactSecrets } from '../../ledger/redact.js';
import { formatUsdPico, parseUsdPico, percentText, usdPicoText } from '../format.js';
import type { DashboardResult } from '../runner.js';
import { FILTER_KEYS, reportApp } from './app.js';
import { esc } from './svg.js';

/** The dashboards the report is made of (run them, with `bucket` and `timeZone`, and pass their results). */
export const REPORT_DASHBOARDS = ['report-facts', 'report-calls'] as const;

/** A budget the report checks every day (or month) of the view against, named as the reader set it. */
export interface HtmlReportBudget {
  /** What it is called, e.g. `Daily limit`. */
  label: string;
  /** The period the limit applies to. */
  period: 'day' | 'month';
  /** The limit, integer pico-USD. */
  limitPico: bigint;
  /** Where the limit came from, e.g. `--daily-limit` or `LANGFUSE_COST_DAILY_LIMIT`. */
  origin: string;
}

/** What the report says about where its numbers come from. */
export interface HtmlReportMeta {
  /** Report title (default "LLM cost report"). */
  title?: string;
  /** Source description, e.g. `ledger ./ledger.jsonl (1,234 records)`. */
  source: string;
  /** Window start and end as the user gave them or as resolved (shown verbatim). */
  from: string;
  to: string;
  /** IANA zone of the buckets and times (default: report-facts' `timeZone`): the report names it. */
  timeZone?: string;
  /** Width of a time bucket in the facts (default: report-facts' `bucket`). */
  bucket?: 'hour' | 'day';
  /** When the report was made (default now). */
  generatedAt?: Date;
  /** Langfuse UI to link trace and session ids to: `{baseUrl}/project/{projectId}/traces/{id}`. */
  langfuse?: { baseUrl: string; projectId: string };
  /** Budgets to check (none: the report says how to set one). */
  budgets?: HtmlReportBudget[];
  /** The `limit` report-calls ran with (default: its result's parameter). */
  listLimit?: number;
  /** The `perGroup` report-calls ran with (default: its result's parameter). */
  perGroup?: number;
}

/** Compact USD for axis ticks, in the one money format: `$0`, `$0.0001`, `$2.50`, `$1,200`. */
export function usdTick(v: number): string {
  try {
    const pico = parseUsdPico(v.toFixed(12));
    return pico === null ? `$${v}` : formatUsdPico(pico).replace(/\.00$/, '');
  } catch (err) {
    throw closedError(err, 'usdTick');
  }
}

/** Interning of one dimension's values: index per value, in first-seen order. */
class Dict {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  id(v: string): number {
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(v);
      this.index.set(v, i);
    }
    return i;
  }
}

const text = (v: unknown): string => (v == null ? '' : String(v));
const count = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const picoText = (v: unknown): string | null => {
  if (v == null) return null;
  const p = parseUsdPico(String(v));
  return p === null ? null : p.toString();
};

/** The embedded data: facts and listed calls with interned dimensions, costs as integer pico-USD text. */
function reportData(
  facts: DashboardResult | undefined,
  calls: DashboardResult | undefined,
  meta: HtmlReportMeta,
) {
  const dict = {
    model: new Dict(),
    provider: new Dict(),
    user: new Dict(),
    tenant: new Dict(),
    operation: new Dict(),
    environment: new Dict(),
    session: new Dict(),
  };
  const tags = new Dict();
  const tagsets = new Map<string, number>();
  const tagsetList: number[][] = [];
  const tagset = (v: unknown): number => {
    const list = Array.isArray(v) ? v.map(String) : [];
    const key = JSON.stringify(list);
    let i = tagsets.get(key);
    if (i === undefined) {
      i = tagsetList.length;
      tagsetList.push(list.map((t) => tags.id(t)));
      tagsets.set(key, i);
    }
    return i;
  };
  const bucketSet = new Set<string>();
  for (const r of facts?.rows ?? []) bucketSet.add(text(r.bucket));
  for (const r of calls?.rows ?? []) bucketSet.add(text(r.bucket));
  const buckets = [...bucketSet].sort();
  const bucketIndex = new Map(buckets.map((b, i) => [b, i]));
  // The dimensions both tables carry, in the order the page's script reads them.
  const filterDims = (r: Record<string, unknown>) => [
    dict.model.id(text(r.model)),
    dict.provider.id(text(r.provider)),
    dict.user.id(text(r.user_id)),
    dict.tenant.id(text(r.tenant_id)),
    dict.operation.id(text(r.operation)),
    dict.environment.id(text(r.environment)),
    tagset(r.tags),
  ];
  const factRows = (facts?.rows ?? []).map((r) => [
    bucketIndex.get(text(r.bucket)),
    ...filterDims(r),
    dict.session.id(text(r.session_id)),
    count(r.calls),
    count(r.unpriced_calls),
    count(r.failed_calls),
    count(r.total_tokens),
    picoText(r.cost_usd),
    picoText(r.provided_cost_usd),
    picoText(r.estimated_cost_usd),
    picoText(r.failed_cost_usd),
  ]);
  const callRows = (calls?.rows ?? []).map((r) => [
    text(r.start_time),
    bucketIndex.get(text(r.bucket)),
    text(r.id),
    text(r.trace_id),
    text(r.session_id),
    ...filterDims(r),
    count(r.failed),
    // Error text from a Langfuse ClickHouse (or a ledger written before redaction) may quote keys.
    redactErrorText(text(r.status_message)),
    count(r.total_tokens),
    picoText(r.cost_usd),
    count(r.top_rank),
    count(r.failed_rank),
  ]);
  const sorted = (d: Dict) => [...d.values].sort();
  return {
    timeZone: meta.timeZone ?? 'UTC',
    bucket: meta.bucket ?? 'day',
    buckets,
    listLimit: meta.listLimit ?? Number(calls?.params.limit ?? 200),
    perGroup: meta.perGroup ?? Number(calls?.params.perGroup ?? 10),
    langfuse: meta.langfuse ?? null,
    budgets: (meta.budgets ?? []).map((b) => ({ ...b, limitPico: b.limitPico.toString() })),
    dims: {
      ...Object.fromEntries(Object.entries(dict).map(([k, d]) => [k, d.values])),
      tagsets: tagsetList,
      tags: tags.values,
      // The filter lists, sorted for reading (the indices above stay first-seen).
      sorted: Object.fromEntries(Object.entries(dict).map(([k, d]) => [k, sorted(d)])),
    },
    facts: factRows,
    calls: callRows,
  };
}

/** JSON that is safe inside `<script type="application/json">`: no `<`, so no `</script>`. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const FILTER_LABELS: Record<(typeof FILTER_KEYS)[number], string> = {
  from: 'From',
  to: 'To (inclusive)',
  model: 'Model',
  provider: 'Provider',
  user: 'User',
  tag: 'Tag',
  environment: 'Environment',
};

const CSS = `
:root{color-scheme:light dark;--fg:#0f172a;--muted:#475569;--line:#e2e8f0;--bg:#f8fafc;--card:#fff;--accent:#1d4ed8;--ok:#047857;--bad:#b91c1c;--focus:#f59e0b}
@media (prefers-color-scheme:dark){:root{--fg:#e2e8f0;--muted:#a3b1c6;--line:#334155;--bg:#0b1220;--card:#111a2e;--accent:#93c5fd;--ok:#6ee7b7;--bad:#fca5a5}}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}a:focus-visible,select:focus-visible,button:focus-visible,summary:focus-visible,.table-wrap:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
header{padding:20px 24px 4px}h1{margin:0 0 4px;font-size:24px}h2{margin:0 0 4px;font-size:17px}h3{margin:8px 0 2px;font-size:15px}
.muted{color:var(--muted)}.meta{color:var(--muted);font-size:13px;margin:0}
form.filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end;padding:12px 24px;position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);z-index:2}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);gap:2px}
select,button{font:inherit;font-size:14px;color:var(--fg);background:var(--card);border:1px solid var(--line);border-radius:6px;padding:5px 8px;max-width:220px;min-height:34px}
button{cursor:pointer}.active{font-size:13px;color:var(--muted);flex-basis:100%}
main{padding:12px 24px 32px;display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));gap:16px;max-width:1600px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;min-width:0}.wide{grid-column:1/-1}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 14px}
.kpi-label{color:var(--muted);font-size:13px}.kpi-value{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}.kpi-note{color:var(--muted);font-size:12px}
svg.chart{display:block;max-width:100%;height:auto}svg .grid{stroke:var(--line)}svg text{fill:var(--fg);font-size:12px}svg .tick{fill:var(--muted)}svg .axis{font-size:13px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;padding:0;margin:6px 0;font-size:13px}.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
details summary{cursor:pointer;color:var(--accent);margin:6px 0}
.table-wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13.5px}caption{text-align:left;color:var(--muted);font-size:12px;padding-bottom:4px}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}thead th{color:var(--muted);font-weight:600}tbody th{font-weight:500;max-width:28ch;overflow:hidden;text-overflow:ellipsis}
.num{text-align:right;font-variant-numeric:tabular-nums}td.wrap{white-space:normal;min-width:18ch}code{font-size:12.5px}
.ok{color:var(--ok);font-weight:600}.over{color:var(--bad);font-weight:600}.error{color:var(--bad)}.lead{font-size:15px;margin:4px 0 8px}.note{font-size:12px;margin:6px 0 0}
footer{padding:0 24px 28px;color:var(--muted);font-size:12.5px;max-width:1100px}
@media (max-width:640px){header,main,form.filters,footer{padding-left:12px;padding-right:12px}form.filters{position:static}.opt{display:none}select{max-width:160px}h1{font-size:20px}.kpi-value{font-size:19px}.kpis{grid-template-columns:1fr 1fr}tbody th{max-width:16ch}th,td{padding:5px 6px}.chart-wrap{overflow-x:auto}.chart-wrap svg.chart{min-width:640px}}
@media print{form.filters select,form.filters button,form.filters label{display:none}form.filters{position:static;border:0}body{background:#fff;color:#000}.card,.kpi{break-inside:avoid;border-color:#999}details{display:block}details>*{display:block}main{display:block}.card{margin-bottom:12px}.opt{display:table-cell}}
`;

const SECTIONS: [view: string, title: string, answers: string, wide?: boolean][] = [
  [
    'chart',
    'Cost per model over time',
    'Where the money went, model by model, over the window (priced calls; stacked).',
    true,
  ],
  ['by-model', 'Cost by model', 'Each model’s cost, share of the total and calls.'],
  ['by-provider', 'Cost by provider', 'Each provider’s cost and share.'],
  ['top-requests', 'Most expensive requests', 'The single calls that cost the most, cost first.', true],
  ['top-sessions', 'Top sessions', 'The sessions that cost the most, cost first.'],
  ['by-user', 'Cost by user', 'Each user’s cost and share.'],
  ['by-tenant', 'Cost by tenant', 'Each tenant’s (customer’s) cost, for chargeback.'],
  ['by-operation', 'Cost by operation', 'Each operation (observation name) and what it costs.'],
  ['by-environment', 'Cost by environment', 'Production, staging, … side by side.'],
  ['budgets', 'Budget status', 'Spend per day (or month) against the budgets set.'],
  ['failed', 'Failed calls', 'Calls that ended in an error, and what they still cost.', true],
];

/**
 * Render the results of the {@link REPORT_DASHBOARDS} as one self-contained HTML file: a small offline
 * app with KPI cards, cost per model over time, cost by provider / user / tenant / operation /
 * environment, top sessions and requests, failed calls and budgets, filtered by time range, model,
 * provider, user, tag and environment (state in the URL fragment). Inline CSS and one inline script
 * allowed by its hash in the page's Content-Security-Policy: no network, no external resource.
 */
export function renderHtmlReport(results: DashboardResult[], meta: HtmlReportMeta): string {
  try {
    return renderHtmlReportUnchecked(results, meta);
  } catch (err) {
    throw closedError(err, 'renderHtmlReport');
  }
}

function renderHtmlReportUnchecked(results: DashboardResult[], meta: HtmlReportMeta): string {
  const by = new Map(results.map((r) => [r.dashboard.name, r]));
  const facts = by.get('report-facts');
  const calls = by.get('report-calls');
  const errors = [facts, calls]
    .filter((r): r is DashboardResult => r?.error !== undefined)
    .map(
      (r) => `<p class="error">${esc(r.dashboard.title)} failed: ${esc(redactSecrets(r.error ?? ''))}</p>`,
    );
  if (!facts) errors.push('<p class="error">No report-facts result was given: the report has no data.</p>');
  // Zone and bucket as the facts were made, unless the caller says otherwise.
  const zone = meta.timeZone ?? facts?.params.timeZone ?? 'UTC';
  const bucket = meta.bucket ?? (facts?.params.bucket === 'hour' ? 'hour' : 'day');
  const data = reportData(facts, calls, { ...meta, timeZone: zone, bucket });
  // `__name`: compilers that keep function names (tsx, esbuild keepNames) wrap inner functions in it.
  const script =
    `"use strict";var __name=function(f){return f};` +
    `(${reportApp.toString()})(window,${usdPicoText.toString()},${percentText.toString()});`;
  const hash = createHash('sha256').update(script).digest('base64');
  const generated = (meta.generatedAt ?? new Date()).toISOString().replace('T', ' ').slice(0, 16);
  const title = meta.title ?? 'LLM cost report';
  const filters = FILTER_KEYS.map(
    (k) => `<label>${esc(FILTER_LABELS[k])}<select name="${k}" id="filter-${k}"></select></label>`,
  ).join('');
  const sections = SECTIONS.map(
    ([view, h, answers, wide]) =>
      `<section class="card${wide ? ' wide' : ''}" aria-labelledby="h-${view}"><h2 id="h-${view}"${view === 'chart' ? ' data-view="chart-title"' : ''}>${esc(h)}</h2><p class="muted">${esc(answers)}</p><div data-view="${view}"></div></section>`,
  ).join('\n');
  const links = meta.langfuse
    ? `Trace and session ids link to Langfuse at ${esc(meta.langfuse.baseUrl)} (project ${esc(meta.langfuse.projectId)}).`
    : 'Trace and session ids link to Langfuse when the report is made with a Langfuse URL and project id (--langfuse-url and --langfuse-project, or LANGFUSE_BASE_URL and LANGFUSE_PROJECT_ID).';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; img-src data:">
<meta name="color-scheme" content="light dark">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><header><h1>${esc(title)}</h1>
<p class="meta">${esc(meta.source)} · window <span data-window-from>${esc(meta.from)}</span> → <span data-window-to>${esc(meta.to)}</span> · all times in <strong data-zone>${esc(zone)}</strong> · generated ${esc(generated)} UTC</p></header>
<form class="filters" id="filters" aria-label="Filters">${filters}<button type="reset">Clear filters</button><p class="active" data-view="active-filters" aria-live="polite"></p></form>
<noscript><p class="error">This report draws its views with a small inline script; allow scripts for this file to read it.</p></noscript>
<main>${errors.join('')}<section class="wide" aria-label="Key figures"><div class="kpis" data-view="kpis"></div></section>
${sections}
</main><footer>Costs are in US dollars: Langfuse's total cost of each call, summed exactly. A call without a price is counted as <em>unpriced</em>, never as $0: it is left out of costs, averages and shares and counted beside them. Averages are over priced calls. ${links} Made by langfuse-cost.</footer>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${script}</script></body></html>
`;
}
