/**
 * The HTML report's script: it runs in the reader's browser, offline, on the facts the report embeds
 * (`report-facts` and `report-calls`, aggregated before embedding) and redraws every view from them
 * when a filter changes. The filter state lives in the URL fragment, so a filtered view can be shared.
 *
 * It is written as one self-contained function (DOM values typed `any`: the library compiles without
 * the DOM types) whose source {@link renderHtmlReport} inlines, together with the one money and
 * percentage format ({@link formatUsdPico}, {@link formatPercent}), so the page shows exactly what
 * the CLI prints. Nothing here may refer to a name outside the function.
 */

/** Filter keys in the URL fragment, in the order they show. */
export const FILTER_KEYS = ['from', 'to', 'model', 'provider', 'user', 'tag', 'environment'] as const;

/**
 * The report's client. `fmtUsd(pico)` and `fmtPct(part, whole)` are the shared formatters; `win` is
 * the browser window. Reads the embedded data from `#report-data` and fills the `data-view` elements.
 */
export function reportApp(
  win: any,
  fmtUsd: (pico: bigint) => string,
  fmtPct: (part: bigint, whole: bigint) => string,
): void {
  const doc = win.document;
  const t0 = win.performance.now();
  const data = JSON.parse(doc.getElementById('report-data').textContent);
  const UNPRICED = 'unpriced';
  const esc = (v: unknown): string =>
    String(v ?? '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;');
  const big = (v: string | null): bigint | null => (v === null ? null : BigInt(v));
  const int = (n: number): string => n.toLocaleString('en-US');
  const dims = data.dims;
  // Facts: [bucket, model, provider, user, tenant, operation, environment, tagset, session,
  //         calls, unpriced, failed, tokens, cost, provided, estimated, failedCost]
  const facts = data.facts.map((f: any[]) => {
    for (let i = 13; i < 17; i++) f[i] = big(f[i]);
    return f;
  });
  // Calls: [start, bucket, id, trace, session, model, provider, user, tenant, operation, environment,
  //         tagset, failed, status, tokens, cost, topRank, failedRank]
  const calls = data.calls.map((c: any[]) => {
    c[15] = big(c[15]);
    return c;
  });
  const tagsets: number[][] = dims.tagsets;
  const buckets: string[] = data.buckets;
  const zone = data.timeZone;
  const hourly = data.bucket === 'hour';
  const dayOf = (b: string) => b.slice(0, 10);
  const bucketText = (b: string) => (hourly ? b.slice(0, 16) : b.slice(0, 10));

  // ---- filter state <-> URL fragment --------------------------------------------------------------
  const KEYS = ['from', 'to', 'model', 'provider', 'user', 'tag', 'environment'];
  const readState = (): Record<string, string> => {
    const q = new URLSearchParams(String(win.location.hash || '').replace(/^#/, ''));
    const s: Record<string, string> = {};
    for (const k of KEYS) s[k] = q.get(k) ?? '';
    return s;
  };
  const writeState = (s: Record<string, string>) => {
    const q = new URLSearchParams();
    for (const k of KEYS) if (s[k]) q.set(k, s[k]);
    const h = q.toString();
    win.history.replaceState(null, '', h ? `#${h}` : win.location.pathname + win.location.search);
  };
  const options: Record<string, { value: string; label: string }[]> = {
    from: buckets.map((b) => ({ value: bucketText(b), label: bucketText(b) })),
    to: buckets.map((b) => ({ value: bucketText(b), label: bucketText(b) })),
    model: dims.sorted.model.map((v: string) => ({ value: v, label: v })),
    provider: dims.sorted.provider.map((v: string) => ({ value: v, label: v })),
    user: dims.sorted.user.filter((v: string) => v !== '').map((v: string) => ({ value: v, label: v })),
    tag: [...dims.tags].sort().map((v: string) => ({ value: v, label: v })),
    environment: dims.sorted.environment.map((v: string) => ({ value: v, label: v })),
  };
  const form = doc.getElementById('filters');
  for (const k of KEYS) {
    const sel = form.querySelector(`select[name="${k}"]`);
    const all = k === 'from' ? 'first' : k === 'to' ? 'last' : 'all';
    sel.innerHTML =
      `<option value="">${all}</option>` +
      options[k]!.map((o) => `<option value="${esc(o.value)}">${esc(o.label)}</option>`).join('');
  }

  // ---- aggregation ---------------------------------------------------------------------------------
  interface Group {
    calls: number;
    unpriced: number;
    failed: number;
    tokens: number;
    cost: bigint;
    failedCost: bigint;
    sessions?: Set<number>;
    users?: Set<number>;
  }
  const group = (): Group => ({ calls: 0, unpriced: 0, failed: 0, tokens: 0, cost: 0n, failedCost: 0n });
  const acc = (g: Group, f: any[]): Group => {
    g.calls += f[9];
    g.unpriced += f[10];
    g.failed += f[11];
    g.tokens += f[12];
    if (f[13] !== null) g.cost += f[13];
    if (f[16] !== null) g.failedCost += f[16];
    return g;
  };
  const add = (m: Map<any, Group>, key: any, f: any[]): Group => {
    let g = m.get(key);
    if (!g) m.set(key, (g = group()));
    return acc(g, f);
  };
  const costText = (g: { calls: number; unpriced: number; cost: bigint }) =>
    g.calls > g.unpriced ? fmtUsd(g.cost) : UNPRICED;

  const indexOf = (list: string[], v: string) => (v === '' ? -1 : list.indexOf(v));
  const matcher = (s: Record<string, string>) => {
    const fromB = s.from ? buckets.findIndex((b) => bucketText(b) === s.from) : 0;
    let toB = s.to ? buckets.findIndex((b) => bucketText(b) === s.to) : buckets.length - 1;
    if (toB < 0) toB = buckets.length - 1;
    const m = indexOf(dims.model, s.model!);
    const p = indexOf(dims.provider, s.provider!);
    const u = s.user ? dims.user.indexOf(s.user) : -1;
    const e = indexOf(dims.environment, s.environment!);
    const tag = indexOf(dims.tags, s.tag!);
    const unknown = (k: string, i: number) => s[k] !== '' && i < 0;
    const none =
      unknown('model', m) ||
      unknown('provider', p) ||
      unknown('user', u) ||
      unknown('environment', e) ||
      unknown('tag', tag);
    return (b: number, mi: number, pi: number, ui: number, ei: number, gi: number) =>
      !none &&
      b >= Math.max(0, fromB) &&
      b <= toB &&
      (m < 0 || mi === m) &&
      (p < 0 || pi === p) &&
      (u < 0 || ui === u) &&
      (e < 0 || ei === e) &&
      (tag < 0 || tagsets[gi]!.indexOf(tag) >= 0);
  };

  // ---- rendering helpers ---------------------------------------------------------------------------
  const base = data.langfuse ? String(data.langfuse.baseUrl).replace(/\/+$/, '') : '';
  const project = data.langfuse ? encodeURIComponent(data.langfuse.projectId) : '';
  const link = (kind: 'traces' | 'sessions', id: string, text?: string) => {
    if (!id) return '<span class="muted">none</span>';
    const label = `<code>${esc(text ?? id)}</code>`;
    if (!base) return label;
    const href = `${base}/project/${project}/${kind}/${encodeURIComponent(id)}`;
    return `<a href="${esc(href)}" data-link="${kind}" target="_blank" rel="noopener noreferrer" title="Open in Langfuse">${label}</a>`;
  };
  const shortId = (id: string) => (id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);
  const table = (
    name: string,
    caption: string,
    cols: { label: string; num?: boolean; cls?: string }[],
    rows: string[][],
    empty: string,
    attrs: string[] = [],
  ) => {
    if (rows.length === 0) return `<p class="muted" data-empty="${name}">${esc(empty)}</p>`;
    const head = cols
      .map(
        (c) =>
          `<th scope="col"${c.num || c.cls ? ` class="${c.num ? 'num ' : ''}${c.cls ?? ''}"` : ''}>${c.label}</th>`,
      )
      .join('');
    const body = rows
      .map(
        (r, ri) =>
          `<tr${attrs[ri] ? ` ${attrs[ri]}` : ''}>${r
            .map((cell, i) => {
              const c = cols[i]!;
              const cls = `${c.num ? 'num ' : ''}${c.cls ?? ''}`.trim();
              return i === 0 && !c.num
                ? `<th scope="row">${cell}</th>`
                : `<td${cls ? ` class="${cls}"` : ''}>${cell}</td>`;
            })
            .join('')}</tr>`,
      )
      .join('');
    return `<div class="table-wrap" tabindex="0" role="region" aria-label="${esc(caption)}"><table data-table="${name}"><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
  };
  const view = (name: string, html: string) => {
    const el = doc.querySelector(`[data-view="${name}"]`);
    if (el) el.innerHTML = html;
  };
  const PALETTE = ['#2563eb', '#d97706', '#059669', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];
  const OTHER = '#94a3b8';

  // ---- the chart: cost per model over time, stacked --------------------------------------------------
  // Axis ticks drop the zeros that carry no information: $0, $0.005, $1.5, $2.
  const tick = (pico: bigint) =>
    fmtUsd(pico)
      .replace(/\.0+$/, '')
      .replace(/(\.\d*?[1-9])0+$/, '$1');
  const niceMax = (v: bigint): bigint => {
    if (v <= 0n) return 1n;
    let unit = 1n;
    while (unit * 10n <= v) unit *= 10n;
    for (const m of [1n, 2n, 5n, 10n]) if (m * unit >= v) return m * unit;
    return 10n * unit;
  };
  const chart = (
    series: { label: string; byBucket: Map<string, bigint> }[],
    cols: string[],
    unit: string,
  ) => {
    if (cols.length === 0 || series.length === 0)
      return '<p class="muted" data-empty="chart">No priced calls match these filters.</p>';
    const totals = cols.map((c) => series.reduce((a, s) => a + (s.byBucket.get(c) ?? 0n), 0n));
    // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.max does not take
    const max = niceMax(totals.reduce((a, v) => (v > a ? v : a), 0n));
    const W = 960;
    const H = 320;
    const m = { top: 12, right: 44, bottom: 58, left: 84 };
    const pw = W - m.left - m.right;
    const ph = H - m.top - m.bottom;
    const step = pw / cols.length;
    const bw = Math.max(1, Math.min(56, step * 0.78));
    const y = (v: bigint) => (Number((v * 1_000_000n) / max) / 1_000_000) * ph;
    const parts: string[] = [];
    for (let i = 0; i <= 4; i++) {
      const v = (max * BigInt(i)) / 4n;
      const yy = m.top + ph - (ph * i) / 4;
      parts.push(
        `<line class="grid" x1="${m.left}" x2="${m.left + pw}" y1="${yy}" y2="${yy}"/><text class="tick" x="${m.left - 8}" y="${yy + 4}" text-anchor="end">${esc(tick(v))}</text>`,
      );
    }
    const every = Math.max(1, Math.ceil(cols.length / (W / 90)));
    cols.forEach((c, i) => {
      let acc = 0n;
      const x = m.left + i * step + (step - bw) / 2;
      series.forEach((s, si) => {
        const v = s.byBucket.get(c) ?? 0n;
        if (v <= 0n) return;
        const y0 = m.top + ph - y(acc + v);
        const h = y(acc + v) - y(acc);
        acc += v;
        const colour = s.label === 'Other models' ? OTHER : PALETTE[si % PALETTE.length];
        parts.push(
          `<rect class="mark" x="${x.toFixed(1)}" y="${y0.toFixed(1)}" width="${bw.toFixed(1)}" height="${Math.max(0.5, h).toFixed(1)}" fill="${colour}" data-bucket="${esc(c)}" data-model="${esc(s.label)}" data-pico="${v}"><title>${esc(c)} · ${esc(s.label)}: ${esc(fmtUsd(v))}</title></rect>`,
        );
      });
      if (i % every === 0)
        parts.push(
          `<text class="tick" x="${(m.left + i * step + step / 2).toFixed(1)}" y="${m.top + ph + 16}" text-anchor="middle">${esc(unit === 'hour' ? c.slice(5) : c.length > 7 ? c.slice(5) : c)}</text>`,
        );
    });
    const unitName = unit === 'hour' ? 'Hour' : unit === 'day' ? 'Day' : 'Month';
    parts.push(
      `<text class="axis" x="${m.left + pw / 2}" y="${H - 8}" text-anchor="middle">${unitName} (${esc(zone)})</text>`,
      `<text class="axis" transform="rotate(-90)" x="${-(m.top + ph / 2)}" y="14" text-anchor="middle">Cost per ${unit} (USD)</text>`,
    );
    const legend = series
      .map(
        (s, si) =>
          `<li><span class="swatch" style="background:${s.label === 'Other models' ? OTHER : PALETTE[si % PALETTE.length]}"></span>${esc(s.label)}</li>`,
      )
      .join('');
    const rows = cols.map((c, i) => [
      esc(c),
      ...series.map((s) => esc(fmtUsd(s.byBucket.get(c) ?? 0n))),
      esc(fmtUsd(totals[i]!)),
    ]);
    return (
      `<div class="chart-wrap" tabindex="0" role="region" aria-label="Chart, scrolls sideways on small screens"><svg class="chart" data-chart="cost-per-model" role="img" aria-label="Stacked columns: cost per ${unit} and model, in USD" viewBox="0 0 ${W} ${H}" width="100%">${parts.join('')}</svg></div>` +
      `<ul class="legend" aria-label="Models">${legend}</ul>` +
      `<details><summary>Show the numbers</summary>${table(
        'cost-per-model-over-time',
        `Cost per ${unit} and model (USD)`,
        [
          { label: `${unitName} (${esc(zone)})` },
          ...series.map((s) => ({ label: esc(s.label), num: true })),
          { label: 'Total (USD)', num: true },
        ],
        rows,
        '',
      )}</details>`
    );
  };

  // ---- one render of every view ----------------------------------------------------------------------
  const render = (s: Record<string, string>) => {
    for (const k of KEYS) form.querySelector(`select[name="${k}"]`).value = s[k] ?? '';
    const match = matcher(s);
    const total = group();
    let provided = 0n;
    let estimated = 0n;
    let sessionCost = 0n;
    const pricedSessions = new Set<number>();
    const allSessions = new Set<number>();
    const by: Record<string, Map<any, Group>> = {
      model: new Map(),
      provider: new Map(),
      user: new Map(),
      tenant: new Map(),
      operation: new Map(),
      environment: new Map(),
      session: new Map(),
      day: new Map(),
      month: new Map(),
    };
    const perBucketModel = new Map<string, Map<number, bigint>>();
    const usedBuckets: number[] = [];
    for (const f of facts) {
      if (!match(f[0], f[1], f[2], f[3], f[6], f[7])) continue;
      acc(total, f);
      if (f[14] !== null) provided += f[14];
      if (f[15] !== null) estimated += f[15];
      add(by.model!, f[1], f);
      add(by.provider!, f[2], f);
      add(by.user!, f[3], f);
      add(by.tenant!, f[4], f);
      add(by.operation!, f[5], f);
      add(by.environment!, f[6], f);
      const b = buckets[f[0]]!;
      add(by.day!, dayOf(b), f);
      add(by.month!, b.slice(0, 7), f);
      if (dims.session[f[8]] !== '') {
        const g = add(by.session!, f[8], f);
        (g.users ??= new Set()).add(f[3]);
        allSessions.add(f[8]);
        if (f[9] > f[10]) {
          pricedSessions.add(f[8]);
          if (f[13] !== null) sessionCost += f[13];
        }
      }
      if (f[13] !== null) {
        let mm = perBucketModel.get(b);
        if (!mm) {
          perBucketModel.set(b, (mm = new Map()));
          usedBuckets.push(f[0]);
        }
        mm.set(f[1], (mm.get(f[1]) ?? 0n) + f[13]);
      }
    }
    const priced = total.calls - total.unpriced;

    // KPI cards
    const kpis: [string, string, string, string][] = [
      [
        'total',
        'Total cost',
        priced > 0 ? fmtUsd(total.cost) : total.calls > 0 ? UNPRICED : fmtUsd(0n),
        `${int(priced)} priced calls`,
      ],
      ['calls', 'Calls', int(total.calls), `${int(total.tokens)} tokens`],
      [
        'avg-call',
        'Average per priced call',
        priced > 0 ? fmtUsd(total.cost / BigInt(priced)) : '—',
        'total cost ÷ priced calls',
      ],
      [
        'avg-session',
        'Average per session',
        pricedSessions.size > 0 ? fmtUsd(sessionCost / BigInt(pricedSessions.size)) : '—',
        `${int(allSessions.size)} sessions`,
      ],
      [
        'unpriced',
        'Unpriced calls',
        int(total.unpriced),
        total.unpriced > 0 ? 'no price known: not counted as $0' : 'every call has a price',
      ],
      [
        'provided',
        'Provided vs estimated',
        `${fmtUsd(provided)} provided`,
        `${fmtUsd(estimated)} estimated · ${fmtUsd(total.cost - provided - estimated)} from list prices`,
      ],
      [
        'failed',
        'Failed calls',
        int(total.failed),
        total.failed > 0 ? `${fmtUsd(total.failedCost)} spent on them` : 'none',
      ],
    ];
    // The exact figures behind the cards, for tests and devtools (integer pico-USD, counts).
    const raw: Record<string, string> = {
      total: priced > 0 ? String(total.cost) : '',
      calls: String(total.calls),
      'avg-call': priced > 0 ? String(total.cost / BigInt(priced)) : '',
      'avg-session': pricedSessions.size > 0 ? String(sessionCost / BigInt(pricedSessions.size)) : '',
      unpriced: String(total.unpriced),
      provided: `${provided}/${estimated}`,
      failed: `${total.failed}/${total.failedCost}`,
    };
    view(
      'kpis',
      kpis
        .map(
          ([k, label, value, note]) =>
            `<div class="kpi" data-kpi="${k}" data-raw="${esc(raw[k] ?? '')}"><div class="kpi-label">${esc(label)}</div><div class="kpi-value">${esc(value)}</div><div class="kpi-note">${esc(note)}</div></div>`,
        )
        .join(''),
    );

    // Chart: the bucket follows the filtered span (hours up to 3 days, days up to 4 months, then months).
    usedBuckets.sort((a, b) => a - b);
    const fromB = s.from
      ? Math.max(
          0,
          buckets.findIndex((b) => bucketText(b) === s.from),
        )
      : 0;
    const toIdx = s.to ? buckets.findIndex((b) => bucketText(b) === s.to) : -1;
    const toB = toIdx >= 0 ? toIdx : buckets.length - 1;
    const spanDays =
      buckets.length === 0
        ? 0
        : (Date.parse(`${buckets[toB]!.slice(0, 10)}T00:00:00Z`) -
            Date.parse(`${buckets[fromB]!.slice(0, 10)}T00:00:00Z`)) /
            86_400_000 +
          1;
    const unit = hourly && spanDays <= 3 ? 'hour' : spanDays <= 122 ? 'day' : 'month';
    const keyOf = (b: string) =>
      unit === 'hour' ? b.slice(0, 16) : unit === 'day' ? b.slice(0, 10) : b.slice(0, 7);
    const colSet: string[] = [];
    // Every bucket of the range gets a column, spent in or not, so gaps read as gaps.
    for (let i = fromB; i <= toB && i < buckets.length; i++) {
      const k = keyOf(buckets[i]!);
      if (colSet[colSet.length - 1] !== k) colSet.push(k);
    }
    const modelCost = [...by.model!.entries()]
      .filter(([, g]) => g.calls > g.unpriced)
      .sort((a, b) => (a[1].cost === b[1].cost ? 0 : a[1].cost > b[1].cost ? -1 : 1));
    const top = modelCost.slice(0, 7).map(([mi]) => mi);
    const series = top.map((mi) => ({
      label: dims.model[mi] as string,
      mi,
      byBucket: new Map<string, bigint>(),
    }));
    const other = { label: 'Other models', mi: -1, byBucket: new Map<string, bigint>() };
    for (const [b, mm] of perBucketModel) {
      const k = keyOf(b);
      for (const [mi, v] of mm) {
        const sr = series.find((x) => x.mi === mi) ?? other;
        sr.byBucket.set(k, (sr.byBucket.get(k) ?? 0n) + v);
      }
    }
    if (other.byBucket.size > 0) series.push(other);
    view('chart', chart(series, colSet, unit));
    view('chart-title', `Cost per model, per ${unit}`);

    // Breakdowns
    const breakdown = (name: string, caption: string, who: string, label: (k: any) => string) => {
      const rows = [...by[name]!.entries()].sort((a, b) =>
        a[1].cost === b[1].cost ? b[1].calls - a[1].calls : a[1].cost > b[1].cost ? -1 : 1,
      );
      return table(
        `by-${name}`,
        caption,
        [
          { label: who },
          { label: 'Cost (USD)', num: true },
          { label: 'Share', num: true },
          { label: 'Calls', num: true },
          { label: 'Unpriced', num: true, cls: 'opt' },
          { label: 'Avg / priced call (USD)', num: true, cls: 'opt' },
        ],
        rows.map(([k, g]) => {
          const p = g.calls - g.unpriced;
          return [
            esc(label(k)),
            esc(costText(g)),
            esc(p > 0 ? fmtPct(g.cost, total.cost) : ''),
            int(g.calls),
            int(g.unpriced),
            esc(p > 0 ? fmtUsd(g.cost / BigInt(p)) : '—'),
          ];
        }),
        'No calls match these filters.',
        rows.map(
          ([k, g]) =>
            `data-key="${esc(label(k))}" data-calls="${g.calls}" data-unpriced="${g.unpriced}" data-pico="${g.calls > g.unpriced ? g.cost : ''}"`,
        ),
      );
    };
    const named = (list: string[], none: string) => (i: number) => (list[i] === '' ? none : list[i]!);
    view('by-model', breakdown('model', 'Cost by model', 'Model', named(dims.model, '(unknown)')));
    view(
      'by-provider',
      breakdown('provider', 'Cost by provider', 'Provider', named(dims.provider, '(unknown)')),
    );
    view('by-user', breakdown('user', 'Cost by user', 'User', named(dims.user, '(no user)')));
    view('by-tenant', breakdown('tenant', 'Cost by tenant', 'Tenant', named(dims.tenant, '(no tenant)')));
    view(
      'by-operation',
      breakdown('operation', 'Cost by operation', 'Operation', named(dims.operation, '(unnamed)')),
    );
    view(
      'by-environment',
      breakdown('environment', 'Cost by environment', 'Environment', named(dims.environment, '(none)')),
    );

    // Top sessions, cost first
    const sessions = [...by.session!.entries()]
      .sort((a, b) => (a[1].cost === b[1].cost ? b[1].calls - a[1].calls : a[1].cost > b[1].cost ? -1 : 1))
      .slice(0, 10);
    view(
      'top-sessions',
      table(
        'top-sessions',
        'Top 10 sessions by cost',
        [
          { label: 'Cost (USD)', num: true },
          { label: 'Calls', num: true },
          { label: 'User' },
          { label: 'Session (Langfuse)' },
        ],
        sessions.map(([si, g]) => [
          esc(costText(g)),
          int(g.calls),
          esc([...(g.users ?? [])].map((u) => dims.user[u] || '(no user)').join(', ')),
          link('sessions', dims.session[si], shortId(dims.session[si])),
        ]),
        'No sessions match these filters.',
        sessions.map(
          ([si, g]) =>
            `data-key="${esc(dims.session[si])}" data-calls="${g.calls}" data-pico="${g.calls > g.unpriced ? g.cost : ''}"`,
        ),
      ),
    );

    // Listed calls: the most expensive and the failed ones, of those embedded that match.
    const listed = calls.filter((c: any[]) => match(c[1], c[5], c[6], c[7], c[10], c[11]));
    // Dearest first, then the newest, then by id: the order report-calls ranks them in.
    const topCalls = listed
      .filter((c: any[]) => c[15] !== null)
      .sort((a: any[], b: any[]) =>
        a[15] !== b[15]
          ? a[15] > b[15]
            ? -1
            : 1
          : a[0] !== b[0]
            ? a[0] > b[0]
              ? -1
              : 1
            : a[2] < b[2]
              ? -1
              : 1,
      )
      .slice(0, 10);
    const callRow = (c: any[]) => [
      esc(c[15] === null ? UNPRICED : fmtUsd(c[15])),
      esc(c[0].slice(0, 16)),
      esc(dims.model[c[5]]),
      esc(dims.operation[c[9]]),
      esc(dims.user[c[7]] || '(no user)'),
      int(c[14]),
      link('traces', c[3], shortId(c[3])),
    ];
    const callCols = [
      { label: 'Cost (USD)', num: true },
      { label: `Started (${esc(zone)})` },
      { label: 'Model' },
      { label: 'Operation', cls: 'opt' },
      { label: 'User', cls: 'opt' },
      { label: 'Tokens', num: true, cls: 'opt' },
      { label: 'Trace (Langfuse)' },
    ];
    const capped = data.listLimit;
    view(
      'top-requests',
      table(
        'top-requests',
        'Top 10 most expensive requests',
        callCols,
        topCalls.map(callRow),
        'No priced calls match these filters.',
        topCalls.map((c: any[]) => `data-key="${esc(c[2])}" data-pico="${c[15] ?? ''}"`),
      ) +
        `<p class="muted note">Picked from the window's ${int(capped)} most expensive calls and the ${int(data.perGroup)} most expensive of each model, provider, user, tag, environment and ${hourly ? 'hour' : 'day'}: exact for any one filter.</p>`,
    );
    const failed = listed
      .filter((c: any[]) => c[17] > 0)
      .sort((a: any[], b: any[]) => a[17] - b[17])
      .slice(0, 10);
    view(
      'failed',
      `<p class="lead" data-failed-total>${int(total.failed)} failed calls${total.failed > 0 ? ` · ${esc(fmtUsd(total.failedCost))} spent on them` : ''}</p>` +
        table(
          'failed-calls',
          'The 10 most recent failed calls',
          [
            { label: 'Cost (USD)', num: true },
            { label: `Started (${esc(zone)})` },
            { label: 'Model' },
            { label: 'Error', cls: 'wrap' },
            { label: 'Trace (Langfuse)' },
          ],
          failed.map((c: any[]) => [
            esc(c[15] === null ? UNPRICED : fmtUsd(c[15])),
            esc(c[0].slice(0, 16)),
            esc(dims.model[c[5]]),
            esc(c[13] || '(no message)'),
            link('traces', c[3], shortId(c[3])),
          ]),
          'No failed calls match these filters.',
          failed.map((c: any[]) => `data-key="${esc(c[2])}" data-pico="${c[15] ?? ''}"`),
        ),
    );

    // Budgets, each named with where its limit came from.
    const budgets = (data.budgets as any[]).map((b) => {
      const limit = BigInt(b.limitPico);
      const periods = [...(b.period === 'month' ? by.month! : by.day!).entries()].sort((x, y) =>
        x[0] < y[0] ? -1 : 1,
      );
      const over = periods.filter(([, g]) => g.cost > limit);
      const worst = periods.reduce((a: any, p) => (!a || p[1].cost > a[1].cost ? p : a), null);
      const per = b.period === 'month' ? 'month' : 'day';
      return (
        `<div class="budget" data-budget="${esc(b.period)}"><h3>${esc(b.label)}: ${esc(fmtUsd(limit))} per ${per}</h3>` +
        `<p class="muted">Limit from ${esc(b.origin)}.</p>` +
        `<p data-budget-summary>${over.length === 0 ? `<span class="ok">Within budget</span> on all ${int(periods.length)} ${per}s` : `<span class="over">Over budget</span> on ${int(over.length)} of ${int(periods.length)} ${per}s`}` +
        (worst
          ? ` · highest ${esc(worst[0])}: ${esc(fmtUsd(worst[1].cost))} (${esc(fmtPct(worst[1].cost, limit))} of the limit)`
          : '') +
        '</p>' +
        table(
          `over-${per}`,
          `${per === 'day' ? 'Days' : 'Months'} over the ${b.label.toLowerCase()}`,
          [
            { label: per === 'day' ? `Day (${esc(zone)})` : 'Month' },
            { label: 'Cost (USD)', num: true },
            { label: 'Of the limit', num: true },
          ],
          over.map(([k, g]) => [esc(k), esc(fmtUsd(g.cost)), esc(fmtPct(g.cost, limit))]),
          `No ${per} over ${fmtUsd(limit)}.`,
        ) +
        '</div>'
      );
    });
    view(
      'budgets',
      budgets.length > 0
        ? budgets.join('')
        : '<p class="muted" data-empty="budgets">No budget set. Pass <code>--daily-limit 25</code> or <code>--monthly-limit 500</code>, or set LANGFUSE_COST_DAILY_LIMIT / LANGFUSE_COST_MONTHLY_LIMIT.</p>',
    );

    const active = KEYS.filter((k) => s[k]).map((k) => `${k} ${s[k]}`);
    view(
      'active-filters',
      active.length > 0 ? `Filtered: ${esc(active.join(' · '))}` : 'All calls in the window',
    );
  };

  const update = () => render(readState());
  form.addEventListener('change', () => {
    const s: Record<string, string> = {};
    for (const k of KEYS) s[k] = form.querySelector(`select[name="${k}"]`).value;
    writeState(s);
    render(s);
  });
  form.addEventListener('reset', (ev: any) => {
    ev.preventDefault();
    writeState({});
    render(readState());
  });
  win.addEventListener('hashchange', update);
  update();
  doc.body.setAttribute('data-ready', String(Math.round(win.performance.now() - t0)));
}
