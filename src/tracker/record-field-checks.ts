/**
 * The per-field checks of a recorded usage and cost breakdown (src/tracker/record-guard.ts and its
 * generated fast paths). Tiny so that they inline into the caller; the error message is built in a
 * separate function, only when a check fails.
 */
import { describeValue, InvalidRecordError } from '../errors.js';
import { PICO_PER_USD } from '../pricing/money.js';
import { MAX_TOKENS_PER_BUCKET } from '../usage/token-count.js';

/** Largest cost of one call, pico-USD: the largest safe integer (about $9,007), as the calculator. */
export const MAX_PICO = Number.MAX_SAFE_INTEGER;
/** Largest cost of one call, USD. */
export const MAX_USD = MAX_PICO / PICO_PER_USD;

/** Throw the typed error for field `key` of `parent`. */
export function bad(parent: string, key: string, expected: string, v: unknown): never {
  throw new InvalidRecordError(`${parent}.${key}`, `expected ${expected}, got ${describeValue(v)}`);
}

/** A token count (`undefined`/`null`: 0), else the typed error naming `path.key`. */
export function tokensAt(v: unknown, path: string, key: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && v >= 0 && v <= MAX_TOKENS_PER_BUCKET && Number.isInteger(v)) return v;
  return bad(path, key, 'an integer token count from 0 to 1e9', v);
}

/** A USD amount (`undefined`/`null`: 0), else the typed error naming `path.key`. */
export function usdAt(v: unknown, path: string, key: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && v >= 0 && v <= MAX_USD) return v;
  return bad(path, key, 'a cost in USD from 0 to 9007', v);
}
