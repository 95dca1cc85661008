/**
 * Compares how this library prices every model of another price source with that source's own
 * prices: `npm run compare-prices -- <litellm-map.json> [genai-prices-data.json]`.
 *
 * For each entry of LiteLLM's `model_prices_and_context_window.json` (chat, completion, responses and
 * embedding modes with a per-token input price) the entry's key is priced with the default catalog,
 * with the entry's `litellm_provider` (mapped to our provider ids) as the provider hint, for 1M tokens
 * of each bucket the entry prices (input, output, cache read). For genai-prices' data (its v2
 * `data.json`: providers with models and per-1M prices) every model id is priced the same way with
 * the genai-prices provider id as the hint.
 *
 * Each entry lands in one class:
 * - `agree`: every bucket within 0.5% of the source's price, and the provider is the hinted one;
 * - `other provider`: the prices agree but the result names another provider (a wrong by-provider
 *   breakdown);
 * - `disagree`: some bucket differs by more than 0.5% (or we say free where the source charges);
 * - `unknown`: we have no price.
 * and the figures are broken down by provider and by the shape of the name (its "pattern": routed
 * `a/b/c`, prefixed `a/b`, Bedrock regional, fine-tuned `ft:`, dated snapshot, `-latest`, …).
 *
 * This is a measurement, not a test: the two sources disagree with each other and with the providers'
 * pages in places; the figures show where our resolution, not the data, is at fault.
 * The files are read from where they are given and never copied into the project.
 *
 * Options: `--examples N` prints up to N example entries per class and pattern (default 5), `--json`
 * prints the figures as JSON.
 */
import { readFileSync } from 'node:fs';
import { scriptArgs } from '../examples/shared/script-args.js';
import { calculateCost } from '../src/pricing/calculator.js';
import { litellmProviderId } from '../src/pricing/importers/index.js';
import { getDefaultCatalog } from '../src/pricing/index.js';

/** Relative tolerance for "the same price". */
const TOLERANCE = 0.005;
const MILLION = 1_000_000;
/**
 * Tokens of each bucket in the priced call: small enough that the prompt stays under every
 * long-context threshold (the smallest is 128k), so the base price is compared.
 */
const TOKENS = 10_000;
const LITELLM_MODES = new Set(['chat', 'completion', 'responses', 'embedding']);

/** One priced entry of a source. */
interface Entry {
  source: 'litellm' | 'genai-prices';
  key: string;
  provider: string;
  /** USD per 1M tokens. */
  want: { input?: number; output?: number; cacheRead?: number };
}

type Outcome = 'agree' | 'other provider' | 'disagree' | 'unknown';

interface Row {
  entry: Entry;
  outcome: Outcome;
  got?: { provider: string; model: string; input: number; output: number; cacheRead: number };
  pattern: string;
  estimated: boolean;
  /** The result says its provider was guessed (`providerGuessed`). */
  guessed: boolean;
}

