/**
 * The HTML report, written by `langfuse-cost dashboards html` from a ledger and opened in headless
 * Chromium (Debian's `chromium` through playwright-core): it loads offline without console errors, and
 * its KPI cards and charts carry and draw the numbers of the data (checked against the JS oracle).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import {
  type Call,
  type Dataset,
  dayIn,
  FROM,
  generateDataset,
  groupBy,
  ledgerLines,
  type OracleParams,
  PROJECT,
  quantileExact,
  seenCalls,
  sumPico,
  TO,
} from '../helpers/dashboards-dataset.js';

// Debian's chromium package (`npm test` installs it when missing: scripts/setup-test-env.mjs);
// CHROMIUM_PATH points elsewhere.
const CHROMIUM =
  process.env.CHROMIUM_PATH ?? onPath('chromium') ?? onPath('chromium-browser') ?? '/usr/bin/chromium';

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((f) => existsSync(f));
}
const XSS_MODEL = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

const d: Dataset = generateDataset(3);
// A model whose name is markup: it must show as text.
const template = d.calls.find(
  (c) => c.projectId === PROJECT && c.startMs >= FROM + 86_400_000 && c.cost.total,
)!;
const xssCall: Call = { ...template, id: 'obs-xss', model: XSS_MODEL, deleted: false };
d.calls.push(xssCall);

const dir = mkdtempSync(join(tmpdir(), 'lc-dash-html-'));
const base: OracleParams = { projectId: PROJECT, from: FROM, to: TO };
const seen = seenCalls(d, base);
const asPico = (v: string | null) => BigInt(Math.round(Number(v) * 1e12));

let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const requests: string[] = [];
let report = '';

beforeAll(async () => {
  const ledger = join(dir, 'ledger.jsonl');
  writeFileSync(ledger, `${ledgerLines(d).join('\n')}\n`);
  report = join(dir, 'report.html');
  const run = await runCli(
    [
      'dashboards',
      'html',
      '--ledger',
      ledger,
      '--project-id',
      PROJECT,
      '--from',
      new Date(FROM).toISOString(),
      '--to',
      new Date(TO).toISOString(),
      '--out',
      report,
    ],
    { timeoutMs: 90_000 },
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/wrote .*report\.html \(16\/16 dashboards/);
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (dlg) => {
    consoleErrors.push(`dialog: ${dlg.message()}`);
    void dlg.dismiss();
  });
  await page.goto(`file://${report}`);
  await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (!process.env.KEEP_REPORT) rmSync(dir, { recursive: true, force: true });
});

describe('HTML cost report in Chromium', () => {
  it('is one self-contained file that loads without errors or network', async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([`file://${report}`]);
    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.title()).toBe('LLM cost report');
  });

  it('shows the KPI totals of the data', async () => {
    const total = sumPico(seen);
    const kpi = async (k: string) => page.getAttribute(`[data-kpi="${k}"]`, 'data-value');
    expect(asPico(await kpi('total_cost_usd'))).toBe(total);
    expect(Number(await kpi('requests'))).toBe(seen.length);
    const sessions = new Set(seen.filter((s) => s.trace.sessionId).map((s) => s.trace.sessionId));
    expect(Number(await kpi('sessions'))).toBe(sessions.size);
    const text = await page.textContent('[data-kpi="total_cost_usd"] .kpi-value');
    expect(text).toBe(
      `$${(Number(total) / 1e12).toLocaleString('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 })}`,
    );
  });

  it('draws one bar per day, as high as that day’s cost', async () => {
    const perDay = [...groupBy(seen, (s) => dayIn(s.startMs))]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([day, xs]) => [day, sumPico(xs)] as const);
    const bars = await page.$$eval('svg[data-chart="cost-daily"] rect.mark', (els) =>
      els.map((e) => ({
        label: e.getAttribute('data-label'),
        value: e.getAttribute('data-value'),
        height: e.getBoundingClientRect().height,
      })),
    );
    expect(bars.map((b) => b.label)).toEqual(perDay.map(([day]) => day));
    bars.forEach((b, i) => expect(asPico(b.value)).toBe(perDay[i]![1]));
    // Rendered heights are proportional to the values.
    const tallest = bars.reduce((a, b) => (b.height > a.height ? b : a));
    const maxValue = Number(tallest.value);
    for (const b of bars) expect(b.height / tallest.height).toBeCloseTo(Number(b.value) / maxValue, 2);
    expect(tallest.height).toBeGreaterThan(50);
  });

  it('draws cost by model and provider with the totals of the data, dearest first', async () => {
    const byModel = [...groupBy(seen, (s) => s.modelName)]
      .map(([m, xs]) => [m, sumPico(xs)] as const)
      .sort((a, b) => (a[1] !== b[1] ? (a[1] > b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
    const totals = await page.$$eval('svg[data-chart="cost-by-model"] text.value', (els) =>
      els.map((e) => [e.getAttribute('data-label'), e.getAttribute('data-total')]),
    );
    expect(totals.map(([l]) => l)).toEqual(byModel.map(([m]) => m));
    totals.forEach(([, v], i) => expect(asPico(v)).toBe(byModel[i]![1]));
    // The markup-named model is shown as its literal text.
    const labels = await page.$$eval('svg[data-chart="cost-by-model"] text.label title', (els) =>
      els.map((e) => e.textContent),
    );
    expect(labels).toContain(XSS_MODEL);
    // Segment widths: input and output of the dearest model are proportional to their costs.
    const top = seen.filter((s) => s.modelName === byModel[0]![0]);
    const seg = await page.$$eval('svg[data-chart="cost-by-model"] rect.mark', (els) =>
      els.map((e) => ({
        label: e.getAttribute('data-label'),
        series: e.getAttribute('data-series'),
        width: e.getBoundingClientRect().width,
      })),
    );
    const inW = seg.find((s) => s.label === byModel[0]![0] && s.series === 'input')!.width;
    const outW = seg.find((s) => s.label === byModel[0]![0] && s.series === 'output')!.width;
    expect(inW / outW).toBeCloseTo(
      Number(sumPico(top, (s) => s.inputCost)) / Number(sumPico(top, (s) => s.outputCost)),
      1,
    );

    const byProvider = [...groupBy(seen, (s) => s.providerName)]
      .map(([p, xs]) => [p, sumPico(xs)] as const)
      .sort((a, b) => (a[1] !== b[1] ? (a[1] > b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
    const pTotals = await page.$$eval('svg[data-chart="cost-by-provider"] text.value', (els) =>
      els.map((e) => [e.getAttribute('data-label'), e.getAttribute('data-total')]),
    );
    expect(pTotals.map(([l]) => l)).toEqual(byProvider.map(([p]) => p));
    pTotals.forEach(([, v], i) => expect(asPico(v)).toBe(byProvider[i]![1]));
  });

  it('draws the top sessions and the cost distribution of the data', async () => {
    const sessions = [
      ...groupBy(
        seen.filter((s) => s.trace.sessionId),
        (s) => s.trace.sessionId!,
      ),
    ]
      .map(([k, xs]) => [k, sumPico(xs)] as const)
      .sort((a, b) => (a[1] !== b[1] ? (a[1] > b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
      .slice(0, 10);
    const bars = await page.$$eval('svg[data-chart="top-sessions"] text.value', (els) =>
      els.map((e) => [e.getAttribute('data-label'), e.getAttribute('data-total')]),
    );
    expect(bars.map(([l]) => l)).toEqual(sessions.map(([k]) => k));
    bars.forEach(([, v], i) => expect(asPico(v)).toBe(sessions[i]![1]));

    const marks = await page.$$eval('svg[data-chart="cost-distribution"] g.mark', (els) =>
      els.map((e) => ({
        label: e.getAttribute('data-label'),
        p50: e.getAttribute('data-p50'),
        p99: e.getAttribute('data-p99'),
        max: e.getAttribute('data-max'),
      })),
    );
    expect(marks.length).toBeGreaterThan(2);
    for (const m of marks) {
      const costs = seen
        .filter((s) => s.modelName === m.label && s.totalPico !== null)
        .map((s) => s.totalPico!)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(asPico(m.p50)).toBe(quantileExact(costs, 0.5));
      expect(asPico(m.p99)).toBe(quantileExact(costs, 0.99));
      expect(asPico(m.max)).toBe(costs[costs.length - 1]);
    }
  });

  it('has a section for every dashboard and a readable table for the rest', async () => {
    const sections = await page.$$eval('[data-dashboard]', (els) =>
      els.map((e) => e.getAttribute('data-dashboard')),
    );
    expect(sections).toHaveLength(16);
    const failedRows = await page.$$('table[data-table="failed-calls"] tbody tr');
    const failed = seen.filter((s) => s.level === 'ERROR').length;
    expect(failedRows.length).toBe(Math.min(15, failed));
    const errorBoxes = await page.$$('.error');
    expect(errorBoxes).toHaveLength(0);
  });
});
