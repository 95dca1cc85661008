/**
 * The langfuse-cost quickstart demo: `npm run demo`.
 *
 * A small LangChain.js support assistant (Claude with a cached prompt, an OpenAI reasoning model and
 * GPT-4o mini) answers four tickets in three chat sessions. Every LLM call goes through
 * `CostCallbackHandler` (cost per call, totals, budget, ledger) and, as an OpenTelemetry span from
 * `@langfuse/langchain`, through `CostSpanProcessor` (cost written onto the span). Then the ledger is
 * queried with the SQL dashboards on an embedded ClickHouse (chDB) and an HTML report is written.
 *
 * Offline by default: the real OpenAI and Anthropic LangChain clients talk to a loopback server that
 * answers in each provider's wire format. With OPENAI_API_KEY / ANTHROPIC_API_KEY set the real APIs are
 * called instead (a few cents); with LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY the spans also go to
 * Langfuse. Options: `--out DIR` (default .langfuse-cost/demo), `--simulate` (ignore provider keys),
 * `--help`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import {
  type BudgetAlert,
  type CostRecord,
  CostTracker,
  formatUsd,
  type GroupDimension,
  usdToPico,
} from 'langfuse-cost';
import {
  formatPercent,
  formatPercentAmount,
  openLocalSource,
  renderHtmlReport,
  runDashboards,
} from 'langfuse-cost/dashboards';
import { CostCallbackHandler } from 'langfuse-cost/langchain';
import { getNodeCatalog, JsonlLedgerSink } from 'langfuse-cost/node';
import { scriptArgs } from '../shared/script-args.js';
import { bold, dim, green, heading, int, pct, red, table, usd, yellow } from './print.js';
import { simulatedAnswer } from './simulated-answers.js';
import { type SimulatedProviders, startSimulatedProviders } from './simulated-providers.js';
import { buildSupportChain, createModels, type Ticket } from './support-app.js';
import { spanCost, startTelemetry } from './telemetry.js';

/** The demo's daily budget, USD: small on purpose, so the run crosses the 80% warning. */
const DAILY_BUDGET_USD = 0.022;

/** The conversations: session, user, tenant and the ticket text. */
const TURNS: { session: string; user: string; tenant: string; ticket: Ticket }[] = [
  {
    session: 'chat-alice',
    user: 'alice',
    tenant: 'northwind',
    ticket: {
      customer: 'Alice',
      text: 'I was charged twice for the Team plan this month. Please refund the duplicate charge.',
    },
  },
  {
    session: 'chat-bob',
    user: 'bob',
    tenant: 'contoso',
    ticket: {
      customer: 'Bob',
      text: 'Our nightly import keeps getting 429 errors from your API. How do we avoid the rate limit?',
    },
  },
  {
    session: 'chat-alice',
    user: 'alice',
    tenant: 'northwind',
    ticket: {
      customer: 'Alice',
      text: 'Also, I lost access to the owner email of our workspace and cannot reset the password.',
    },
  },
  {
    session: 'chat-carol',
    user: 'carol',
    tenant: 'northwind',
    ticket: {
      customer: 'Carol',
      text: 'We were billed twice on our last invoice, can you check and refund one charge?',
    },
  },
];

const USAGE = `Usage: npm run demo -- [options]
   or: node --import tsx examples/quickstart/demo.ts [options]

The langfuse-cost quickstart: a LangChain.js support assistant answers 4 tickets in 3 chat sessions.
Every LLM call is priced as it happens (CostCallbackHandler, CostSpanProcessor): cost per call, totals,
a budget warning, the ledger, the SQL dashboards on embedded ClickHouse (chDB) and an HTML report.

Offline by default: OpenAI and Anthropic are simulated by a loopback server. With OPENAI_API_KEY /
ANTHROPIC_API_KEY set the real APIs are called (a few cents); with LANGFUSE_PUBLIC_KEY and
LANGFUSE_SECRET_KEY (and LANGFUSE_BASE_URL if self-hosted) the traces also go to Langfuse.

Options:
  --out DIR     where it writes (default .langfuse-cost/demo): DIR/ledger.jsonl, the ledger (replaced
                on every run), and DIR/cost-report.html, the HTML report
  --simulate    simulate both providers even when API keys are set
  -h, --help    print this help
`;

