import { InvalidUsageError } from '../errors.js';

/** Largest token count accepted in one bucket of one call; anything above is treated as corrupt input. */
export const MAX_TOKENS_PER_BUCKET = 1_000_000_000;

/**
 * A valid count (an integer from 0 to {@link MAX_TOKENS_PER_BUCKET}, so below 2^30) as a small
 * integer, even when it came as a heap number (an integral double, from float arithmetic upstream):
 * one heap number stored in a usage turns that field of every usage into a boxed double, and the
 * code reading it is made again for doubles. -0 stays -0.
 */
export function smallCount(n: number): number {
  return n === 0 ? n : n | 0;
}

/** A bucket's count as given (`null`: 0), else the typed error naming `path.key`. */
export function count(v: unknown, key: string, path: string): number {
  if (v === null) return 0;
  if (typeof v === 'number' && v >= 0 && v <= MAX_TOKENS_PER_BUCKET && Number.isInteger(v))
    return smallCount(v);
  return checkCount(v, `${path}.${key}`);
}

function checkCount(value: unknown, path: string): number {
  if (typeof value !== 'number') {
    throw new InvalidUsageError(path, `expected a number of tokens, got ${typeof value}`);
  }
  if (Number.isNaN(value)) throw new InvalidUsageError(path, 'is NaN');
  if (value < 0) throw new InvalidUsageError(path, `is negative (${value}); token counts are >= 0`);
  if (!Number.isInteger(value))
    throw new InvalidUsageError(path, `is fractional (${value}); token counts are integers`);
  if (value > MAX_TOKENS_PER_BUCKET) {
    throw new InvalidUsageError(
      path,
      `is implausibly large (${value} > ${MAX_TOKENS_PER_BUCKET}); check the extractor`,
    );
  }
  return value;
}
