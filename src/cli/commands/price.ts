import { createInterface } from 'node:readline';
import { LangfuseCostError } from '../../errors.js';
import { calculateCost } from '../../pricing/calculator.js';
import type { PriceCatalog } from '../../pricing/catalog.js';
import type { CostResult } from '../../pricing/cost-result.js';
import { PICO_PER_USD, picoToDecimalString } from '../../pricing/money.js';
import { BUCKET_OF_FLAG, BUCKETS } from '../../usage/buckets.js';
import { TOKEN_BUCKETS, type UsageInput } from '../../usage/token-usage.js';
import { intFlag, parseArgs, strFlag } from '../args.js';
import { cliCatalog } from '../catalog.js';
import { type CliCommand, CliError, type CliIO } from '../command.js';
import { perMillion, renderTable, usd } from '../format.js';

/** One `--flag N  what it counts` line per bucket, from the bucket table. */
const BUCKET_FLAGS_HELP = BUCKETS.map(
  (r) =>
    `  --${`${r.flag} N`.padEnd(18)}${r.doc.charAt(0).toLowerCase()}${r.doc.slice(1).replace(/\.$/, '')}`,
).join('\n');

const USAGE = `Usage: langfuse-cost price <model> [options]
       langfuse-cost price --batch < calls.jsonl

Price one LLM call with the pricing catalog (bundled prices, plus LANGFUSE_COST_PRICES files
and the synced cache).

Options:
  --provider P        provider hint (openai, anthropic, aws.bedrock, gcp.vertex_ai, …)
${BUCKET_FLAGS_HELP}
  --tier T            service tier: priority, flex or batch
  --at DATE           price at this date (ISO), default now
  --json              machine-readable output
  --explain           show how the model name was resolved
  --batch             read JSON Lines {"model","provider"?,"usage":{…},"serviceTier"?} on stdin,
                      write one JSON result per line

Examples:
  langfuse-cost price gpt-4o-2024-08-06 --input 1200 --output 300
  langfuse-cost price us.anthropic.claude-3-7-sonnet-20250219-v1:0 --input 5000 --cache-read 20000 --output 800 --explain
`;

const FLAG_BUCKET: Readonly<Record<string, keyof UsageInput>> = BUCKET_OF_FLAG;

/** `langfuse-cost price`. */
export const command: CliCommand = {
  name: 'price',
  summary: 'price one call, or a JSON Lines batch',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, {
      booleans: ['json', 'explain', 'batch'],
      known: ['provider', 'tier', 'at', ...Object.keys(FLAG_BUCKET)],
    });
    const catalog = cliCatalog(io);
    if (args.flags.batch) return runBatch(io, catalog);
    const model = args.positionals[0];
    if (!model)
      throw new CliError('give a model name, e.g. `langfuse-cost price gpt-4o --input 1200 --output 300`', 2);
    const usage: UsageInput = {};
    for (const [flag, bucket] of Object.entries(FLAG_BUCKET)) {
      const n = intFlag(args, flag, -1);
      if (n >= 0) usage[bucket] = n;
    }
    const provider = strFlag(args, 'provider');
    const tier = strFlag(args, 'tier');
    const at = strFlag(args, 'at');
    const explain = args.flags.explain === true;
    let result: CostResult | null;
    try {
      result = calculateCost(
        {
          model,
          usage,
          ...(provider ? { provider } : {}),
          ...(tier ? { serviceTier: tier } : {}),
          ...(at ? { at } : {}),
        },
        catalog,
      );
    } catch (e) {
      if (e instanceof LangfuseCostError) throw new CliError(e.message, 2);
      throw e;
    }
    const trace = explain ? catalog.explain(model, provider) : null;
    if (args.flags.json) {
      io.stdout.write(
        `${JSON.stringify(result ? toJson(result, trace?.steps) : { model, error: 'unknown model', steps: trace?.steps }, null, 2)}\n`,
      );
      return result ? 0 : 1;
    }
    if (trace) {
      io.stdout.write(
        `Resolving "${model}"${provider ? ` (provider hint ${provider} → ${catalog.canonicalProvider(provider)})` : ''}:\n`,
      );
      for (const s of trace.steps)
        io.stdout.write(
          `  ${s.matched ? '✔' : '·'} ${s.rule.padEnd(44)} ${s.candidate}  [${s.detail ?? ''}]\n`,
        );
      io.stdout.write('\n');
    }
    if (!result) {
      io.stderr.write(
        `No price for "${model}"${provider ? ` (provider ${provider})` : ''}.\n` +
          'Try `langfuse-cost prices list --search <part of the name>`, add it to a price file\n' +
          '(LANGFUSE_COST_PRICES=./prices.json) or run `langfuse-cost prices sync`. Use --explain to see what was tried.\n',
      );
      return 1;
    }
    io.stdout.write(renderResult(result));
    return 0;
  },
};