const started = performance.now();
const { values: args } = scriptArgs({
  name: 'demo',
  usage: USAGE,
  options: {
    out: { type: 'string', default: '.langfuse-cost/demo' },
    simulate: { type: 'boolean', default: false },
  },
});
const outDir = path.resolve(args.out);
const ledgerPath = path.join(outDir, 'ledger.jsonl');
const reportPath = path.join(outDir, 'cost-report.html');

const realOpenAI = !args.simulate && Boolean(process.env.OPENAI_API_KEY);
const realAnthropic = !args.simulate && Boolean(process.env.ANTHROPIC_API_KEY);
const langfuse = Boolean(process.env.LANGFUSE_PUBLIC_KEY && process.env.LANGFUSE_SECRET_KEY);

console.log(bold('langfuse-cost quickstart demo'));
console.log(
  dim('A LangChain.js support assistant answers 4 tickets; every LLM call is priced as it happens.'),
);

let simulator: SimulatedProviders | undefined;
if (!realOpenAI || !realAnthropic) simulator = await startSimulatedProviders(simulatedAnswer);
const where = (real: boolean, name: string, url?: string) =>
  real
    ? `${name}: real API (key from the environment)`
    : `${name}: SIMULATED on ${url} — set ${name.toUpperCase()}_API_KEY to call the real API`;
console.log(`\n${where(realOpenAI, 'OpenAI', simulator?.openaiBaseUrl)}`);
console.log(where(realAnthropic, 'Anthropic', simulator?.anthropicBaseUrl));
if (simulator) {
  console.log(
    yellow(
      "Responses are simulated: a loopback server answers in the providers' wire formats, with token usage derived\n" +
        'from each request the way the provider bills it (cache writes, cache reads, reasoning tokens). Prices are real.',
    ),
  );
}
console.log(
  langfuse
    ? `Langfuse: exporting traces to ${process.env.LANGFUSE_BASE_URL ?? 'https://cloud.langfuse.com'}`
    : dim(
        'Langfuse: off (set LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, and LANGFUSE_BASE_URL if self-hosted, to export the traces)',
      ),
);

// Prices: the bundled catalog plus any price files in LANGFUSE_COST_PRICES and the synced cache.
const catalog = getNodeCatalog();
rmSync(ledgerPath, { force: true });
mkdirSync(outDir, { recursive: true });
const ledger = new JsonlLedgerSink({ path: ledgerPath });
const tracker = new CostTracker({
  sinks: [ledger],
  budgets: { daily: { limit: DAILY_BUDGET_USD } },
  defaults: { environment: 'demo' },
});
const costs = new CostCallbackHandler({ tracker, catalog });
const telemetry = await startTelemetry({ catalog, langfuse });
const chain = buildSupportChain(
  createModels({
    openaiBaseUrl: realOpenAI ? undefined : simulator?.openaiBaseUrl,
    anthropicBaseUrl: realAnthropic ? undefined : simulator?.anthropicBaseUrl,
  }),
);
console.log(dim(`Budget: daily limit ${formatUsd(DAILY_BUDGET_USD)} (warning at 80%, critical at 95%)`));

// Records and budget alerts are printed in the order they happened, after each ticket.
const events: ({ kind: 'record'; record: CostRecord } | { kind: 'alert'; alert: BudgetAlert })[] = [];
tracker.on('record', (record) => events.push({ kind: 'record', record }));
tracker.on('budget', (alert) => events.push({ kind: 'alert', alert }));

function printAlert(a: BudgetAlert): void {
  console.log(
    yellow(
      `       ⚠ budget ${a.level}: ${a.scope} spend ${usd(usdToPico(a.spent))} passed ${pct(a.threshold)} of the ${formatUsd(a.limit)} limit (${a.period})`,
    ),
  );
}

