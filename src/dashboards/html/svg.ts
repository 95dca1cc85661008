/**
 * Small inline-SVG charts for the HTML report, rendered as text on the server: no script, no CDN.
 * Every mark carries `data-label` and `data-value` so a test (or a person with devtools) can read
 * the exact number a bar or point stands for.
 */

/** Escape text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A colour per series, readable on white and distinguishable for common colour-vision deficiencies. */
export const PALETTE = [
  '#2563eb',
  '#f59e0b',
  '#10b981',
  '#ef4444',
  '#8b5cf6',
  '#06b6d4',
  '#ec4899',
  '#84cc16',
];

/** One labelled value. */
export interface Point {
  label: string;
  value: number;
}

/** A horizontal bar split into segments (e.g. input and output cost). */
export interface StackedBar {
  label: string;
  segments: { name: string; value: number }[];
  /** The number printed at the end of the bar (default: sum of segments). */
  total?: number;
}

/** Common options. */
export interface ChartOptions {
  /** `data-chart` id of the SVG. */
  id: string;
  /** Accessible title. */
  title: string;
  /** How values print in labels and axis ticks. */
  format: (v: number) => string;
  width?: number;
  height?: number;
}

/** The smallest "nice" number (1, 2, 2.5, 5 × 10^k) at or above `v`. */
export function niceCeil(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const exp = Math.floor(Math.log10(v));
  const base = 10 ** exp;
  for (const m of [1, 2, 2.5, 5, 10]) if (m * base >= v * (1 - 1e-12)) return m * base;
  return 10 * base;
}

