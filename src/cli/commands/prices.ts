import {
  addPriceFileLayer,
  catalogHealth,
  getNodeCatalog,
  type PriceLayerStatus,
} from '../../node/default-catalog.js';
import { PriceCatalog } from '../../pricing/catalog.js';
import type { CatalogModel, PriceSet } from '../../pricing/types.js';
import { intFlag, parseArgs, strFlag } from '../args.js';
import { cliCatalog } from '../catalog.js';
import { type CliCommand, CliError } from '../command.js';
import { perMillion, renderTable } from '../format.js';
import { PRICES_ADMIN_USAGE } from './prices-admin-usage.js';

const USAGE = `Usage: langfuse-cost prices <subcommand> [options]

Subcommands:
  list [--provider P] [--search S] [--limit N] [--json]   models in the catalog (--limit: default 200,
                                                         0 = all; all with --json)
  list --layers [--json]                                 the price layers in force: each price file,
                                                         the synced cache, bundled prices, fallback;
                                                         loaded or skipped, and why
  show <model> [--provider P] [--json]                   the price entry a name resolves to
  validate [file ...]                                    check price files (JSON/YAML, or a LiteLLM,
                                                         genai-prices or Langfuse export) with the
                                                         loader the runtime uses; without a file, the
                                                         ones the runtime loads (LANGFUSE_COST_PRICES)
  sync [--from genai-prices|litellm|<url>] [--dry-run]   refresh prices into the local cache
  cache stats | cache clear                              the synced price cache
  set <model> --input X --output Y [...]                 add your own price (wins over all others)
  unset <model>                                          remove your own price
${PRICES_ADMIN_USAGE}`;

/** `langfuse-cost prices`. */
export const command: CliCommand = {
  name: 'prices',
  summary: 'list, show, validate, sync and edit prices',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'list':
        return list(rest, io);
      case 'show':
        return show(rest, io);
      case 'validate':
        return validate(rest, io);
      case 'sync':
      case 'cache':
      case 'set':
      case 'unset': {
        const { runPricesAdmin } = await import('./prices-admin.js');
        return runPricesAdmin(sub, rest, io);
      }
      default:
        throw new CliError(sub ? `unknown subcommand "${sub}"\n\n${USAGE}` : USAGE, 2);
    }
  },
};

function flags(m: CatalogModel): string {
  const f: string[] = [];
  if (m.free) f.push('free');
  if (m.deprecated) f.push('deprecated');
  if (m.contextTiers?.length) f.push(`>${m.contextTiers.map((t) => `${t.above / 1000}k`).join('/')}`);
  if (m.serviceTiers) f.push(...Object.keys(m.serviceTiers));
  return f.join(' ');
}

async function list(argv: string[], io: Parameters<CliCommand['run']>[1]): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json', 'layers'], known: ['provider', 'search', 'limit'] });
  if (args.flags.layers) return listLayers(args.flags.json === true, io);
  const catalog = cliCatalog(io);
  const provider = strFlag(args, 'provider');
  const search = strFlag(args, 'search') ?? args.positionals[0];
  const models = catalog.list({ ...(provider ? { provider } : {}), ...(search ? { search } : {}) });
  // 0 is no limit, as `report --top 0` and `budget status --top 0` are.
  const limit = intFlag(args, 'limit', args.flags.json ? 0 : 200) || Number.MAX_SAFE_INTEGER;
  if (args.flags.json) {
    io.stdout.write(`${JSON.stringify(models.slice(0, limit), null, 2)}\n`);
    return 0;
  }
  if (models.length === 0) {
    io.stderr.write('no models match; try a shorter --search or another --provider\n');
    return 1;
  }
  const rows = models
    .slice(0, limit)
    .map((m) => [
      m.provider,
      m.id,
      perMillion(m.prices.input),
      perMillion(m.prices.output),
      perMillion(m.prices.cacheRead),
      m.layer,
      flags(m),
    ]);
  io.stdout.write(
    renderTable(['provider', 'model', 'input/1M', 'output/1M', 'cache read/1M', 'layer', 'notes'], rows),
  );
  if (models.length > limit) io.stdout.write(`… ${models.length - limit} more (use --limit or --search)\n`);
  return 0;
}

