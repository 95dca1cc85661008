/**
 * The bundled catalog: prices generated from `@pydantic/genai-prices` (MIT) by
 * `npm run prices:update` (scripts/update-prices.ts) into `catalog.json` and `catalog-data.ts`.
 * Both are generated; do not edit them by hand — put corrections in a user price file or in
 * `catalog.override()` instead.
 *
 * Nothing is parsed at import, and a price parses only what it reads: parsing the whole 330 KB
 * document (2,000 entries) cost a fresh process about 3 ms and the garbage collection it caused,
 * while its first price needs the index and the few entries of one model. The generator writes one
 * entry per line (`formatCatalog`), cuts the lines into pieces of `catalogEntriesPerPart`, and cuts
 * the index's 2,000 exact names into parts by a hash of the name (`formatPlan`); each piece is the
 * string a function of `catalog-data.ts` returns, so V8 compiles (and a price parses) only the
 * pieces that are read; an entry piece writes the words most entries repeat in two characters
 * (`catalogExpand` writes them out). Entry `k` is a line of piece `k / catalogEntriesPerPart`.
 */
import type { LayerOptions } from '../catalog.js';
import { type ExactGroups, exactGroupsOf, exactPart, type IndexPlan } from '../index-plan.js';
import type { CatalogData, CatalogModel } from '../types.js';
import {
  catalogEntriesPerPart,
  catalogEntryParts,
  catalogExactParts,
  catalogExpand,
  catalogHead,
  catalogIndexHead,
  catalogIndexJson,
  catalogModelCount,
} from './catalog-data.js';

/** The document without its entries (version, provenance, providers), parsed on first read. */
let header: Omit<CatalogData, 'models'> | undefined;
/** The entries parsed so far, by entry number. */
const parsed: (CatalogModel | undefined)[] = [];
/** The lines of each piece of entries read so far, by piece number. */
const pieceLines: (string[] | undefined)[] = [];
let models: CatalogModel[] | undefined;
let plan: IndexPlan | undefined;
/** The index without its exact names (they are read part by part). */
let layout: IndexPlan | undefined;
/** The parts of the exact-name table parsed so far, by part number. */
const exactParts: (Record<string, ExactGroups> | undefined)[] = [];

function readHeader(): Omit<CatalogData, 'models'> {
  // The head ends with `"models": [` and its newline: close it with no entries.
  header ??= JSON.parse(`${catalogHead()}]}`) as CatalogData;
  return header;
}

/** @internal How many entries the bundled catalog has (without parsing them). */
export function bundledModelCount(): number {
  return catalogModelCount;
}

/**
 * @internal Entry `k` of the bundled catalog (numbered as in `models`), parsed on first read: the
 * same object every time, and the same one `bundledCatalog.models[k]` holds.
 */
export function bundledEntry(k: number): CatalogModel {
  let m = parsed[k];
  if (m === undefined) {
    const piece = Math.floor(k / catalogEntriesPerPart);
    let lines = pieceLines[piece];
    if (lines === undefined) {
      lines = catalogExpand(catalogEntryParts[piece]!()).split('\n');
      pieceLines[piece] = lines;
    }
    // A line ends with the comma before the next entry's line (the last one with none).
    m = JSON.parse(withoutComma(lines[k - piece * catalogEntriesPerPart]!)) as CatalogModel;
    parsed[k] = m;
  }
  return m;
}

/**
 * The bundled catalog data (validated when loaded into a `PriceCatalog`). Each field is parsed when
 * first read (the generator writes no `deployments` and no `fallback`); `models` parses every entry (listing, validating), a price reads entries one by one
 * through {@link bundledLayerOptions}.
 */
export const bundledCatalog: CatalogData = {
  get version() {
    return readHeader().version;
  },
  get source() {
    return readHeader().source;
  },
  get sources() {
    return readHeader().sources;
  },
  get providers() {
    return readHeader().providers;
  },
  get models() {
    if (models === undefined) {
      const all: CatalogModel[] = [];
      const n = bundledModelCount();
      for (let k = 0; k < n; k++) all.push(bundledEntry(k));
      models = all;
    }
    return models;
  },
};

/**
 * @internal The precomputed index of {@link bundledCatalog} (parsed on first use), for loading it as
 * a layer's only document: `PriceCatalog.fromData(bundledCatalog, 'bundled', origin, { trusted: true,
 * plan: bundledIndexPlan() })`.
 */
export function bundledIndexPlan(): IndexPlan {
  plan ??= JSON.parse(catalogIndexJson()) as IndexPlan;
  return plan;
}

/**
 * @internal The groups an exact (lower-cased) name stands for in the bundled catalog's index, as
 * `bundledIndexPlan().exact` has them, parsing only the part of the table the name is in.
 */
export function bundledNamed(name: string): ExactGroups | undefined {
  const p = exactPart(name);
  let part = exactParts[p];
  if (part === undefined) {
    // Lines `"name": group,`; the last line of the table has no comma.
    part = JSON.parse(`{${withoutComma(catalogExactParts[p]!().trimEnd())}}`) as Record<string, ExactGroups>;
    exactParts[p] = part;
  }
  return exactGroupsOf(part, name);
}

/** A list's items as written (`item,` each, the last one without its comma), without that last comma. */
function withoutComma(text: string): string {
  return text.endsWith(',') ? text.slice(0, -1) : text;
}

function layoutPlan(): IndexPlan {
  // The head ends with `"exact": {`: close the table empty, and the document.
  layout ??= JSON.parse(`${catalogIndexHead()}}}`) as IndexPlan;
  return layout;
}

/**
 * @internal The options that load {@link bundledCatalog} as a layer's only document without parsing
 * it whole: trusted (validated when generated and by the test suite), its precomputed index without
 * the exact names, the exact names looked up part by part, and its entries read one at a time as the
 * resolver reaches them.
 */
export function bundledLayerOptions(): LayerOptions {
  return { trusted: true, plan: layoutPlan(), entry: bundledEntry, named: bundledNamed };
}