let callNo = 0;
let spansSeen = 0;
let spanMismatches = 0;
const traceIds: string[] = [];
for (const [i, turn] of TURNS.entries()) {
  console.log(heading(`Ticket ${i + 1} — session ${turn.session}, user ${turn.user}, tenant ${turn.tenant}`));
  console.log(dim(`"${turn.ticket.text}"`));
  const langfuseHandler = telemetry.callback();
  const result = await chain
    .invoke(turn.ticket, {
      callbacks: [costs, langfuseHandler],
      // One metadata object feeds both handlers: langfuse-cost reads these keys too.
      metadata: { langfuseSessionId: turn.session, langfuseUserId: turn.user, tenant_id: turn.tenant },
      tags: ['demo', 'support'],
    })
    .catch(async (err: unknown) => {
      // With real keys a provider can refuse (bad key, quota): say so plainly instead of a stack trace.
      console.error(red(`\nThe chain failed: ${(err as Error)?.message ?? String(err)}`));
      console.error(
        'Check OPENAI_API_KEY / ANTHROPIC_API_KEY, or run offline with: npm run demo -- --simulate',
      );
      await simulator?.close();
      process.exit(1);
    });
  await awaitAllCallbacks();
  await telemetry.flush();
  if (langfuseHandler.last_trace_id) traceIds.push(langfuseHandler.last_trace_id);

  const spans = telemetry.generations().slice(spansSeen);
  spansSeen += spans.length;
  let spanIndex = 0;
  const batch = events.splice(0);
  const alerts = batch.flatMap((e) => (e.kind === 'alert' ? [e.alert] : []));
  for (const e of batch) {
    if (e.kind !== 'record') continue;
    const r = e.record;
    callNo++;
    const u = r.usage;
    const tokens = [
      `in ${u.input}`,
      u.cacheRead ? `cache-read ${u.cacheRead}` : '',
      u.cacheWrite ? `cache-write ${u.cacheWrite}` : '',
      `out ${u.output}`,
      u.reasoning ? `reasoning ${u.reasoning}` : '',
    ].filter(Boolean);
    // The OTel span of the same call (same order: the chain is sequential).
    const span = spans[spanIndex++];
    const onSpan = span ? spanCost(span) : undefined;
    let check = dim('span: none');
    if (onSpan !== undefined) {
      const same = usdToPico(onSpan) === r.totalPico;
      if (!same) spanMismatches++;
      check = same ? green('span ✓') : red(`span ${usd(usdToPico(onSpan))} ✗`);
    }
    console.log(
      `  [${String(callNo).padStart(2)}] ${(r.operation ?? '').padEnd(6)} ${r.model.padEnd(26)} ${`(${r.provider})`.padEnd(11)} ` +
        `${tokens.join(' · ').padEnd(46)} → ${bold(usd(r.totalPico).padEnd(12))} ${dim(r.source)}  ${check}`,
    );
    // A budget alert is printed under the call that crossed the threshold.
    for (const a of alerts.filter((x) => x.recordId === r.id)) printAlert(a);
  }
  for (const a of alerts.filter((x) => !batch.some((e) => e.kind === 'record' && e.record.id === x.recordId)))
    printAlert(a);
  console.log(
    dim(
      `  reply: ${
        result.reply
          .split('\n')
          .find((l) => l.trim() && !l.startsWith('Hi'))
          ?.slice(0, 100) ?? ''
      }…`,
    ),
  );
}

// ── Summary ────────────────────────────────────────────────────────────────────────────────────
const all = tracker.stats();
for (const [dimension, title] of [
  ['model', 'By model'],
  ['provider', 'By provider'],
  ['session', 'By session'],
] as [GroupDimension, string][]) {
  const s = tracker.stats({ groupBy: dimension });
  console.log(heading(`${title}`));
  console.log(
    table(
      [dimension, 'calls', 'tokens', 'cost', 'share'],
      (s.groups ?? []).map((g) => [
        g.key,
        g.requests,
        int(g.totalTokens),
        usd(g.totalPico),
        formatPercent(BigInt(g.totalPico), BigInt(all.totalPico)),
      ]),
    ),
  );
}
console.log(
  `\n${bold(`Total: ${usd(all.totalPico)}`)} for ${all.requests} calls, ${int(all.totalTokens)} tokens` +
    ` (${int(all.tokens.cacheRead)} read from cache, ${int(all.tokens.reasoning)} reasoning)`,
);
if (spansSeen > 0) {
  console.log(
    spanMismatches === 0
      ? green(
          `OTel: ${spansSeen} generation spans carry the same cost (langfuse.observation.cost_details, gen_ai.usage.cost) ✓`,
        )
      : red(`OTel: ${spanMismatches} of ${spansSeen} spans disagree with the callback handler`),
  );
}

// ── Budget ─────────────────────────────────────────────────────────────────────────────────────
console.log(heading('Budget status'));
for (const b of tracker.budgetStatus()) {
  const line = `  ${b.scope} ${b.period}: ${usd(usdToPico(b.spent))} of ${formatUsd(b.limit)} (${pct(b.used)}) — ${b.level}`;
  console.log(b.level === 'ok' ? line : yellow(line));
}