function priceLines(p: PriceSet, indent: string): string {
  return Object.entries(p)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${indent}${k.padEnd(14)} ${k.startsWith('per') ? `$${v}` : `${perMillion(v)} / 1M`}`)
    .join('\n');
}

async function show(argv: string[], io: Parameters<CliCommand['run']>[1]): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json'], known: ['provider'] });
  const name = args.positionals[0];
  if (!name) throw new CliError('give a model name, e.g. `langfuse-cost prices show gpt-4o`', 2);
  const catalog = cliCatalog(io);
  const provider = strFlag(args, 'provider');
  const r = catalog.resolve(name, provider);
  if (!r) {
    io.stderr.write(
      `no price for "${name}"; see \`langfuse-cost price ${name} --explain\` for what was tried\n`,
    );
    return 1;
  }
  if (args.flags.json) {
    io.stdout.write(
      `${JSON.stringify({ ...r.model, provider: r.group.provider, layer: r.layer, rule: r.rule, versions: r.group.versions.map((v) => v.model) }, null, 2)}\n`,
    );
    return 0;
  }
  const m = r.model;
  const out = [
    `${name} → ${r.group.provider}/${m.id}   (layer: ${r.layer}, matched by: ${r.rule})`,
    m.name ? `name:        ${m.name}` : '',
    m.aliases?.length ? `aliases:     ${m.aliases.join(', ')}` : '',
    m.free || r.free ? 'free:        yes (cost 0, tokens counted)' : '',
    m.deprecated ? 'deprecated:  yes (kept for old traces)' : '',
    m.validFrom || m.validUntil ? `valid:       ${m.validFrom ?? '…'} → ${m.validUntil ?? '…'}` : '',
    'prices:',
    priceLines(m.prices, '  '),
    ...(m.contextTiers ?? []).map(
      (t) => `prompt > ${t.above.toLocaleString('en-US')} tokens:\n${priceLines(t.prices, '  ')}`,
    ),
    ...Object.entries(m.serviceTiers ?? {}).map(
      ([k, t]) =>
        `${k}:${t?.multiplier !== undefined ? ` ×${t.multiplier} of standard` : ''}\n${priceLines({ ...t, multiplier: undefined, contextTiers: undefined } as PriceSet, '  ')}`,
    ),
    r.group.versions.length > 1
      ? `price history: ${r.group.versions.map((v) => v.model.validFrom ?? 'start').join(' → ')}`
      : '',
  ].filter((l) => l.trim() !== '');
  io.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

/** One layer as a table row: where it comes from, and what went wrong when it was skipped. */
function layerRow(s: PriceLayerStatus): string[] {
  return [
    s.layer,
    s.state,
    String(s.models),
    s.origin,
    s.error ? `${s.error.code}: ${oneLine(s.error.message)}` : '',
  ];
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** `prices list --layers`: every layer of the runtime catalog, highest first, loaded or skipped. */
function listLayers(json: boolean, io: Parameters<CliCommand['run']>[1]): number {
  const health = catalogHealth(getNodeCatalog({ env: io.env, cwd: io.cwd, onWarning: () => {} }));
  if (json) {
    io.stdout.write(`${JSON.stringify(health, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(
    renderTable(['layer', 'state', 'models', 'origin', 'problem'], health.layers.map(layerRow)),
  );
  if (!health.ok)
    io.stdout.write(
      `${health.skipped.length} layer(s) skipped; the others price calls. Fix the file, or run \`langfuse-cost prices validate\`.\n`,
    );
  return 0;
}

/**
 * `prices validate`: each file through the loader the runtime uses (`addPriceFileLayer`, the same
 * function `getNodeCatalog` calls), so a file it accepts is a file the runtime loads. Without files,
 * the runtime's own files and layers are checked.
 */
async function validate(argv: string[], io: Parameters<CliCommand['run']>[1]): Promise<number> {
  const args = parseArgs(argv, { known: [] });
  const statuses =
    args.positionals.length > 0
      ? args.positionals.map((file) => addPriceFileLayer(new PriceCatalog(), file, { cwd: io.cwd }))
      : catalogHealth(getNodeCatalog({ env: io.env, cwd: io.cwd, reload: true, onWarning: () => {} })).layers;
  for (const s of statuses) {
    if (s.state === 'loaded')
      io.stdout.write(`ok: ${s.origin} — ${s.models} models${s.source ? ` (source: ${s.source})` : ''}\n`);
    else io.stderr.write(`${s.error?.message ?? `cannot load ${s.origin}`}\n`);
  }
  return statuses.every((s) => s.state === 'loaded') ? 0 : 1;
}
