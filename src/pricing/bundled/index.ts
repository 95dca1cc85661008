/**
 * The bundled catalog: prices generated from `@pydantic/genai-prices` (MIT) by
 * `npm run prices:update` (scripts/update-prices.ts) into `catalog.json` and `catalog-data.ts`.
 * Both are generated; do not edit them by hand — put corrections in a user price file or in
 * `catalog.override()` instead.
 */
import type { IndexPlan } from '../index-plan.js';
import type { CatalogData } from '../types.js';
import { catalogIndexJson, catalogJson } from './catalog-data.js';

/** The bundled catalog data (validated when loaded into a `PriceCatalog`). */
export const bundledCatalog: CatalogData = /* @__PURE__ */ JSON.parse(catalogJson) as CatalogData;

let plan: IndexPlan | undefined;

/**
 * @internal The precomputed index of {@link bundledCatalog} (parsed on first use), for loading it as
 * a layer's only document: `PriceCatalog.fromData(bundledCatalog, 'bundled', origin, { trusted: true,
 * plan: bundledIndexPlan() })`.
 */
export function bundledIndexPlan(): IndexPlan {
  plan ??= JSON.parse(catalogIndexJson) as IndexPlan;
  return plan;
}