/** The shape of a model name, for the per-pattern breakdown. */
export function patternOf(key: string): string {
  const k = key.toLowerCase();
  if (k.startsWith('ft:')) return 'fine-tuned ft:';
  if (k.startsWith('arn:')) return 'ARN';
  if (k.startsWith('@cf/')) return 'Cloudflare @cf/';
  if (k.startsWith('accounts/')) return 'Fireworks accounts/…';
  const slashes = k.split('/').length - 1;
  if (slashes >= 2) return 'routed a/b/c';
  if (/^(?:us|eu|apac|au|jp|ca|global|us-gov)\.[a-z0-9-]+\./.test(k)) return 'Bedrock region.vendor.model';
  if (slashes === 1) {
    const tail = k.slice(k.indexOf('/') + 1);
    if (/^(?:us|eu|apac|au|jp|ca|global|us-gov)\.[a-z0-9-]+\./.test(tail)) return 'prefixed + Bedrock region';
    return 'prefixed a/b';
  }
  if (/^[a-z0-9-]+\.[a-z]/.test(k) && /(?:-v\d+(?::\d+)?|:\d+)$/.test(k)) return 'Bedrock vendor.model';
  if (k.includes('@')) return 'Vertex @version';
  if (k.endsWith('-latest')) return '-latest alias';
  if (/-\d{4}-\d{2}-\d{2}$|-\d{8}$/.test(k)) return 'dated snapshot';
  if (/-\d{3}$/.test(k)) return '-NNN version';
  if (/-\d{4}$/.test(k)) return '-MMDD snapshot';
  return 'bare';
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Per-token price → per-1M (decimal shift through the shortest decimal text, as the importer does). */
function perMillion(v: number): number {
  return Number((v * MILLION).toPrecision(12));
}

function litellmEntries(path: string): Entry[] {
  const data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
  const out: Entry[] = [];
  for (const [key, r] of Object.entries(data)) {
    if (key === 'sample_spec' || typeof r !== 'object' || r === null) continue;
    if (!LITELLM_MODES.has(String(r.mode ?? 'chat'))) continue;
    if (!isNum(r.input_cost_per_token) || typeof r.litellm_provider !== 'string') continue;
    const want: Entry['want'] = { input: perMillion(r.input_cost_per_token) };
    if (isNum(r.output_cost_per_token)) want.output = perMillion(r.output_cost_per_token);
    if (isNum(r.cache_read_input_token_cost)) want.cacheRead = perMillion(r.cache_read_input_token_cost);
    out.push({ source: 'litellm', key, provider: litellmProviderId(r.litellm_provider), want });
  }
  return out;
}

/** A genai-prices price value: a number, or `{ base, tiers }` (the base price). */
function basePrice(v: unknown): number | undefined {
  if (isNum(v)) return v;
  if (typeof v === 'object' && v !== null && isNum((v as { base?: unknown }).base))
    return (v as { base: number }).base;
  return undefined;
}

function genaiEntries(path: string): Entry[] {
  const data = JSON.parse(readFileSync(path, 'utf8')) as {
    id: string;
    models: { id: string; prices: unknown }[];
  }[];
  const out: Entry[] = [];
  for (const p of data) {
    for (const m of p.models) {
      // Time-conditional prices are a list; the last one is the price in force now.
      let prices = m.prices as Record<string, unknown> | { prices: Record<string, unknown> }[];
      if (Array.isArray(prices)) prices = prices[prices.length - 1]?.prices ?? {};
      const input = basePrice(prices.input_mtok);
      if (input === undefined) continue;
      const want: Entry['want'] = { input };
      const output = basePrice(prices.output_mtok);
      if (output !== undefined) want.output = output;
      const cacheRead = basePrice(prices.cache_read_mtok);
      if (cacheRead !== undefined) want.cacheRead = cacheRead;
      out.push({ source: 'genai-prices', key: m.id, provider: p.id, want });
    }
  }
  return out;
}

function close(a: number, b: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

function judge(entry: Entry): Row {
  const pattern = patternOf(entry.key);
  const catalog = getDefaultCatalog();
  const r = calculateCost(
    {
      model: entry.key,
      provider: entry.provider,
      usage: { input: TOKENS, output: TOKENS, cacheRead: entry.want.cacheRead === undefined ? 0 : TOKENS },
    },
    catalog,
  );
  if (!r || r.source === 'fallback')
    return { entry, outcome: 'unknown', pattern, estimated: false, guessed: false };
  // Cost of TOKENS tokens → USD per 1M, through picodollars so no float drift enters the comparison.
  const per1M = (usd: number) =>
    Number(((Math.round(usd * 1e12) * (MILLION / TOKENS)) / 1e12).toPrecision(12));
  const got = {
    provider: r.provider,
    model: r.resolvedModel,
    input: per1M(r.costs.input),
    output: per1M(r.costs.output),
    cacheRead: per1M(r.costs.cacheRead),
  };
  const { want } = entry;
  const same =
    (want.input === undefined || close(want.input, got.input)) &&
    (want.output === undefined || close(want.output, got.output)) &&
    (want.cacheRead === undefined || close(want.cacheRead, got.cacheRead));
  const hinted = catalog.canonicalProvider(entry.provider);
  const sameProvider = got.provider === hinted || got.provider === entry.provider;
  const outcome: Outcome = !same ? 'disagree' : sameProvider ? 'agree' : 'other provider';
  return { entry, outcome, got, pattern, estimated: r.estimated, guessed: r.providerGuessed === true };
}

const OUTCOMES: Outcome[] = ['agree', 'other provider', 'disagree', 'unknown'];

function tally(rows: Row[], by: (r: Row) => string): Map<string, Record<Outcome, number>> {
  const out = new Map<string, Record<Outcome, number>>();
  for (const r of rows) {
    const k = by(r);
    let t = out.get(k);
    if (!t) {
      t = { agree: 0, 'other provider': 0, disagree: 0, unknown: 0 };
      out.set(k, t);
    }
    t[r.outcome]++;
  }
  return out;
}

function table(title: string, t: Map<string, Record<Outcome, number>>, limit = 40): string {
  const rows = [...t].sort(
    ([, a], [, b]) => OUTCOMES.reduce((s, o) => s + b[o], 0) - OUTCOMES.reduce((s, o) => s + a[o], 0),
  );
  const lines = [`${title.padEnd(32)} ${OUTCOMES.map((o) => o.padStart(14)).join('')}`];
  for (const [k, v] of rows.slice(0, limit))
    lines.push(`${k.slice(0, 32).padEnd(32)} ${OUTCOMES.map((o) => String(v[o]).padStart(14)).join('')}`);
  if (rows.length > limit) lines.push(`… ${rows.length - limit} more`);
  return lines.join('\n');
}

function fmt(w: Entry['want']): string {
  return `${w.input ?? '-'}/${w.output ?? '-'}${w.cacheRead !== undefined ? ` cr ${w.cacheRead}` : ''}`;
}

function report(name: string, rows: Row[], examples: number): string {
  const total = tally(rows, () => 'all');
  const parts = [
    `== ${name}: ${rows.length} entries ==`,
    table('total', total),
    `estimated results among priced: ${rows.filter((r) => r.outcome !== 'unknown' && r.estimated).length}`,
    `provider guessed among priced: ${rows.filter((r) => r.guessed).length} (of which disagree: ${rows.filter((r) => r.guessed && r.outcome === 'disagree').length})`,
    '',
    table(
      'by provider',
      tally(rows, (r) => r.entry.provider),
    ),
    '',
    table(
      'by pattern',
      tally(rows, (r) => r.pattern),
    ),
  ];
  if (examples > 0) {
    for (const o of ['other provider', 'disagree', 'unknown'] as Outcome[]) {
      parts.push('', `-- examples: ${o} --`);
      const byPattern = new Map<string, Row[]>();
      for (const r of rows) {
        if (r.outcome !== o) continue;
        const list = byPattern.get(r.pattern) ?? [];
        list.push(r);
        byPattern.set(r.pattern, list);
      }
      for (const [p, list] of byPattern) {
        parts.push(`  [${p}] ${list.length}`);
        for (const r of list.slice(0, examples)) {
          const g = r.got;
          parts.push(
            `    ${r.entry.provider} ${r.entry.key}: want ${fmt(r.entry.want)}${g ? `; got ${g.provider}/${g.model} ${g.input}/${g.output} cr ${g.cacheRead}` : ''}`,
          );
        }
      }
    }
  }
  return parts.join('\n');
}

const USAGE = `Usage: npm run compare-prices -- <litellm-map.json> [genai-prices-data.json] [options]

Prices every entry of LiteLLM's model map (and of genai-prices' data.json, if given) with this
library's default catalog, the entry's provider as the hint, and reports how many agree (within
0.5%), agree on price but name another provider, disagree or are unknown, by provider and by the
shape of the name. The files are read in place.

Options:
  --examples N   example entries per class and pattern (default 5; 0 for none)
  --json         print the figures as JSON
  -h, --help     print this help
`;

function main(): void {
  const { values, positionals } = scriptArgs({
    name: 'compare-prices',
    usage: USAGE,
    allowPositionals: true,
    options: { examples: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } },
  });
  const [litellm, genai] = positionals;
  if (!litellm || positionals.length > 2) {
    console.error(
      'compare-prices: give a LiteLLM map file (and optionally a genai-prices data file); see --help',
    );
    process.exitCode = 2;
    return;
  }
  const examples = Number(values.examples);
  const sets: [string, Row[]][] = [[`LiteLLM map (${litellm})`, litellmEntries(litellm).map(judge)]];
  if (genai) sets.push([`genai-prices data (${genai})`, genaiEntries(genai).map(judge)]);
  if (values.json) {
    const out = Object.fromEntries(
      sets.map(([n, rows]) => [
        n,
        {
          total: Object.fromEntries(tally(rows, () => 'all')),
          byProvider: Object.fromEntries(tally(rows, (r) => r.entry.provider)),
          byPattern: Object.fromEntries(tally(rows, (r) => r.pattern)),
        },
      ]),
    );
    console.log(JSON.stringify(out, null, 2));
    return;
  }
  for (const [n, rows] of sets) console.log(`${report(n, rows, Number.isFinite(examples) ? examples : 5)}\n`);
}

main();