function toJson(r: CostResult, steps?: unknown) {
  return { ...r, totalExact: picoToDecimalString(r.totalPico), ...(steps ? { explain: steps } : {}) };
}

function renderResult(r: CostResult): string {
  const head = `${r.model} → ${r.provider}/${r.resolvedModel}  (source: ${r.source}${r.estimated ? ', ESTIMATED' : ''}, tier: ${r.tier})\n\n`;
  const rows: (string | number)[][] = [];
  let tokens = 0;
  for (const b of TOKEN_BUCKETS) {
    const n = r.usage[b];
    if (n === 0 && b !== 'input' && b !== 'output') continue;
    tokens += n;
    const cost = r.costs[b];
    rows.push([b, n, n > 0 ? perMillion((cost * 1e6) / n) : '', usd(cost)]);
  }
  if (r.costs.requests > 0) rows.push(['requests', Math.max(1, r.usage.requests), '', usd(r.costs.requests)]);
  if (r.costs.webSearches > 0) rows.push(['webSearches', r.usage.webSearches, '', usd(r.costs.webSearches)]);
  rows.push(['total', tokens, '', `${usd(r.total)}`]);
  const warn = (r.warnings ?? []).map((w) => `warning: ${w}\n`).join('');
  return `${head}${renderTable(['bucket', 'tokens', 'per 1M', 'cost'], rows)}\nexact total: $${picoToDecimalString(r.totalPico)}\n${warn}`;
}

async function runBatch(io: CliIO, catalog: PriceCatalog): Promise<number> {
  const rl = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  let failures = 0;
  let totalPico = 0n;
  for await (const raw of rl) {
    line++;
    const text = raw.trim();
    if (text === '') continue;
    let out: unknown;
    try {
      const q = JSON.parse(text) as {
        model?: unknown;
        provider?: unknown;
        usage?: unknown;
        serviceTier?: unknown;
        at?: unknown;
      };
      if (typeof q !== 'object' || q === null) throw new Error('expected a JSON object');
      const r = calculateCost(
        {
          model: q.model as string,
          usage: (q.usage ?? {}) as UsageInput,
          ...(typeof q.provider === 'string' ? { provider: q.provider } : {}),
          ...(typeof q.serviceTier === 'string' ? { serviceTier: q.serviceTier } : {}),
          ...(typeof q.at === 'string' || typeof q.at === 'number' ? { at: q.at } : {}),
        },
        catalog,
      );
      if (r) {
        totalPico += BigInt(r.totalPico);
        out = { line, ...toJson(r) };
      } else {
        failures++;
        out = { line, model: q.model, error: 'unknown model' };
      }
    } catch (e) {
      failures++;
      out = { line, error: (e as Error).message };
    }
    io.stdout.write(`${JSON.stringify(out)}\n`);
  }
  io.stderr.write(
    `priced ${line - failures} of ${line} lines, total $${picoToDecimalString(totalPico)} (${Number(totalPico) / PICO_PER_USD})\n`,
  );
  return failures > 0 ? 1 : 0;
}
