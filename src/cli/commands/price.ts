import { createInterface } from 'node:readline';
import { LangfuseCostError } from '../../errors.js';
import { calculateCost } from '../../pricing/calculator.js';
import type { PriceCatalog } from '../../pricing/catalog.js';
import type { CostResult } from '../../pricing/cost-result.js';
import { PICO_PER_USD, picoToDecimalString } from '../../pricing/money.js';
import { CompiledModel } from '../../pricing/price-table.js';
import type { ServiceTier } from '../../pricing/types.js';
import { BUCKET_OF_FLAG, BUCKETS, type BucketRow, type PriceKey, SLOT_SCALE } from '../../usage/buckets.js';
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
and the synced cache). Without token counts, list the model's prices: USD per 1M tokens (per unit
for fees) for every bucket, long-context tier and service tier it has.

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
  langfuse-cost price gpt-4.1
  langfuse-cost price gpt-4o-2024-08-06 --input 1200 --output 300
  langfuse-cost price us.anthropic.claude-3-7-sonnet-20250219-v1:0 --input 5000 --cache-read 20000 --output 800 --explain
`;

/** `langfuse-cost price`. */
export const command: CliCommand = {
  name: 'price',
  summary: 'price one call, or a JSON Lines batch',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, {
      booleans: ['json', 'explain', 'batch'],
      known: ['provider', 'tier', 'at', ...Object.keys(BUCKET_OF_FLAG)],
    });
    const catalog = cliCatalog(io);
    if (args.flags.batch) return runBatch(io, catalog);
    const model = args.positionals[0];
    if (!model)
      throw new CliError('give a model name, e.g. `langfuse-cost price gpt-4o --input 1200 --output 300`', 2);
    const usage: UsageInput = {};
    for (const [flag, bucket] of Object.entries(BUCKET_OF_FLAG)) {
      const n = intFlag(args, flag, -1);
      if (n >= 0) usage[bucket] = n;
    }
    const provider = strFlag(args, 'provider');
    const tier = strFlag(args, 'tier');
    const at = strFlag(args, 'at');
    const explain = args.flags.explain === true;
    if (Object.keys(usage).length === 0 && !explain) {
      return listPrices(io, catalog, model, { provider, tier, at, json: args.flags.json === true });
    }
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
      return noPrice(io, model, provider, catalog);
    }
    io.stdout.write(renderResult(result));
    return 0;
  },
};

/** What to do about a model without a price (exit code 1). */
function noPrice(io: CliIO, model: string, provider: string | undefined, catalog: PriceCatalog): number {
  // Why, when the resolver knows: a fine-tuned model without a fine-tuned price, an ARN to map.
  const why = catalog
    .explain(model, provider)
    .steps.filter((s) => !s.matched && (s.rule === 'fine-tuned' || s.rule === 'deployment map'))
    .map((s) => `${s.detail}.\n`)
    .join('');
  io.stderr.write(
    `No price for "${model}"${provider ? ` (provider ${provider})` : ''}.\n${why}` +
      'Try `langfuse-cost prices list --search <part of the name>`, add it to a price file\n' +
      '(LANGFUSE_COST_PRICES=./prices.json) or run `langfuse-cost prices sync`. Use --explain to see what was tried.\n',
  );
  return 1;
}

/** Every (service tier, long-context tier) the model has, standard first. */
function priceTables(m: CompiledModel) {
  const services: ServiceTier[] = ['standard', 'priority', 'flex', 'batch'];
  const contexts = [null, ...[...m.thresholds].sort((a, b) => a - b)];
  return services
    .filter((s) => m.hasService(s))
    .flatMap((s) => contexts.map((c) => m.table(s, c)))
    .filter((t, i, all) => all.findIndex((x) => x.label === t.label) === i);
}

/** A compiled slot → USD in the row's unit (per 1M tokens or characters, per hour, per image). */
function listPrice(row: BucketRow, femto: number): number {
  const scale = SLOT_SCALE[row.price as PriceKey];
  return femto === 0 ? 0 : Number(`${femto}e-${scale.femtoDigits}`);
}

/**
 * `price <model>` without token counts: the list prices. Columns come from the bucket table (one per
 * bucket with a price in some tier, input and output always); a bucket without its own price shows the
 * price it falls back to, which is what a call pays.
 */
function listPrices(
  io: CliIO,
  catalog: PriceCatalog,
  model: string,
  opts: { provider: string | undefined; tier: string | undefined; at: string | undefined; json: boolean },
): number {
  const { provider, tier, at, json } = opts;
  const services: readonly string[] = ['standard', 'priority', 'flex', 'batch'];
  if (tier !== undefined && !services.includes(tier)) {
    throw new CliError(`unknown service tier "${tier}": use standard, priority, flex or batch`, 2);
  }
  let resolved: ReturnType<PriceCatalog['resolve']>;
  try {
    resolved = catalog.resolve(model, provider, at);
  } catch (e) {
    if (e instanceof LangfuseCostError) throw new CliError(e.message, 2);
    throw e;
  }
  if (!resolved) {
    return noPrice(io, model, provider, catalog);
  }
  const compiled = new CompiledModel(resolved.model);
  const tables = priceTables(compiled).filter((t) => tier === undefined || t.service === tier);
  // A bucket gets a column when some tier names its price (input and output always); the others pay
  // the price they fall back to, which the note under the table says.
  const m = resolved.model;
  const named = new Set<string>(Object.keys(m.prices ?? {}));
  for (const t of m.contextTiers ?? []) for (const k of Object.keys(t.prices)) named.add(k);
  for (const st of Object.values(m.serviceTiers ?? {})) {
    for (const k of Object.keys(st ?? {})) named.add(k);
    for (const t of st?.contextTiers ?? []) for (const k of Object.keys(t.prices)) named.add(k);
  }
  const cols = BUCKETS.map((row, i) => ({ row, i })).filter(
    ({ row }) => row.key === 'input' || row.key === 'output' || named.has(row.price),
  );
  const others = BUCKETS.filter((row) => !cols.some((c) => c.row === row) && row.fallback !== null).map(
    (row) => `${row.flag} pays ${BUCKETS.find((r) => r.price === row.fallback)?.flag ?? row.fallback}`,
  );
  const name = `${resolved.model.provider}/${resolved.model.id}`;
  if (json) {
    const out = {
      model,
      resolved: name,
      provider: resolved.provider,
      ...(resolved.guessed ? { providerGuessed: true, reason: resolved.reason } : {}),
      layer: resolved.layer,
      ...(resolved.model.source ? { priceSource: resolved.model.source } : {}),
      free: resolved.free,
      unit: 'USD per 1M tokens; other buckets per their unit (1M characters, hour of audio, image, request, search)',
      tiers: tables.map((t) => ({
        tier: t.label,
        prices: Object.fromEntries(cols.map(({ row, i }) => [row.key, listPrice(row, t.femto[i]!)])),
      })),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const head = cols.map(({ row }) => (row.kind === 'token' ? row.flag : `${row.flag} (per ${row.unit})`));
  const rows = tables.map((t) => [
    t.label,
    ...cols.map(({ row, i }) => perMillion(listPrice(row, t.femto[i]!))),
  ]);
  io.stdout.write(
    `${model} → ${name}  (source: ${resolved.layer}${resolved.model.source ? ` from ${resolved.model.source}` : ''}${resolved.free ? ', free' : ''})\n` +
      (resolved.guessed ? `Provider guessed: ${resolved.reason}.\n` : '') +
      `List prices in USD per 1M tokens (other units as their column says).\n\n` +
      renderTable(['tier', ...head], rows) +
      (others.length > 0 ? `\nWithout a price of their own: ${others.join(', ')}.\n` : '') +
      `\nPrice a call: langfuse-cost price ${model} ${callFlags(
        cols.map((c) => c.row),
        named,
      )}\n`,
  );
  return 0;
}

/** The flags of a call to suggest: the model's own units (`--images N`), else input and output. */
function callFlags(rows: readonly BucketRow[], named: ReadonlySet<string>): string {
  const units = rows.filter((r) => r.kind === 'count' && r.minPerCall === 0 && named.has(r.price));
  const tokens = rows.some((r) => r.kind === 'token' && named.has(r.price));
  const flags = tokens || units.length === 0 ? ['input', 'output'] : units.map((r) => r.flag);
  return flags.map((f) => `--${f} N`).join(' ');
}

function toJson(r: CostResult, steps?: unknown) {
  return { ...r, totalExact: picoToDecimalString(r.totalPico), ...(steps ? { explain: steps } : {}) };
}

function renderResult(r: CostResult): string {
  const head = `${r.model} → ${r.provider}/${r.resolvedModel}  (source: ${r.source}${r.estimated ? ', ESTIMATED' : ''}${r.providerGuessed ? ', provider guessed' : ''}, tier: ${r.tier})\n\n`;
  const rows: (string | number)[][] = [];
  let tokens = 0;
  for (const b of TOKEN_BUCKETS) {
    const n = r.usage[b];
    if (n === 0 && b !== 'input' && b !== 'output') continue;
    tokens += n;
    const cost = r.costs[b];
    rows.push([b, n, n > 0 ? perMillion((cost * 1e6) / n) : '', usd(cost)]);
  }
  // Every other unit (requests, searches, audio seconds, characters, images), from the bucket table.
  for (const row of BUCKETS) {
    if (row.kind !== 'count') continue;
    const cost = r.costs[row.key];
    const n = row.minPerCall > 0 ? Math.max(row.minPerCall, r.usage[row.key]) : r.usage[row.key];
    if (cost === 0 && r.usage[row.key] === 0) continue;
    rows.push([row.key, n, n > 0 ? `${usd((cost * row.per) / n)}/${row.unit}` : '', usd(cost)]);
  }
  rows.push(['total', tokens, '', `${usd(r.total)}`]);
  const warn = (r.warnings ?? []).map((w) => `warning: ${w}\n`).join('');
  return `${head}${renderTable(['bucket', 'tokens', 'per 1M', 'cost'], rows)}\nexact total: $${picoToDecimalString(r.totalPico)}\n${warn}`;
}

async function runBatch(io: CliIO, catalog: PriceCatalog): Promise<number> {
  const rl = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  // `line` numbers the input's lines (blank ones too), so an answer points at its line; `requests` counts
  // the lines that asked for a price (not the blank ones).
  let line = 0;
  let requests = 0;
  let failures = 0;
  let totalPico = 0n;
  for await (const raw of rl) {
    line++;
    const text = raw.trim();
    if (text === '') continue;
    requests++;
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
    `priced ${requests - failures} of ${requests} lines, total $${picoToDecimalString(totalPico)} (${Number(totalPico) / PICO_PER_USD})\n`,
  );
  return failures > 0 ? 1 : 0;
}
