import { type CatalogIssue, CatalogValidationError, closedError, describeValue } from '../errors.js';
import { compileSafeRegex } from './regex/index.js';
import { type CatalogData, type MatchRule, PRICE_KEYS, SERVICE_TIERS } from './types.js';

/** Highest price accepted per 1M tokens (or per unit for fees); anything above is a data error. */
export const MAX_PRICE = 10_000;

/** Most GPUs one model entry may say serve it (`gpus`); more is a data error, not a deployment. */
export const MAX_GPUS = 4096;

const MODEL_KEYS = new Set([
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
  'contextWindow',
  'gpus',
  'description',
  'source',
]);
const PRICE_KEY_SET: ReadonlySet<string> = new Set(PRICE_KEYS);
const MODES = new Set(['chat', 'completion', 'embedding', 'responses', 'audio', 'image', 'other']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkPrices(v: unknown, path: string, issues: CatalogIssue[], extra: readonly string[] = []): void {
  if (!isObject(v)) {
    issues.push({
      path,
      message: 'expected an object of prices (USD per 1M tokens), e.g. {"input": 2.5, "output": 10}',
    });
    return;
  }
  for (const [k, p] of Object.entries(v)) {
    if (extra.includes(k)) continue;
    if (!PRICE_KEY_SET.has(k)) {
      issues.push({
        path: `${path}.${k}`,
        message: `unknown price key; use one of ${PRICE_KEYS.join(', ')}`,
      });
      continue;
    }
    if (typeof p !== 'number' || !Number.isFinite(p)) {
      issues.push({ path: `${path}.${k}`, message: `expected a finite number, got ${describeValue(p)}` });
    } else if (p < 0) {
      issues.push({ path: `${path}.${k}`, message: `negative price ${p}` });
    } else if (p > MAX_PRICE) {
      issues.push({
        path: `${path}.${k}`,
        message: `implausible price ${p} (> ${MAX_PRICE} USD per 1M tokens)`,
      });
    }
  }
}

function checkContextTiers(v: unknown, path: string, issues: CatalogIssue[]): void {
  if (!Array.isArray(v)) {
    issues.push({ path, message: 'expected an array of {"above": tokens, "prices": {...}}' });
    return;
  }
  v.forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(t)) {
      issues.push({ path: p, message: 'expected {"above": tokens, "prices": {...}}' });
      return;
    }
    if (typeof t.above !== 'number' || !Number.isInteger(t.above) || t.above <= 0) {
      issues.push({ path: `${p}.above`, message: 'expected a positive integer number of prompt tokens' });
    }
    checkPrices(t.prices, `${p}.prices`, issues);
  });
}

/** What to do about a rejected pattern, said once in every such issue. */
const REGEX_ADVICE =
  'match rules run on a linear-time engine without backreferences or lookarounds (a lookahead is allowed only right after a leading ^): ' +
  'rewrite the rule with equals, startsWith, endsWith or contains (combined with or/and), or remove it';

/**
 * A regex rule must compile on the linear-time engine (`./regex/`); the issue names the model, the
 * pattern and the reason, so the file's author can find and fix it.
 */
function checkRegex(pattern: string, path: string, model: string | undefined, issues: CatalogIssue[]): void {
  const r = compileSafeRegex(pattern, 'i');
  if (r.ok) return;
  const shown = pattern.length > 120 ? `${pattern.slice(0, 120)}…` : pattern;
  const of = model ? ` of model "${model}"` : '';
  const where = r.rejection.at > 0 ? ` (at offset ${r.rejection.at})` : '';
  if (r.rejection.invalid) {
    issues.push({ path, message: `invalid regular expression${of}: ${r.rejection.reason}` });
    return;
  }
  issues.push({
    path,
    message: `regular expression ${JSON.stringify(shown)}${of} is not accepted: ${r.rejection.reason}${where}; ${REGEX_ADVICE}`,
  });
}

