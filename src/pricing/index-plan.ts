/**
 * A catalog layer's index as plain data: which entries form one model group (all dated versions of a
 * provider's id), the exact names that lead to each group, and the groups with match rules to test.
 *
 * The resolver builds its lookups from a plan lazily. For the bundled catalog the plan is computed by
 * `npm run prices:update` and shipped beside the data (`bundled/catalog-data.ts`), so a fresh process
 * does not walk 2,000 entries to build maps before its first price: `JSON.parse` builds the exact-name
 * table natively, in a fraction of the time a JavaScript loop over cold code takes.
 */
import { canonicalProvider } from '../usage/providers.js';
import { exactNamesOf } from './match-rules.js';
import type { CatalogData, CatalogModel } from './types.js';

/**
 * The index of one layer. Groups are numbered in index order (providers in order of first
 * appearance, then ids in order of first appearance); entries are numbered across the layer's
 * documents in order (the first document's models, then the next one's).
 */
export interface IndexPlan {
  /** Canonical provider ids, in order of first appearance. */
  providers: string[];
  /** Per group: its provider, as an index into {@link providers}. */
  provider: number[];
  /** Per group `g`: its entries are `entries[off[g]]` up to (not including) `entries[off[g + 1]]`. */
  off: number[];
  /** Entry numbers, group by group (versions of one model, in document order). */
  entries: number[];
  /**
   * Lower-cased exact names (ids, aliases, names of `equals`-only rules) → the group, or the groups
   * in index order when providers share a name. Read it with `Object.hasOwn`: a name such as
   * `constructor` is an own key only when a model has it.
   */
  exact: Record<string, ExactGroups>;
  /** Groups whose match rule has to be tested (anything but `equals`), in index order. */
  rules: number[];
}

/** What an exact name stands for in an {@link IndexPlan}: its group, or its groups in index order. */
export type ExactGroups = number | number[];

/**
 * The groups `name` stands for in an exact-name table (the plan's, or a part of the bundled one's):
 * own keys only, so `constructor` is a name only when a model has it.
 */
export function exactGroupsOf(exact: Record<string, ExactGroups>, name: string): ExactGroups | undefined {
  return Object.hasOwn(exact, name) ? exact[name] : undefined;
}

/**
 * The entries of a layer made of `datasets`, numbered as an {@link IndexPlan} numbers them: the first
 * document's models, then the next one's.
 */
export function layerEntries(datasets: readonly CatalogData[]): CatalogModel[] {
  return datasets.length === 1 ? datasets[0]!.models : datasets.flatMap((d) => d.models);
}

/**
 * Compute the plan of a layer made of `datasets` (later documents win: an entry for a provider and id
 * that an earlier document has replaces that group, it does not add versions to it).
 */
export function planIndex(datasets: readonly CatalogData[]): IndexPlan {
  // provider → lower-cased id → entry numbers.
  const groups = new Map<string, Map<string, number[]>>();
  const providerOf = new Map<string, string>();
  let base = 0;
  for (const d of datasets) {
    const fresh = datasets.length > 1 ? new Set<number[]>() : null;
    // Provider ids a catalog declares are kept as they are (e.g. `vertex-ai` beside `google`).
    const declared = d.providers ? new Set(Object.keys(d.providers).map((k) => k.toLowerCase())) : null;
    d.models.forEach((m, i) => {
      let provider = providerOf.get(m.provider);
      if (provider === undefined) {
        const own = m.provider.toLowerCase();
        provider = declared?.has(own) ? own : (canonicalProvider(m.provider) ?? own).toLowerCase();
        providerOf.set(m.provider, provider);
      }
      let byId = groups.get(provider);
      if (byId === undefined) {
        byId = new Map();
        groups.set(provider, byId);
      }
      const id = m.id.toLowerCase();
      const list = byId.get(id);
      if (list !== undefined && (fresh === null || fresh.has(list))) list.push(base + i);
      else {
        const created = [base + i];
        byId.set(id, created);
        fresh?.add(created);
      }
    });
    base += d.models.length;
  }
  const all = layerEntries(datasets);
  const plan: IndexPlan = {
    providers: [],
    provider: [],
    off: [0],
    entries: [],
    exact: Object.create(null) as Record<string, number | number[]>,
    rules: [],
  };
  const exact = plan.exact;
  const addName = (n: string, g: number) => {
    const had = Object.hasOwn(exact, n) ? exact[n] : undefined;
    if (had === undefined) exact[n] = g;
    else if (Array.isArray(had)) {
      if (!had.includes(g)) had.push(g);
    } else if (had !== g) exact[n] = [had, g];
  };
  let g = 0;
  for (const [provider, byId] of groups) {
    const p = plan.providers.push(provider) - 1;
    for (const [id, list] of byId) {
      plan.provider.push(p);
      plan.entries.push(...list);
      plan.off.push(plan.entries.length);
      addName(id, g);
      for (const e of list) {
        const aliases = all[e]!.aliases;
        if (aliases) for (const a of aliases) addName(a.trim().toLowerCase(), g);
      }
      const rules = all[list[0]!]!.match;
      if (rules) {
        const names = exactNamesOf(rules);
        if (names) for (const n of names) addName(n, g);
        else plan.rules.push(g);
      }
      g++;
    }
  }
  return plan;
}

/**
 * How many parts the bundled catalog's exact names are cut into: a fresh process parses only the parts
 * its names fall in (about 35 names each) instead of the whole table (2,000 names, about 1 ms).
 */
export const EXACT_PARTS = 64;

/** FNV-1a's 32-bit offset basis and prime: a spread-out hash of a name, cheap to compute. */
const FNV_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** The part of the exact-name table a (lower-cased) name is in: the same answer in the generator and at run time. */
export function exactPart(name: string): number {
  let h = FNV_BASIS;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), FNV_PRIME);
  return (h >>> 0) % EXACT_PARTS;
}

/** The plan as JSON text, and where each part of its exact names starts in it. */
export interface FormattedPlan {
  /** JSON text; `JSON.parse` of it gives back {@link planIndex}'s result. */
  json: string;
  /**
   * Part `p`'s exact-name lines are `json.slice(parts[p], parts[p + 1])` (each `"name": group`, with
   * the comma that follows it but the last one's); {@link EXACT_PARTS} + 1 offsets.
   */
  parts: number[];
}

/**
 * The plan as JSON text for the generated bundle: one exact name per line, so a catalog change is a
 * small diff, the names ordered by {@link exactPart} (a JSON object's key order carries no meaning)
 * so that one part is one slice of the text.
 */
export function formatPlan(plan: IndexPlan): FormattedPlan {
  const byPart: string[][] = Array.from({ length: EXACT_PARTS }, () => []);
  for (const n of Object.keys(plan.exact))
    byPart[exactPart(n)]!.push(`${JSON.stringify(n)}: ${JSON.stringify(plan.exact[n])}`);
  let json = [
    '{',
    `"providers": ${JSON.stringify(plan.providers)},`,
    `"provider": ${JSON.stringify(plan.provider)},`,
    `"off": ${JSON.stringify(plan.off)},`,
    `"entries": ${JSON.stringify(plan.entries)},`,
    `"rules": ${JSON.stringify(plan.rules)},`,
    '"exact": {',
    '',
  ].join('\n');
  const parts: number[] = [];
  const lines = byPart.flat();
  let line = 0;
  for (const names of byPart) {
    parts.push(json.length);
    for (const n of names) json += `${n}${++line < lines.length ? ',' : ''}\n`;
  }
  parts.push(json.length);
  json += '}\n}\n';
  return { json, parts };
}