// ── Ledger, dashboards, report ────────────────────────────────────────────────────────────────
await tracker.flush();
await tracker.close();
const lines = readFileSync(ledgerPath, 'utf8').split('\n').filter(Boolean).length;
console.log(heading('Ledger'));
console.log(`  ${lines} records written to ${ledgerPath}`);
const rel = path.relative(process.cwd(), ledgerPath) || ledgerPath;
console.log(
  dim(`  try: npm run cli -- report --ledger ${rel} --by session   (npx langfuse-cost … in your own app)`),
);

console.log(heading('Dashboards (SQL on the ledger, in chDB — embedded ClickHouse)'));
const source = await openLocalSource({ ledger: ledgerPath });
try {
  const results = await runDashboards(source, undefined, {
    // Hourly buckets: the demo's calls fall within minutes of each other.
    params: { from: '-1d', to: 'now', bucket: 'hour' },
    continueOnError: true,
  });
  const failed = results.filter((r) => r.error);
  const kpi = results.find((r) => r.dashboard.name === 'kpi-totals')?.rows[0];
  const byModel = results.find((r) => r.dashboard.name === 'cost-by-model');
  if (kpi) {
    const sqlTotal = Number(kpi.total_cost_usd);
    const same = usdToPico(sqlTotal) === Number(all.totalPico);
    console.log(
      `  kpi-totals: total ${usd(usdToPico(sqlTotal))}, ${kpi.requests} requests, ${kpi.sessions} sessions, ${kpi.traces} traces`,
    );
    console.log(
      same
        ? green('  ✓ the SQL total equals the tracker total')
        : red('  ✗ the SQL total differs from the tracker total'),
    );
  }
  const sessions = results.find((r) => r.dashboard.name === 'top-sessions');
  if (byModel) {
    console.log(`\n  ${bold('cost-by-model')}`);
    console.log(
      table(
        ['model', 'calls', 'input cost', 'output cost', 'cost', 'share'],
        byModel.rows.map((r) => [
          String(r.model),
          String(r.calls),
          usd(usdToPico(Number(r.input_cost_usd))),
          usd(usdToPico(Number(r.output_cost_usd))),
          usd(usdToPico(Number(r.cost_usd))),
          formatPercentAmount(Number(r.share_pct)),
        ]),
      ),
    );
  }
  if (sessions) {
    console.log(`\n  ${bold('top-sessions')}`);
    console.log(
      table(
        ['session', 'user', 'turns', 'calls', 'cost'],
        sessions.rows.map((r) => [
          String(r.session_id),
          String(r.user_id),
          String(r.traces),
          String(r.calls),
          usd(usdToPico(Number(r.cost_usd))),
        ]),
      ),
    );
  }
  console.log(
    dim(
      `  ${results.length - failed.length} of ${results.length} dashboards ran: ${results.map((r) => r.dashboard.name).join(', ')}`,
    ),
  );
  for (const f of failed) console.log(red(`  ${f.dashboard.name} failed: ${f.error}`));
  writeFileSync(
    reportPath,
    renderHtmlReport(results, {
      title: 'langfuse-cost demo',
      source: source.description ?? ledgerPath,
      from: '-1d',
      to: 'now',
    }),
  );
} finally {
  await source.close();
}
console.log(heading('HTML report'));
console.log(`  ${reportPath}`);
console.log(dim('  open it in a browser (self-contained, no network needed)'));

await telemetry.shutdown();
await simulator?.close();
if (langfuse) {
  const base = (
    process.env.LANGFUSE_BASE_URL ??
    process.env.LANGFUSE_BASEURL ??
    'https://cloud.langfuse.com'
  ).replace(/\/$/, '');
  console.log(heading('Langfuse'));
  console.log(`  Open ${base} → your project → Tracing: ${traceIds.length} traces named "support-ticket",`);
  console.log('  sessions chat-alice, chat-bob, chat-carol. Each generation shows the cost computed here');
  console.log(
    '  (cost_details with input, cached input, output and reasoning), also for models Langfuse has no price for.',
  );
  for (const id of traceIds) console.log(dim(`  trace ${id}`));
}
console.log(dim(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.`));
