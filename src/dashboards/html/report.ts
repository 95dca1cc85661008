import { closedError } from '../../errors.js';
import { redactErrorText, redactSecrets } from '../../tracker/redact.js';
import { formatUsdCell, nullUsdText } from '../format.js';
import type { DashboardResult } from '../runner.js';
import { barChart, columnChart, esc, lineChart, rangeChart, type Spread, type StackedBar } from './svg.js';

/** What the report says about where its numbers come from. */
export interface HtmlReportMeta {
  /** Report title (default "LLM cost report"). */
  title?: string;
  /** Source description, e.g. `ledger ./ledger.jsonl (1,234 records)`. */
  source: string;
  /** Window start and end as the user gave them or as resolved (shown verbatim). */
  from: string;
  to: string;
  /** When the report was made (default now). */
  generatedAt?: Date;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : v == null ? 0 : Number(v));
const str = (v: unknown): string => (v == null ? '' : String(v));

function usd(v: number): string {
  return `$${formatUsdCell(v)}`;
}

/** Compact USD for axis ticks: $0, $0.0001, $2.5, $1.2k. */
export function usdTick(v: number): string {
  try {
    return usdTickUnchecked(v);
  } catch (err) {
    throw closedError(err, 'usdTick');
  }
}

function usdTickUnchecked(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '$0';
  if (a >= 1000) return `$${(v / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })}k`;
  if (a >= 1) return `$${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
  return `$${Number(v.toPrecision(2))}`;
}

function cell(name: string, v: unknown, row: Record<string, unknown>): { text: string; numeric: boolean } {
  // A NULL cost is a call (or calls) without a price: "unpriced", never $0.
  if (v === null || v === undefined)
    return { text: name.endsWith('_usd') ? nullUsdText(row, '—') : '—', numeric: false };
  // Error text from a Langfuse ClickHouse (or a ledger written before redaction) may quote keys and prompts.
  if (name === 'status_message') return { text: redactErrorText(String(v)), numeric: false };
  if (Array.isArray(v)) return { text: v.map(String).join(', '), numeric: false };
  if (typeof v === 'number') {
    if (name.endsWith('_usd')) return { text: usd(v), numeric: true };
    if (name.endsWith('_pct'))
      return { text: `${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}%`, numeric: true };
    return { text: v.toLocaleString('en-US', { maximumFractionDigits: 4 }), numeric: true };
  }
  return { text: String(v), numeric: false };
}

function table(r: DashboardResult, limit = 15): string {
  const cols = r.columns.map((c) => c.name);
  if (r.rows.length === 0) return `<p class="muted">No rows in this window.</p>`;
  const numeric = cols.map((c) => r.rows.every((row) => row[c] == null || typeof row[c] === 'number'));
  const head = cols.map((c, i) => `<th${numeric[i] ? ' class="num"' : ''}>${esc(c)}</th>`).join('');
  const body = r.rows
    .slice(0, limit)
    .map(
      (row) =>
        `<tr>${cols
          .map((c) => {
            const x = cell(c, row[c], row);
            return `<td${x.numeric ? ' class="num"' : ''}>${esc(x.text)}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  const more =
    r.rows.length > limit
      ? `<p class="muted more">${r.rows.length - limit} more rows: <code>langfuse-cost dashboards run ${esc(r.dashboard.name)}</code></p>`
      : '';
  return `<div class="table-wrap"><table data-table="${esc(r.dashboard.name)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>${more}`;
}

function section(
  r: DashboardResult | undefined,
  chart: string | undefined,
  opts: { wide?: boolean } = {},
): string {
  if (!r) return '';
  const err = (r as DashboardResult & { error?: string }).error;
  const content = err
    ? `<p class="error">This dashboard failed: ${esc(redactSecrets(err))}</p>`
    : chart
      ? `${chart}<details><summary>Data</summary>${table(r)}</details>`
      : table(r);
  return (
    `<section class="card${opts.wide ? ' wide' : ''}" id="${esc(r.dashboard.name)}" data-dashboard="${esc(r.dashboard.name)}">` +
    `<h2>${esc(r.dashboard.title)}</h2><p class="muted">${esc(r.dashboard.description)}</p>${content}</section>`
  );
}

/** 12,345 as is; 346,565,800 as 346.6M (the exact number is in the card's tooltip). */
function compact(n: number): string {
  if (Math.abs(n) < 10_000_000) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 });
}

function kpiCards(r: DashboardResult | undefined): string {
  const row = r?.rows[0] ?? {};
  const cards: [string, string, string][] = [
    [
      'total_cost_usd',
      'Total cost',
      row.total_cost_usd == null ? nullUsdText(row, '—') : usd(num(row.total_cost_usd)),
    ],
    ['requests', 'Requests', num(row.requests).toLocaleString('en-US')],
    ['sessions', 'Sessions analysed', num(row.sessions).toLocaleString('en-US')],
    [
      'avg_cost_per_session_usd',
      'Average per session',
      row.avg_cost_per_session_usd == null ? '—' : usd(num(row.avg_cost_per_session_usd)),
    ],
    [
      'avg_cost_per_request_usd',
      'Average per priced request',
      row.avg_cost_per_request_usd == null ? '—' : usd(num(row.avg_cost_per_request_usd)),
    ],
    ['total_tokens', 'Tokens', compact(num(row.total_tokens))],
    ['failed_requests', 'Failed requests', num(row.failed_requests).toLocaleString('en-US')],
    ['unpriced_requests', 'Unpriced requests', num(row.unpriced_requests).toLocaleString('en-US')],
  ];
  return `<div class="kpis">${cards
    .map(
      ([key, label, value]) =>
        `<div class="kpi" data-kpi="${key}" data-value="${row[key] ?? ''}" title="${esc(row[key] ?? '')}"><div class="kpi-label">${esc(label)}</div><div class="kpi-value">${esc(value)}</div></div>`,
    )
    .join('')}</div>`;
}

const CSS = `
:root{--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--card:#fff;--accent:#2563eb}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:24px 32px 8px}h1{margin:0 0 4px;font-size:24px}h2{margin:0 0 2px;font-size:16px}
.muted{color:var(--muted);margin:0 0 12px}.meta{color:var(--muted);font-size:13px}
main{padding:8px 32px 40px;display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px;max-width:1500px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;min-width:0}
.wide{grid-column:1/-1}.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.kpi-label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}.kpi-value{font-size:22px;font-weight:600;margin-top:2px;font-variant-numeric:tabular-nums}
svg.chart{display:block;max-width:100%;height:auto;margin:4px 0 8px}svg .grid{stroke:var(--line)}svg text{fill:var(--fg);font-size:11px}
svg .tick{fill:var(--muted)}svg .label{font-size:12px}svg .value{font-size:12px;font-variant-numeric:tabular-nums}svg .muted{fill:var(--muted)}
svg .mark:hover{opacity:.8}details summary{cursor:pointer;color:var(--accent);margin:4px 0}
.table-wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}th{color:var(--muted);font-weight:600;position:sticky;top:0;background:var(--card)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}.more{margin:8px 0 0}code{font-size:12px}.error{color:#b91c1c}
footer{padding:0 32px 32px;color:var(--muted);font-size:12px}
`;

/**
 * Render results of {@link runDashboards} as one self-contained HTML page: KPI cards, charts for cost over
 * time, cumulative cost, cost by model and provider, top sessions and the cost distribution, then a table
 * per dashboard. Inline CSS and SVG only: no script, no network.
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
  const get = (n: string) => by.get(n);
  const charts: string[] = [];
  const used = new Set<string>();
  const add = (name: string, chart: (r: DashboardResult) => string | undefined, wide = false) => {
    const r = get(name);
    if (!r) return;
    used.add(name);
    const failed = (r as DashboardResult & { error?: string }).error;
    charts.push(section(r, failed ? undefined : chart(r), { wide }));
  };

  add(
    'cost-daily',
    (r) =>
      columnChart(
        r.rows.map((x) => ({ label: str(x.day), value: num(x.cost_usd) })),
        { id: 'cost-daily', title: 'Cost per day', format: usdTick, width: 1200, height: 300 },
      ),
    true,
  );
  add('cost-cumulative', (r) =>
    lineChart(
      r.rows.map((x) => ({ label: str(x.day), value: num(x.cumulative_cost_usd) })),
      { id: 'cost-cumulative', title: 'Cumulative cost', format: usdTick },
    ),
  );
  add('cost-hourly', (r) =>
    lineChart(
      r.rows.map((x) => ({ label: str(x.hour), value: num(x.cost_usd) })),
      { id: 'cost-hourly', title: 'Cost per hour', format: usdTick },
    ),
  );
  add('cost-by-model', (r) =>
    barChart(
      r.rows.map((x): StackedBar => {
        const input = num(x.input_cost_usd);
        const output = num(x.output_cost_usd);
        const total = num(x.cost_usd);
        const segments = [
          { name: 'input', value: input },
          { name: 'output', value: output },
        ];
        const other = total - input - output;
        if (other > 1e-12) segments.push({ name: 'other', value: other });
        return { label: str(x.model), segments, total };
      }),
      { id: 'cost-by-model', title: 'Cost by model (input / output)', format: usdTick },
    ),
  );
  add('cost-by-provider', (r) =>
    barChart(
      r.rows.map((x) => ({ label: str(x.provider), segments: [{ name: 'cost', value: num(x.cost_usd) }] })),
      { id: 'cost-by-provider', title: 'Cost by provider', format: usdTick },
    ),
  );
  add('top-sessions', (r) =>
    barChart(
      r.rows
        .slice(0, 10)
        .map((x) => ({ label: str(x.session_id), segments: [{ name: 'cost', value: num(x.cost_usd) }] })),
      { id: 'top-sessions', title: 'Top sessions by cost', format: usdTick },
    ),
  );
  add(
    'cost-distribution',
    (r) =>
      rangeChart(
        // A model whose calls are all unpriced has no cost distribution to draw (its row says so).
        r.rows
          .filter((x) => x.min_usd != null)
          .map(
            (x): Spread => ({
              label: str(x.model),
              min: num(x.min_usd),
              p50: num(x.p50_usd),
              p90: num(x.p90_usd),
              p99: num(x.p99_usd),
              max: num(x.max_usd),
            }),
          ),
        {
          id: 'cost-distribution',
          title: 'Cost per call: min–max, p50–p90 box, p99 tick (log scale)',
          format: usdTick,
        },
      ) +
      `<p class="muted legend">Line: cheapest to dearest call · box: median (blue tick) to p90 · red tick: p99 · log scale</p>`,
  );
  used.add('kpi-totals');
  const rest = results
    .filter((r) => !used.has(r.dashboard.name))
    .map((r) => section(r, undefined, { wide: true }));
  const generated = (meta.generatedAt ?? new Date()).toISOString().replace('T', ' ').slice(0, 19);
  const title = meta.title ?? 'LLM cost report';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><header><h1>${esc(title)}</h1>
<div class="meta">Source: ${esc(meta.source)} · Window: <span data-window-from>${esc(meta.from)}</span> → <span data-window-to>${esc(meta.to)}</span> (UTC) · Generated ${esc(generated)} UTC</div></header>
<main><section class="wide" data-dashboard="kpi-totals">${kpiCards(get('kpi-totals'))}</section>
${charts.join('\n')}
${rest.join('\n')}
</main><footer>Costs are Langfuse's total_cost (USD); input/output costs sum the cost keys whose names contain "input"/"output". Calls without a price count as unpriced, never as $0; averages cover priced calls. Made by langfuse-cost.</footer></body></html>
`;
}