function round(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function emptyChart(o: ChartOptions, w: number, h: number): string {
  return (
    `<svg class="chart" data-chart="${esc(o.id)}" data-empty="true" role="img" viewBox="0 0 ${w} ${h}" width="100%">` +
    `<title>${esc(o.title)}</title><text x="${w / 2}" y="${h / 2}" text-anchor="middle" class="muted">No data in this window</text></svg>`
  );
}

/** Vertical bars over a category/time axis, with horizontal grid lines. */
export function columnChart(points: Point[], o: ChartOptions): string {
  const w = o.width ?? 720;
  const h = o.height ?? 260;
  if (points.length === 0) return emptyChart(o, w, h);
  const m = { top: 16, right: 12, bottom: 44, left: 72 };
  const pw = w - m.left - m.right;
  const ph = h - m.top - m.bottom;
  const max = niceCeil(Math.max(...points.map((p) => p.value), 0));
  const step = pw / points.length;
  const bw = Math.max(1, Math.min(48, step * 0.8));
  const parts: string[] = [];
  parts.push(gridY(max, m, pw, ph, o.format));
  const every = Math.max(1, Math.ceil(points.length / 12));
  points.forEach((p, i) => {
    const bh = max > 0 ? (Math.max(0, p.value) / max) * ph : 0;
    const x = m.left + i * step + (step - bw) / 2;
    const y = m.top + ph - bh;
    parts.push(
      `<rect class="mark" x="${round(x)}" y="${round(y)}" width="${round(bw)}" height="${round(bh)}" fill="${PALETTE[0]}" ` +
        `data-label="${esc(p.label)}" data-value="${p.value}"><title>${esc(p.label)}: ${esc(o.format(p.value))}</title></rect>`,
    );
    if (i % every === 0) {
      parts.push(
        `<text class="tick" x="${round(m.left + i * step + step / 2)}" y="${h - m.bottom + 16}" text-anchor="middle">${esc(shortLabel(p.label))}</text>`,
      );
    }
  });
  return svg(o, w, h, parts, max);
}

/** A line (with an area under it) over a category/time axis. */
export function lineChart(points: Point[], o: ChartOptions): string {
  const w = o.width ?? 720;
  const h = o.height ?? 260;
  if (points.length === 0) return emptyChart(o, w, h);
  const m = { top: 16, right: 16, bottom: 44, left: 72 };
  const pw = w - m.left - m.right;
  const ph = h - m.top - m.bottom;
  const max = niceCeil(Math.max(...points.map((p) => p.value), 0));
  const xAt = (i: number) => m.left + (points.length === 1 ? pw / 2 : (i / (points.length - 1)) * pw);
  const yAt = (v: number) => m.top + ph - (max > 0 ? (Math.max(0, v) / max) * ph : 0);
  const parts: string[] = [gridY(max, m, pw, ph, o.format)];
  const coords = points.map((p, i) => `${round(xAt(i))},${round(yAt(p.value))}`);
  parts.push(
    `<polygon points="${round(xAt(0))},${m.top + ph} ${coords.join(' ')} ${round(xAt(points.length - 1))},${m.top + ph}" fill="${PALETTE[0]}" fill-opacity="0.12"/>`,
  );
  parts.push(`<polyline points="${coords.join(' ')}" fill="none" stroke="${PALETTE[0]}" stroke-width="2"/>`);
  const every = Math.max(1, Math.ceil(points.length / 8));
  const dots = points.length <= 120;
  points.forEach((p, i) => {
    parts.push(
      `<circle class="mark" cx="${round(xAt(i))}" cy="${round(yAt(p.value))}" r="${dots ? 3 : 0}" fill="${PALETTE[0]}" ` +
        `data-label="${esc(p.label)}" data-value="${p.value}"><title>${esc(p.label)}: ${esc(o.format(p.value))}</title></circle>`,
    );
    const last = i === points.length - 1;
    // The last label always shows; an earlier one too close to it would overlap, so it is skipped.
    if ((i % every === 0 && points.length - 1 - i >= every) || last) {
      const anchor = points.length > 1 && i === 0 ? 'start' : last && points.length > 1 ? 'end' : 'middle';
      parts.push(
        `<text class="tick" x="${round(xAt(i))}" y="${h - m.bottom + 16}" text-anchor="${anchor}">${esc(shortLabel(p.label))}</text>`,
      );
    }
  });
  return svg(o, w, h, parts, max);
}

/** Horizontal stacked bars with the label on the left and the total on the right, plus a legend. */
export function barChart(bars: StackedBar[], o: ChartOptions): string {
  const w = o.width ?? 720;
  const rowH = 26;
  const names = [...new Set(bars.flatMap((b) => b.segments.map((s) => s.name)))];
  const legendH = names.length > 1 ? 24 : 0;
  const h = o.height ?? Math.max(80, bars.length * rowH + 16 + legendH);
  if (bars.length === 0) return emptyChart(o, w, 120);
  const m = { top: 8 + legendH, right: 96, bottom: 8, left: 200 };
  const pw = w - m.left - m.right;
  const totals = bars.map((b) => b.total ?? b.segments.reduce((a, s) => a + Math.max(0, s.value), 0));
  const max = Math.max(...totals, 0) || 1;
  const parts: string[] = [];
  if (legendH) {
    names.forEach((n, i) => {
      const x = m.left + i * 130;
      parts.push(
        `<rect x="${x}" y="6" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text class="tick" x="${x + 18}" y="16">${esc(n)}</text>`,
      );
    });
  }
  bars.forEach((b, i) => {
    const y = m.top + i * rowH;
    parts.push(
      `<text class="label" x="${m.left - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(truncate(b.label, 26))}<title>${esc(b.label)}</title></text>`,
    );
    let x = m.left;
    b.segments.forEach((s) => {
      const sw = (Math.max(0, s.value) / max) * pw;
      const ci = names.indexOf(s.name);
      parts.push(
        `<rect class="mark" x="${round(x)}" y="${y + 4}" width="${round(sw)}" height="${rowH - 8}" fill="${PALETTE[ci % PALETTE.length]}" ` +
          `data-label="${esc(b.label)}" data-series="${esc(s.name)}" data-value="${s.value}"><title>${esc(b.label)} — ${esc(s.name)}: ${esc(o.format(s.value))}</title></rect>`,
      );
      x += sw;
    });
    parts.push(
      `<text class="value" x="${round(x + 6)}" y="${y + rowH / 2 + 4}" data-label="${esc(b.label)}" data-total="${totals[i]}">${esc(o.format(totals[i]!))}</text>`,
    );
  });
  return svg(o, w, h, parts, max);
}

/** One model's cost spread for {@link rangeChart}. */
export interface Spread {
  label: string;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Per-row spread on a log scale: a min–max whisker, a p50–p90 box, and ticks at p50 and p99. */
export function rangeChart(rows: Spread[], o: ChartOptions): string {
  const w = o.width ?? 720;
  const rowH = 30;
  if (rows.length === 0) return emptyChart(o, w, 120);
  const m = { top: 8, right: 24, bottom: 36, left: 200 };
  const h = o.height ?? rows.length * rowH + m.top + m.bottom;
  const pw = w - m.left - m.right;
  const positive = rows.flatMap((r) => [r.min, r.max]).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(positive.length ? Math.min(...positive) : 1e-6));
  const hi =
    10 ** Math.max(Math.ceil(Math.log10(positive.length ? Math.max(...positive) : 1)), Math.log10(lo) + 1);
  const xAt = (v: number) =>
    m.left + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * pw;
  const parts: string[] = [];
  for (let e = Math.log10(lo); e <= Math.log10(hi) + 1e-9; e++) {
    const x = xAt(10 ** e);
    parts.push(
      `<line class="grid" x1="${round(x)}" x2="${round(x)}" y1="${m.top}" y2="${h - m.bottom}"/>` +
        `<text class="tick" x="${round(x)}" y="${h - m.bottom + 16}" text-anchor="middle">${esc(o.format(10 ** e))}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const cy = m.top + i * rowH + rowH / 2;
    const attrs = `data-label="${esc(r.label)}" data-min="${r.min}" data-p50="${r.p50}" data-p90="${r.p90}" data-p99="${r.p99}" data-max="${r.max}"`;
    parts.push(
      `<text class="label" x="${m.left - 8}" y="${cy + 4}" text-anchor="end">${esc(truncate(r.label, 26))}<title>${esc(r.label)}</title></text>`,
      `<g class="mark" ${attrs}><title>${esc(r.label)}: min ${esc(o.format(r.min))}, p50 ${esc(o.format(r.p50))}, p90 ${esc(o.format(r.p90))}, p99 ${esc(o.format(r.p99))}, max ${esc(o.format(r.max))}</title>` +
        `<line x1="${round(xAt(r.min))}" x2="${round(xAt(r.max))}" y1="${cy}" y2="${cy}" stroke="#64748b" stroke-width="1.5"/>` +
        `<rect x="${round(xAt(r.p50))}" y="${cy - 8}" width="${round(Math.max(1, xAt(r.p90) - xAt(r.p50)))}" height="16" fill="${PALETTE[0]}" fill-opacity="0.35" stroke="${PALETTE[0]}"/>` +
        `<line data-q="p50" x1="${round(xAt(r.p50))}" x2="${round(xAt(r.p50))}" y1="${cy - 9}" y2="${cy + 9}" stroke="${PALETTE[0]}" stroke-width="3"/>` +
        `<line data-q="p99" x1="${round(xAt(r.p99))}" x2="${round(xAt(r.p99))}" y1="${cy - 9}" y2="${cy + 9}" stroke="${PALETTE[3]}" stroke-width="3"/>` +
        `</g>`,
    );
  });
  return svg(o, w, h, parts, hi);
}

function gridY(
  max: number,
  m: { top: number; left: number },
  pw: number,
  ph: number,
  format: (v: number) => string,
): string {
  const out: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = m.top + ph - (ph * i) / 4;
    out.push(
      `<line class="grid" x1="${m.left}" x2="${m.left + pw}" y1="${round(y)}" y2="${round(y)}"/>` +
        `<text class="tick" x="${m.left - 8}" y="${round(y + 4)}" text-anchor="end">${esc(format(v))}</text>`,
    );
  }
  return out.join('');
}

function svg(o: ChartOptions, w: number, h: number, parts: string[], scaleMax: number): string {
  return (
    `<svg class="chart" data-chart="${esc(o.id)}" data-scale-max="${scaleMax}" role="img" viewBox="0 0 ${w} ${h}" width="100%">` +
    `<title>${esc(o.title)}</title>${parts.join('')}</svg>`
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function shortLabel(s: string): string {
  // "2026-11-22" → "11-22"; "2026-11-22 10:00:00" → "11-22 10h".
  const dt = /^\d{4}-(\d{2}-\d{2})(?: (\d{2}):\d{2}:\d{2})?$/.exec(s);
  if (dt) return dt[2] ? `${dt[1]} ${dt[2]}h` : dt[1]!;
  return truncate(s, 14);
}
