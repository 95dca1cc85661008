import { catalogHealth, getNodeCatalog, skippedLayerMessage } from '../node/default-catalog.js';
import type { PriceCatalog } from '../pricing/catalog.js';
import type { CliIO } from './command.js';

/**
 * The Node catalog as the runtime builds it, for a CLI command: a skipped layer (a price file that
 * cannot be read or validated) is one `warning:` line on stderr, on every run — the library logger
 * would say it only when the catalog is first built — and the command goes on with the other layers,
 * as `CostCallbackHandler` and `CostSpanProcessor` do.
 */
export function cliCatalog(io: Pick<CliIO, 'env' | 'cwd' | 'stderr'>, env = io.env): PriceCatalog {
  const catalog = getNodeCatalog({ env, cwd: io.cwd, onWarning: () => {} });
  for (const s of catalogHealth(catalog).skipped) io.stderr.write(`warning: ${skippedLayerMessage(s)}\n`);
  return catalog;
}
