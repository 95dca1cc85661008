/**
 * The HTML report, written by `langfuse-cost dashboards html` from a ledger and opened in headless
 * Chromium (Debian's `chromium` through playwright-core), at 1280 px and on a 390 px phone. It loads
 * offline without console errors; every figure, before and after each filter, equals the one computed
 * here from the generated calls (prices written by the test helper, integer pico-USD); trace and session
 * ids link to the configured Langfuse. Screenshots are kept under `.scratch/artifacts/` (paths printed).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { ARTIFACTS, CHROMIUM, launchChromium } from '../../helpers/dashboards-browser.js';
import {
  type Call,
  type Dataset,
  FROM,
  generateDataset,
  groupBy,
  hourIn,
  ledgerLines,
  type OracleParams,
  PROJECT,
  type Seen,
  seenCalls,
  sumPico,
  TO,
} from '../../helpers/dashboards-dataset.js';

const XSS_MODEL = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
const LANGFUSE = 'https://langfuse.example.test';
const LF_PROJECT = 'lf-proj 1';

const d: Dataset = generateDataset(3);
const template = d.calls.find(
  (c) => c.projectId === PROJECT && c.startMs >= FROM + 86_400_000 && c.cost.total,
)!;
// A model whose name is markup: it must show as text. A model with no price: "unpriced", never $0.
const xssCall: Call = { ...template, id: 'obs-xss', model: XSS_MODEL, deleted: false };
const unpricedCall: Call = {
  ...template,
  id: 'obs-mystery',
  model: 'mystery-model',
  cost: {},
  deleted: false,
};
d.calls.push(xssCall, unpricedCall);
// Some calls run in staging (the ledger's environment field).
d.calls.forEach((c, i) => {
  if (i % 4 === 2) c.environment = 'staging';
});

const dir = mkdtempSync(join(tmpdir(), 'lc-dash-html-'));
const base: OracleParams = { projectId: PROJECT, from: FROM, to: TO };
const seen = seenCalls(d, base);
const priced = (xs: Seen[]) => xs.filter((s) => s.totalPico !== null);
const byCost = (a: [string, bigint], b: [string, bigint]) =>
  a[1] !== b[1] ? (a[1] > b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1;

let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const requests: string[] = [];
let report = '';
let url = '';

async function openPage(width: number): Promise<Page> {
  const p = await browser.newPage({ viewport: { width, height: 900 } });
  p.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text());
  });
  p.on('pageerror', (e) => consoleErrors.push(String(e)));
  p.on('request', (r) => requests.push(r.url()));
  p.on('dialog', (dlg) => {
    consoleErrors.push(`dialog: ${dlg.message()}`);
    void dlg.dismiss();
  });
  await p.goto(url);
  await p.waitForSelector('body[data-ready]');
  return p;
}

/** `dashboards html` on the test ledger and window, with more flags. */
function writeReport(out: string, flags: string[]) {
  return runCli(
    [
      'dashboards',
      'html',
      '--ledger',
      join(dir, 'ledger.jsonl'),
      '--project-id',
      PROJECT,
      '--from',
      new Date(FROM).toISOString(),
      '--to',
      new Date(TO).toISOString(),
      ...flags,
      '--out',
      out,
    ],
    { timeoutMs: 90_000, env: { LANGFUSE_COST_TIMEZONE: '', LANGFUSE_BASE_URL: '' } },
  );
}

