/**
 * The bundled catalog: prices generated from `@pydantic/genai-prices` (MIT) by
 * `npm run prices:update` (scripts/update-prices.ts) into `catalog.json` and `catalog-data.ts`.
 * Both are generated; do not edit them by hand — put corrections in a user price file or in
 * `catalog.override()` instead.
 */
import type { CatalogData } from '../types.js';
import { catalogJson } from './catalog-data.js';

/** The bundled catalog data (validated when loaded into a `PriceCatalog`). */
export const bundledCatalog: CatalogData = /* @__PURE__ */ JSON.parse(catalogJson) as CatalogData;
