/**
 * Usage of `prices sync`, `cache`, `set` and `unset`, apart from their code so `prices --help` shows it
 * without loading the sync machinery. The price flags come from the bucket table.
 */
import { PRICE_KEY_OF_FLAG } from '../../usage/buckets.js';

/** `[--cache-read <usd>] …`: every price flag but input and output, from the bucket table, wrapped. */
const OPTIONAL_PRICE_FLAGS = wrapWords(
  Object.keys(PRICE_KEY_OF_FLAG)
    .filter((f) => f !== 'input' && f !== 'output')
    .map((f) => `[--${f} <usd>]`),
  '        ',
  100,
);

/** Words joined by spaces into lines of at most `width` characters, each starting with `indent`. */
function wrapWords(words: readonly string[], indent: string, width: number): string {
  const lines: string[] = [];
  let line = indent;
  for (const w of words) {
    if (line !== indent && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent;
    }
    line += line === indent ? w : ` ${w}`;
  }
  if (line !== indent) lines.push(line);
  return lines.join('\n');
}

/** Usage of the admin subcommands, appended to `prices --help`. */
export const PRICES_ADMIN_USAGE = `
  langfuse-cost prices sync [--from genai-prices|litellm|<url>] [--dry-run] [--force]
        Download a published price list, validate it, show what changes and store it in the
        synced price cache. --dry-run shows the preview and writes nothing; --force ignores the
        6-hour TTL. Options: --format litellm|genai-prices|langfuse|catalog (for URLs),
        --timeout <ms> (30000), --max-bytes <n> (16 MiB), --max-shrink <ratio> (0.5), --all, --json.
  langfuse-cost prices cache stats [--json]
        Source, download time, age and model count of the synced cache.
  langfuse-cost prices cache clear
        Delete the synced cache (user files and the bundled catalog stay in force).
  langfuse-cost prices set <model> --input <usd> --output <usd>
${OPTIONAL_PRICE_FLAGS}
        [--provider <id>] [--file <path>]
        Write a manual price (USD per 1M tokens or characters, per hour of audio, per GPU hour, per
        image, request or search) to your price file (first path of LANGFUSE_COST_PRICES, else
        ~/.config/langfuse-cost/prices.json, which is loaded wherever LANGFUSE_COST_PRICES is unset).
        Manual prices win over synced and bundled prices.
  langfuse-cost prices unset <model> [--provider <id>] [--file <path>]
        Remove a manual price.
`;
