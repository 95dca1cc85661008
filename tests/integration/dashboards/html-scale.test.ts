/**
 * The HTML report of a 1M-call ledger: the report aggregates before it embeds, so the file stays small
 * and opens in Chromium in at most 2 s (navigation to the first full render of every view), with the
 * total the generator summed from the prices it wrote. Prints the ledger's and the report's sizes.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { ARTIFACTS, launchChromium } from '../../helpers/dashboards-browser.js';
import { writeScaleLedger } from '../../helpers/dashboards-scale.js';

const ROWS = 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'lc-dash-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('HTML report of a 1M-call ledger', () => {
  it('is small, opens in at most 2 s and shows the exact total', async () => {
    const ledger = join(dir, 'ledger.jsonl');
    const facts = await writeScaleLedger(ledger, ROWS);
    const report = join(dir, 'report.html');
    const run = await runCli(
      [
        'dashboards',
        'html',
        '--ledger',
        ledger,
        '--from',
        new Date(facts.from).toISOString(),
        '--to',
        new Date(facts.to).toISOString(),
        '--tz',
        'UTC',
        '--out',
        report,
      ],
      { timeoutMs: 300_000, env: { LANGFUSE_COST_TIMEZONE: '' } },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const ledgerBytes = statSync(ledger).size;
    const reportBytes = statSync(report).size;
    expect(reportBytes).toBeLessThan(5 * 1024 * 1024);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      const t0 = performance.now();
      await page.goto(`file://${report}`);
      await page.waitForSelector('body[data-ready]');
      const openMs = performance.now() - t0;
      expect(errors).toEqual([]);
      expect(await page.getAttribute('[data-kpi="total"]', 'data-raw')).toBe(String(facts.totalPico));
      expect(await page.getAttribute('[data-kpi="calls"]', 'data-raw')).toBe(String(ROWS));
      expect(await page.getAttribute('[data-kpi="unpriced"]', 'data-raw')).toBe(
        String(ROWS - facts.pricedCalls),
      );
      // A filter on 1M calls' facts redraws every view quickly too.
      const f0 = performance.now();
      await page.selectOption('select[name="model"]', 'gpt-4o');
      const filterMs = performance.now() - f0;
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report-1m-1280.png') });
      console.log(
        `1M-call ledger ${(ledgerBytes / 1e6).toFixed(0)} MB → report ${(reportBytes / 1024).toFixed(0)} KiB; ` +
          `opened in ${openMs.toFixed(0)} ms, a filter redraws in ${filterMs.toFixed(0)} ms; ${run.stdout.trim()}`,
      );
      expect(openMs).toBeLessThanOrEqual(2000);
      expect(filterMs).toBeLessThanOrEqual(1000);
    } finally {
      await browser.close();
    }
  }, 600_000);
});