beforeAll(async () => {
  const ledger = join(dir, 'ledger.jsonl');
  writeFileSync(ledger, `${ledgerLines(d).join('\n')}\n`);
  report = join(dir, 'report.html');
  url = `file://${report}`;
  const run = await writeReport(report, [
    '--tz',
    'UTC',
    '--langfuse-url',
    `${LANGFUSE}/`,
    '--langfuse-project',
    LF_PROJECT,
    '--daily-limit',
    '4.5',
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(
    /wrote .*report\.html \(\d+ KiB: [\d,]+ aggregated rows by hour, times in UTC, linked to Langfuse\)/,
  );
  browser = await launchChromium();
  page = await openPage(1280);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (!process.env.KEEP_REPORT) rmSync(dir, { recursive: true, force: true });
});

/** The exact figures of the KPI cards and of a breakdown table, as the page shows them now. */
async function shown(p: Page, table = 'by-model') {
  const kpi = async (k: string) => (await p.getAttribute(`[data-kpi="${k}"]`, 'data-raw')) ?? '';
  const rows = await p.$$eval(`table[data-table="${table}"] tbody tr`, (els) =>
    els.map((e) => [
      e.getAttribute('data-key') ?? '',
      e.getAttribute('data-pico') ?? '',
      e.getAttribute('data-calls') ?? '',
      e.querySelector('td')?.textContent ?? '',
    ]),
  );
  return { total: await kpi('total'), calls: await kpi('calls'), unpriced: await kpi('unpriced'), rows };
}

/** What the page must show for these calls. */
function expected(xs: Seen[], key: (s: Seen) => string = (s) => s.modelName) {
  const groups = [...groupBy(xs, key)].map(([k, g]) => [k, sumPico(priced(g)), g] as const);
  groups.sort((a, b) => (a[1] !== b[1] ? (a[1] > b[1] ? -1 : 1) : b[2].length - a[2].length));
  return {
    total: priced(xs).length > 0 ? String(sumPico(priced(xs))) : '',
    calls: String(xs.length),
    unpriced: String(xs.length - priced(xs).length),
    rows: groups.map(([k, cost, g]) => [k, priced(g).length > 0 ? String(cost) : '', String(g.length)]),
  };
}

async function setFilter(p: Page, name: string, value: string) {
  await p.selectOption(`select[name="${name}"]`, value);
}

describe('HTML cost report in Chromium', () => {
  // Every test starts from the unfiltered report, whatever ran before it.
  beforeEach(async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-ready]');
  });

  it('is one self-contained file that loads without errors or network', async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    expect(consoleErrors).toEqual([]);
    // Only the report files themselves are ever loaded: no network, no other file.
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => !r.startsWith(`file://${dir}/report`))).toEqual([]);
    const html = readFileSync(report, 'utf8');
    // No external script, style, font or image: the only script is inline and allowed by its hash.
    expect(html).not.toMatch(/<script[^>]+src=|<link|@import|url\(|@font-face/);
    expect(html).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.title()).toBe('LLM cost report');
    expect(await page.textContent('[data-zone]')).toBe('UTC');
  });

  it('shows the KPI totals, cost by model and by provider of the whole window', async () => {
    const s = await shown(page);
    const e = expected(seen);
    expect(s.total).toBe(e.total);
    expect(s.calls).toBe(e.calls);
    expect(s.unpriced).toBe(e.unpriced);
    expect(s.rows.map((r) => r.slice(0, 3))).toEqual(e.rows);
    const avg = BigInt(e.total) / BigInt(priced(seen).length);
    expect(await page.getAttribute('[data-kpi="avg-call"]', 'data-raw')).toBe(String(avg));
    // Per session: the priced calls of sessions over the sessions with a priced call.
    const inSessions = priced(seen).filter((x) => x.trace.sessionId);
    const sessions = new Set(inSessions.map((x) => x.trace.sessionId));
    expect(await page.getAttribute('[data-kpi="avg-session"]', 'data-raw')).toBe(
      String(sumPico(inSessions) / BigInt(sessions.size)),
    );
    const failed = seen.filter((x) => x.level === 'ERROR');
    expect(await page.getAttribute('[data-kpi="failed"]', 'data-raw')).toBe(
      `${failed.length}/${sumPico(priced(failed))}`,
    );
    const prov = await shown(page, 'by-provider');
    expect(prov.rows.map((r) => r.slice(0, 3))).toEqual(expected(seen, (x) => x.providerName).rows);
    // The markup-named model is shown as its literal text; the unpriced one reads "unpriced", not $0.
    expect(s.rows.map((r) => r[0])).toContain(XSS_MODEL);
    expect(s.rows.find((r) => r[0] === 'mystery-model')?.[3]).toBe('unpriced');
  });

  it('stacks cost per model per hour, adding up to the total', async () => {
    expect(await page.textContent('[data-view="chart-title"]')).toBe('Cost per model, per hour');
    const marks = await page.$$eval('svg[data-chart="cost-per-model"] rect.mark', (els) =>
      els.map((e) => [
        e.getAttribute('data-bucket') ?? '',
        e.getAttribute('data-model') ?? '',
        e.getAttribute('data-pico') ?? '',
      ]),
    );
    expect(marks.reduce((a, m) => a + BigInt(m[2]), 0n)).toBe(sumPico(priced(seen)));
    // One hour, one model: the same sum as the calls of that hour and model.
    const [bucket, model, pico] = marks[0]!;
    const inHour = priced(seen).filter(
      (x) => hourIn(x.startMs).slice(0, 16) === bucket && x.modelName === model,
    );
    if (model !== 'Other models') expect(BigInt(pico)).toBe(sumPico(inHour));
    const axis = await page.$$eval('svg[data-chart="cost-per-model"] text.axis', (els) =>
      els.map((e) => e.textContent),
    );
    expect(axis).toEqual(['Hour (UTC)', 'Cost per hour (USD)']);
  });

  it('lists top sessions and the most expensive requests cost first, linked to Langfuse', async () => {
    const sessions = [
      ...groupBy(
        seen.filter((x) => x.trace.sessionId),
        (x) => x.trace.sessionId!,
      ),
    ]
      .map(([k, xs]) => [k, sumPico(priced(xs))] as [string, bigint])
      .sort(byCost)
      .slice(0, 10);
    const s = await shown(page, 'top-sessions');
    expect(s.rows.map((r) => [r[0], r[1]])).toEqual(sessions.map(([k, v]) => [k, String(v)]));
    const sessionLinks = await page.$$eval('table[data-table="top-sessions"] a[data-link]', (els) =>
      els.map((e) => e.getAttribute('href')),
    );
    expect(sessionLinks).toEqual(
      sessions.map(
        ([k]) => `${LANGFUSE}/project/${encodeURIComponent(LF_PROJECT)}/sessions/${encodeURIComponent(k)}`,
      ),
    );
    const top = priced(seen)
      .sort((a, b) =>
        a.totalPico !== b.totalPico ? (a.totalPico! > b.totalPico! ? -1 : 1) : b.startMs - a.startMs,
      )
      .slice(0, 10);
    const req = await shown(page, 'top-requests');
    expect(req.rows.map((r) => [r[0], r[1]])).toEqual(top.map((x) => [x.id, String(x.totalPico)]));
    const heads = await page.$$eval('table[data-table="top-requests"] thead th', (els) =>
      els.map((e) => e.textContent),
    );
    expect(heads[0]).toBe('Cost (USD)');
    const traceLinks = await page.$$eval('table[data-table="top-requests"] a[data-link]', (els) =>
      els.map((e) => e.getAttribute('href')),
    );
    expect(traceLinks).toEqual(
      top.map(
        (x) =>
          `${LANGFUSE}/project/${encodeURIComponent(LF_PROJECT)}/traces/${encodeURIComponent(x.traceId)}`,
      ),
    );
  });

  it('names the budget and lists the days over it', async () => {
    expect(await page.textContent('[data-budget="day"] h3')).toBe('Daily limit: $4.50 per day');
    const perDay = [...groupBy(priced(seen), (x) => new Date(x.startMs).toISOString().slice(0, 10))]
      .map(([k, xs]) => [k, sumPico(xs)] as [string, bigint])
      .filter(([, v]) => v > 4_500_000_000_000n)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const rows = await page.$$eval('table[data-table="over-day"] tbody tr th', (els) =>
      els.map((e) => e.textContent),
    );
    expect(rows).toEqual(perDay.map(([k]) => k));
  });

  for (const [name, value, keep] of [
    ['model', 'claude-sonnet-4-5', (x: Seen) => x.modelName === 'claude-sonnet-4-5'],
    ['provider', 'openai', (x: Seen) => x.providerName === 'openai'],
    ['user', 'bob', (x: Seen) => x.trace.userId === 'bob'],
    ['tag', 'beta', (x: Seen) => x.trace.tags.includes('beta')],
    ['environment', 'staging', (x: Seen) => x.environment === 'staging'],
  ] as const) {
    it(`filters every view by ${name}, and keeps the filter in the URL`, async () => {
      await page.goto(url);
      await page.waitForSelector('body[data-ready]');
      await setFilter(page, name, value);
      const xs = seen.filter(keep);
      const e = expected(xs);
      const s = await shown(page);
      expect([s.total, s.calls, s.unpriced]).toEqual([e.total, e.calls, e.unpriced]);
      expect(s.rows.map((r) => r.slice(0, 3))).toEqual(e.rows);
      const users = await shown(page, 'by-user');
      expect(users.rows.map((r) => r.slice(0, 3))).toEqual(
        expected(xs, (x) => x.trace.userId ?? '(no user)').rows,
      );
      const marks = await page.$$eval('svg[data-chart="cost-per-model"] rect.mark', (els) =>
        els.map((el) => el.getAttribute('data-pico') ?? '0'),
      );
      expect(marks.reduce((a, m) => a + BigInt(m), 0n)).toBe(sumPico(priced(xs)));
      // Every call of this small window is embedded (fewer than the 200 listed), so the list is exact.
      expect(seen.length).toBeLessThan(200);
      const top = priced(xs)
        .sort((a, b) =>
          a.totalPico !== b.totalPico ? (a.totalPico! > b.totalPico! ? -1 : 1) : b.startMs - a.startMs,
        )
        .slice(0, 10)
        .map((x) => x.id);
      expect((await shown(page, 'top-requests')).rows.map((r) => r[0])).toEqual(top);
      const failed = xs.filter((x) => x.level === 'ERROR');
      expect(await page.getAttribute('[data-kpi="failed"]', 'data-raw')).toBe(
        `${failed.length}/${sumPico(priced(failed))}`,
      );
      expect(new URL(page.url()).hash).toBe(`#${new URLSearchParams({ [name]: value })}`);
      // The shared link opens the same view.
      const other = await openPage(1280);
      await other.goto(page.url());
      await other.reload();
      await other.waitForSelector('body[data-ready]');
      expect((await shown(other)).total).toBe(e.total);
      expect(await other.inputValue(`select[name="${name}"]`)).toBe(value);
      await other.close();
    });
  }

  it("lists the dearest calls of a filtered view exactly, beyond the window's top calls", async () => {
    // Only the 3 dearest calls of the window, plus the 10 dearest of each model, provider, user, … .
    const small = join(dir, 'report-small.html');
    const run = await writeReport(small, ['--param', 'limit=3']);
    expect(run.code).toBe(0);
    const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (const [filter, value, keep] of [
      ['model', 'gemini-2.5-flash', (x: Seen) => x.modelName === 'gemini-2.5-flash'],
      ['model', 'gpt-4o-2024-08-06', (x: Seen) => x.modelName === 'gpt-4o-2024-08-06'],
      ['tag', 'beta', (x: Seen) => x.trace.tags.includes('beta')],
      ['user', 'bob', (x: Seen) => x.trace.userId === 'bob'],
    ] as const) {
      await p.goto(`file://${small}#${filter}=${encodeURIComponent(value)}`);
      await p.reload();
      await p.waitForSelector('body[data-ready]');
      const top = priced(seen.filter(keep))
        .sort((a, b) =>
          a.totalPico !== b.totalPico ? (a.totalPico! > b.totalPico! ? -1 : 1) : b.startMs - a.startMs,
        )
        .slice(0, 10)
        .map((x) => x.id);
      expect(top.length).toBe(10);
      expect(
        (await shown(p, 'top-requests')).rows.map((r) => r[0]),
        value,
      ).toEqual(top);
    }
    expect(await p.textContent('[data-view="top-requests"] .note')).toMatch(
      /window's 3 most expensive calls and the 10/,
    );
    await p.close();
  });

  it('filters by time range and by several filters at once', async () => {
    await page.goto(
      `${url}#from=${encodeURIComponent('2026-11-02 00:00')}&to=${encodeURIComponent('2026-11-02 23:00')}`,
    );
    await page.reload();
    await page.waitForSelector('body[data-ready]');
    const day = (x: Seen) => new Date(x.startMs).toISOString().slice(0, 10) === '2026-11-02';
    let s = await shown(page);
    let e = expected(seen.filter(day));
    expect([s.total, s.calls, s.unpriced, s.rows.map((r) => r.slice(0, 3))]).toEqual([
      e.total,
      e.calls,
      e.unpriced,
      e.rows,
    ]);
    await setFilter(page, 'provider', 'openai');
    s = await shown(page);
    e = expected(seen.filter((x) => day(x) && x.providerName === 'openai'));
    expect([s.total, s.calls, s.rows.map((r) => r.slice(0, 3))]).toEqual([e.total, e.calls, e.rows]);
    const failed = seen.filter((x) => day(x) && x.providerName === 'openai' && x.level === 'ERROR');
    expect(await page.getAttribute('[data-kpi="failed"]', 'data-raw')).toBe(
      `${failed.length}/${sumPico(priced(failed))}`,
    );
    await page.click('button[type="reset"]');
    expect((await shown(page)).total).toBe(expected(seen).total);
    expect(new URL(page.url()).hash).toBe('');
  });

  it('reads at 1280 px and on a 390 px phone, in dark mode and in print (screenshots kept)', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.goto(url);
    await page.waitForSelector('body[data-ready]');
    const wide = join(ARTIFACTS, 'report-1280.png');
    await page.screenshot({ path: wide, fullPage: true });
    const phone = await openPage(390);
    // Nothing is wider than the phone but the tables, which scroll inside their own box.
    expect(
      await phone.evaluate(() => (globalThis as any).document.documentElement.scrollWidth),
    ).toBeLessThanOrEqual(390);
    const firstCost = await phone.$eval('table[data-table="top-requests"] tbody td', (el) => {
      const r = el.getBoundingClientRect();
      return r.right;
    });
    expect(firstCost).toBeLessThanOrEqual(390);
    const narrow = join(ARTIFACTS, 'report-390.png');
    await phone.screenshot({ path: narrow, fullPage: true });
    await phone.emulateMedia({ colorScheme: 'dark' });
    const bg = await phone.evaluate(
      () => (globalThis as any).getComputedStyle((globalThis as any).document.body).backgroundColor,
    );
    expect(bg).toBe('rgb(11, 18, 32)');
    await phone.screenshot({ path: join(ARTIFACTS, 'report-390-dark.png'), fullPage: false });
    await phone.emulateMedia({ media: 'print', colorScheme: 'light' });
    expect(await phone.isVisible('select[name="model"]')).toBe(false);
    expect(await phone.isVisible('[data-view="active-filters"]')).toBe(true);
    await phone.close();
    console.log(`screenshots: ${wide} ${narrow}`);
    expect(consoleErrors).toEqual([]);
  });

  it('is usable from the keyboard, with labelled filters and real tables', async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-ready]');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement.getAttribute('name'))).toBe(
      'from',
    );
    // The focused filter shows a visible ring.
    expect(
      await page.evaluate(
        () => (globalThis as any).getComputedStyle((globalThis as any).document.activeElement).outlineStyle,
      ),
    ).toBe('solid');
    const unlabelled = await page.$$eval('select', (els) => els.filter((e) => !e.closest('label')).length);
    expect(unlabelled).toBe(0);
    const tables = await page.$$eval('table', (els) =>
      els.map((t) => [!!t.querySelector('caption'), t.querySelectorAll('thead th[scope="col"]').length > 0]),
    );
    expect(tables.length).toBeGreaterThan(8);
    for (const t of tables) expect(t).toEqual([true, true]);
    // Text contrast of body, muted and link text, light and dark: WCAG AA (4.5:1) at least.
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const ratios = await page.evaluate(() => {
        const g = globalThis as any;
        const rgb = (c: string) => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
        const lum = (c: string) => {
          const [r, gr, b] = rgb(c).map((v) => {
            const x = v / 255;
            return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r! + 0.7152 * gr! + 0.0722 * b!;
        };
        const ratio = (a: string, b: string) => {
          const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
          return (x! + 0.05) / (y! + 0.05);
        };
        const card = g.getComputedStyle(g.document.querySelector('.card')).backgroundColor;
        const color = (sel: string) => g.getComputedStyle(g.document.querySelector(sel)).color;
        return ['.card h2', '.card p.muted', 'caption', 'thead th', 'a[data-link]', '.kpi-note'].map(
          (sel) => [sel, ratio(color(sel), card)] as const,
        );
      });
      for (const [sel, r] of ratios) expect(r, `${scheme} ${sel}`).toBeGreaterThanOrEqual(4.5);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    // No raw SQL column name is shown as a header.
    const heads = await page.$$eval('thead th', (els) => els.map((e) => e.textContent ?? ''));
    expect(heads.filter((h) => /_usd|_pct|_id\b/.test(h))).toEqual([]);
  });
});