function checkRule(rule: unknown, path: string, issues: CatalogIssue[], model?: string): void {
  if (!isObject(rule)) {
    issues.push({ path, message: 'expected a match rule object such as {"startsWith": "gpt-4o"}' });
    return;
  }
  const keys = Object.keys(rule);
  if (keys.length !== 1) {
    issues.push({
      path,
      message: 'a match rule has exactly one of equals, startsWith, endsWith, contains, regex, or, and',
    });
    return;
  }
  const k = keys[0]!;
  const v = (rule as Record<string, unknown>)[k];
  if (k === 'or' || k === 'and') {
    if (!Array.isArray(v) || v.length === 0)
      issues.push({ path: `${path}.${k}`, message: 'expected a non-empty array of rules' });
    else v.forEach((r, i) => checkRule(r, `${path}.${k}[${i}]`, issues, model));
  } else if (['equals', 'startsWith', 'endsWith', 'contains', 'regex'].includes(k)) {
    if (typeof v !== 'string' || v === '')
      issues.push({ path: `${path}.${k}`, message: 'expected a non-empty string' });
    else if (k === 'regex') checkRegex(v, `${path}.regex`, model, issues);
  } else {
    issues.push({
      path: `${path}.${k}`,
      message: 'unknown rule; use equals, startsWith, endsWith, contains, regex, or, and',
    });
  }
}

function checkDate(v: unknown, path: string, issues: CatalogIssue[]): void {
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) {
    issues.push({ path, message: `expected an ISO date such as "2025-01-31", got ${describeValue(v)}` });
  }
}

/**
 * Validate a catalog document and return it typed. Collects every problem, each with its path.
 * @throws {CatalogValidationError} listing every bad field.
 */
export function validateCatalog(data: unknown, origin?: string): CatalogData {
  const issues = collectCatalogIssues(data);
  if (issues.length === 0) return data as CatalogData;
  try {
    throw new CatalogValidationError(issues, typeof origin === 'string' ? origin : undefined);
  } catch (err) {
    throw closedError(err, 'validateCatalog');
  }
}

/**
 * Every problem of a catalog document (empty when valid). A document that cannot be read (a getter
 * or Proxy trap that throws, a cycle, a BigInt where JSON has none) gives an issue at `$` saying so.
 */
export function collectCatalogIssues(data: unknown): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  try {
    collectInto(data, issues);
  } catch (err) {
    let why: string;
    try {
      why =
        err instanceof Error && typeof err.message === 'string'
          ? err.message.slice(0, 200)
          : describeValue(err);
    } catch {
      why = 'unreadable error';
    }
    issues.push({ path: '$', message: `the document cannot be read as JSON data (${why})` });
  }
  return issues;
}

function collectInto(data: unknown, issues: CatalogIssue[]): void {
  if (!isObject(data)) {
    issues.push({ path: '$', message: 'expected a catalog object {"version": 1, "models": [...]}' });
    return;
  }
  if (data.version !== 1)
    issues.push({ path: 'version', message: `expected 1, got ${describeValue(data.version)}` });
  if (!Array.isArray(data.models)) {
    issues.push({ path: 'models', message: 'expected an array of models' });
  } else {
    data.models.forEach((m, i) => checkModel(m, `models[${i}]`, issues));
  }
  if (data.fallback !== undefined) checkPrices(data.fallback, 'fallback', issues);
  if (data.deployments !== undefined) {
    if (!isObject(data.deployments))
      issues.push({ path: 'deployments', message: 'expected an object name → model' });
    else
      for (const [name, t] of Object.entries(data.deployments)) {
        const ok =
          typeof t === 'string' ? t !== '' : isObject(t) && typeof t.model === 'string' && t.model !== '';
        if (!ok)
          issues.push({
            path: `deployments.${name}`,
            message: 'expected a model name or {"model": "...", "provider": "..."}',
          });
      }
  }
  if (data.providers !== undefined) {
    if (!isObject(data.providers))
      issues.push({ path: 'providers', message: 'expected an object id → {aliases, fallbackProviders}' });
    else
      for (const [id, p] of Object.entries(data.providers)) {
        if (!isObject(p)) {
          issues.push({ path: `providers.${id}`, message: 'expected {aliases?, fallbackProviders?}' });
          continue;
        }
        for (const k of ['aliases', 'fallbackProviders'] as const) {
          const v = p[k];
          if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) {
            issues.push({ path: `providers.${id}.${k}`, message: 'expected an array of strings' });
          }
        }
      }
  }
}

