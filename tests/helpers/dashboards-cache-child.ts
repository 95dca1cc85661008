/**
 * Child process of the dashboards cache test: opens the local source on a ledger with a cache
 * directory (chDB allows one session directory per process) and prints what the dashboards return.
 */
import { openLocalSource, runDashboard } from '../../src/dashboards/index.js';

const [ledger, cacheDir] = process.argv.slice(2) as [string, string];
const warnings: string[] = [];
const progress: string[] = [];
const source = await openLocalSource({
  ledger,
  cacheDir,
  onWarning: (m) => warnings.push(m),
  onProgress: (m) => progress.push(m),
});
const params = { from: '2026-10-01', to: '2026-11-01' };
const out: Record<string, unknown> = { warnings, cached: progress.some((p) => p.endsWith('(cached)')) };
for (const name of ['kpi-totals', 'cost-by-model', 'cost-by-user']) {
  out[name] = (await runDashboard(source, name, { params })).rows;
}
await source.close();
process.stdout.write(JSON.stringify(out));