function checkModel(m: unknown, path: string, issues: CatalogIssue[]): void {
  if (!isObject(m)) {
    issues.push({ path, message: 'expected a model object with id, provider and prices' });
    return;
  }
  for (const k of Object.keys(m)) {
    if (!MODEL_KEYS.has(k)) issues.push({ path: `${path}.${k}`, message: 'unknown field' });
  }
  if (m.source !== undefined && (typeof m.source !== 'string' || m.source === ''))
    issues.push({ path: `${path}.source`, message: 'expected the name of a source (a non-empty string)' });
  if (typeof m.id !== 'string' || m.id.trim() === '')
    issues.push({ path: `${path}.id`, message: 'expected a non-empty string' });
  if (typeof m.provider !== 'string' || m.provider.trim() === '') {
    issues.push({ path: `${path}.provider`, message: 'expected a non-empty provider id such as "openai"' });
  }
  if (
    m.aliases !== undefined &&
    (!Array.isArray(m.aliases) || m.aliases.some((a) => typeof a !== 'string' || a === ''))
  ) {
    issues.push({ path: `${path}.aliases`, message: 'expected an array of non-empty strings' });
  }
  if (m.match !== undefined) {
    const name =
      typeof m.id === 'string'
        ? `${typeof m.provider === 'string' ? `${m.provider}/` : ''}${m.id}`
        : undefined;
    if (Array.isArray(m.match)) m.match.forEach((r, i) => checkRule(r, `${path}.match[${i}]`, issues, name));
    else checkRule(m.match, `${path}.match`, issues, name);
  }
  if (m.mode !== undefined && !MODES.has(m.mode as string)) {
    issues.push({ path: `${path}.mode`, message: `expected one of ${[...MODES].join(', ')}` });
  }
  if (m.prices === undefined && m.free !== true) {
    issues.push({ path: `${path}.prices`, message: 'missing; give prices or "free": true' });
  } else if (m.prices !== undefined) checkPrices(m.prices, `${path}.prices`, issues);
  if (m.contextTiers !== undefined) checkContextTiers(m.contextTiers, `${path}.contextTiers`, issues);
  if (m.serviceTiers !== undefined) {
    if (!isObject(m.serviceTiers))
      issues.push({ path: `${path}.serviceTiers`, message: 'expected {priority?, flex?, batch?}' });
    else
      for (const [tier, t] of Object.entries(m.serviceTiers)) {
        const p = `${path}.serviceTiers.${tier}`;
        if (!SERVICE_TIERS.includes(tier as never) || tier === 'standard') {
          issues.push({ path: p, message: 'unknown service tier; use priority, flex or batch' });
          continue;
        }
        checkPrices(t, p, issues, ['multiplier', 'contextTiers']);
        if (isObject(t)) {
          if (
            t.multiplier !== undefined &&
            (typeof t.multiplier !== 'number' || !(t.multiplier >= 0) || t.multiplier > 100)
          ) {
            issues.push({ path: `${p}.multiplier`, message: 'expected a number between 0 and 100' });
          }
          if (t.contextTiers !== undefined) checkContextTiers(t.contextTiers, `${p}.contextTiers`, issues);
        }
      }
  }
  for (const k of ['free', 'deprecated'] as const) {
    if (m[k] !== undefined && typeof m[k] !== 'boolean')
      issues.push({ path: `${path}.${k}`, message: 'expected true or false' });
  }
  if (m.validFrom !== undefined) checkDate(m.validFrom, `${path}.validFrom`, issues);
  if (m.validUntil !== undefined) checkDate(m.validUntil, `${path}.validUntil`, issues);
  if (m.contextWindow !== undefined && (typeof m.contextWindow !== 'number' || !(m.contextWindow > 0))) {
    issues.push({ path: `${path}.contextWindow`, message: 'expected a positive number of tokens' });
  }
  if (
    m.gpus !== undefined &&
    (typeof m.gpus !== 'number' || !Number.isInteger(m.gpus) || m.gpus < 1 || m.gpus > MAX_GPUS)
  ) {
    issues.push({ path: `${path}.gpus`, message: `expected a whole number of GPUs from 1 to ${MAX_GPUS}` });
  }
}

/** Type guard for rules, used by the compiler. */
export function isMatchRule(v: unknown): v is MatchRule {
  const issues: CatalogIssue[] = [];
  checkRule(v, '$', issues);
  return issues.length === 0;
}
