import { describeValue, InvalidArgumentError } from '../errors.js';

/**
 * Exact money. Prices are decimals; every amount is computed in integers:
 * - prices per token in femto-USD (1e-15 USD), from USD-per-1M prices with up to 9 decimals;
 * - costs in pico-USD (1e-12 USD, Langfuse's `Decimal64(12)` precision), rounded half-up once per bucket.
 * Sums of pico amounts are exact; USD numbers are only produced at the edge.
 */

/** Pico-USD per USD. */
export const PICO_PER_USD = 1e12;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Shift a decimal number left by `places` digits, exactly, using its shortest decimal representation
 * (so `2.5e-6` shifted by 6 is exactly 2.5, not 2.4999999999999996). Rounds half-up past the last digit.
 * Returns NaN for non-finite or negative input.
 */
export function shiftDecimal(value: number, places: number): number {
  if (!Number.isFinite(value) || value < 0) return Number.NaN;
  if (value === 0) return 0;
  const s = String(value);
  let mantissa = s;
  let exp = 0;
  const e = s.indexOf('e');
  if (e >= 0) {
    mantissa = s.slice(0, e);
    exp = Number(s.slice(e + 1));
  }
  const dot = mantissa.indexOf('.');
  let digits = mantissa;
  if (dot >= 0) {
    digits = mantissa.slice(0, dot) + mantissa.slice(dot + 1);
    exp -= mantissa.length - dot - 1;
  }
  exp += places;
  // value = digits × 10^exp
  if (exp >= 0) {
    const n = Number(digits + '0'.repeat(exp));
    return n;
  }
  const cut = digits.length + exp;
  if (cut <= 0) {
    // All digits are below the unit: round half-up.
    return cut === 0 && Number(digits[0]) >= 5 ? 1 : 0;
  }
  const whole = Number(digits.slice(0, cut));
  return Number(digits[cut]) >= 5 ? whole + 1 : whole;
}

/** USD per 1M tokens → integer femto-USD per token (exact for prices with up to 9 decimals). */
export function perMillionToFemtoPerToken(pricePerMillion: number): number {
  return shiftDecimal(pricePerMillion, 9);
}

/** USD per unit (request, search) → integer femto-USD per unit. */
export function usdToFemto(usd: number): number {
  return shiftDecimal(usd, 15);
}

/** USD → integer pico-USD (exact for amounts with up to 12 decimals). */
export function usdToPico(usd: number): number {
  if (typeof usd !== 'number') throw notNumber('usd', usd);
  return shiftDecimal(usd, 12);
}

/**
 * `count × femtoPrice`, converted to pico-USD with half-up rounding. Uses float-free integer
 * arithmetic, and BigInt when the product would leave the safe-integer range.
 */
export function femtoTimesToPico(count: number, femtoPrice: number): number {
  if (count === 0 || femtoPrice === 0) return 0;
  const x = count * femtoPrice;
  if (x <= MAX_SAFE) {
    let q = Math.floor(x / 1000);
    let r = x - q * 1000;
    if (r < 0) {
      q -= 1;
      r += 1000;
    } else if (r >= 1000) {
      q += 1;
      r -= 1000;
    }
    return r >= 500 ? q + 1 : q;
  }
  const big = BigInt(count) * BigInt(femtoPrice);
  const q = big / 1000n;
  const pico = big % 1000n >= 500n ? q + 1n : q;
  return Number(pico);
}

/**
 * `count × femtoPerBlock / block`, converted to pico-USD with half-up rounding once: the cost of a
 * bucket whose price is for a block of units (an hourly audio rate, `block` 3600 seconds). In BigInt,
 * which this rare path can afford, so no rate is rounded before it is multiplied.
 */
export function femtoPerBlockTimesToPico(count: number, femtoPerBlock: number, block: number): number {
  if (count === 0 || femtoPerBlock === 0) return 0;
  const den = BigInt(block) * 1000n;
  const big = BigInt(count) * BigInt(femtoPerBlock);
  const q = big / den;
  return Number((big % den) * 2n >= den ? q + 1n : q);
}

/** Pico-USD → USD number (the nearest double to the exact decimal). */
export function picoToUsd(pico: number | bigint): number {
  if (typeof pico !== 'number' && typeof pico !== 'bigint') throw notNumber('pico', pico);
  return typeof pico === 'bigint' ? Number(pico) / PICO_PER_USD : pico / PICO_PER_USD;
}

/** Smallest whole-picodollar amount `String` writes without an exponent: 1e-6 USD. */
const MIN_PLAIN_PICO = 1e6;
/** Amounts of up to 15 significant digits: a decimal that short is the only one of its length that is its double. */
const MAX_TEXT_PICO = 1e15;
/** The twelve fraction digits go as three groups of four (each an int32 below this). */
const GROUP_SCALE = 10_000;
const GROUP_HIGH = 1e8;
const ZERO_CODE = 48;

/**
 * Text of each four-digit group, zero-padded (`PADDED[42]` is `"0042"`), and the same without its
 * trailing zeros (`TRIMMED[4200]` is `"42"`; the last group written has them cut). Filled as groups
 * are seen: at most 10,000 short strings each, so an amount is three loads and a few concatenations
 * instead of the shortest-double conversion. Both are made at their full length (holes, 80 KB each):
 * grown from `[]` by the scattered groups of real amounts, V8 kept them as hash tables (dictionary
 * elements), and each load was a megamorphic keyed load with a seeded integer hash (about 280
 * instructions an amount, callgrind, bench/otel.ts spans). They are made by the first amount written,
 * not at import: made at import, they cost a fresh process's first price about 4.5 ms more
 * (`bench/cold-start.ts`), though that price writes no amount.
 */
let PADDED: (string | undefined)[] = [];
let TRIMMED: (string | undefined)[] = [];

function makeGroupTables(): void {
  PADDED = new Array(GROUP_SCALE);
  TRIMMED = new Array(GROUP_SCALE);
}

function padded(g: number): string {
  return (PADDED[g] ??= String(g + GROUP_SCALE).slice(1));
}

function trimmed(g: number): string {
  let t = TRIMMED[g];
  if (t === undefined) {
    t = padded(g);
    let end = t.length;
    while (t.charCodeAt(end - 1) === ZERO_CODE) end--;
    t = t.slice(0, end);
    TRIMMED[g] = t;
  }
  return t;
}

/**
 * @internal `String(usd)` for a USD amount, the text JSON.stringify writes, made from the amount's
 * whole picodollars when it has them. The calculator's amounts are `pico / 1e12`; `String` of such a
 * double runs V8's shortest round-trip conversion (about 200 ns when its number cache misses, as it
 * does for amounts that change call by call), while the text of `pico` with the point twelve places
 * from the right is the same text from integer arithmetic. Why it is the same: a decimal of at most
 * 15 significant digits is the only decimal of that length or shorter that converts to its double
 * (doubles carry 15.95 digits), so once it converts back to `usd` it is the shortest text `String`
 * prints, and from 1e-6 up that text has no exponent. Every other amount is written by `String`.
 */
export function usdText(usd: number): string {
  const pico = Math.round(usd * PICO_PER_USD);
  if (!(pico >= MIN_PLAIN_PICO && pico < MAX_TEXT_PICO && pico / PICO_PER_USD === usd)) return String(usd);
  const whole = Math.floor(pico / PICO_PER_USD);
  const frac = pico - whole * PICO_PER_USD;
  if (frac === 0) return String(whole);
  // Empty until the first amount with a fraction (nothing is written in them before this line).
  if (PADDED.length === 0) makeGroupTables();
  const g0 = Math.floor(frac / GROUP_HIGH);
  const rest = frac - g0 * GROUP_HIGH;
  const g1 = (rest / GROUP_SCALE) | 0;
  const g2 = rest - g1 * GROUP_SCALE;
  // Up to the last group that is not zero (frac > 0: one of them is not).
  const digits =
    g2 !== 0 ? padded(g0) + padded(g1) + trimmed(g2) : g1 !== 0 ? padded(g0) + trimmed(g1) : trimmed(g0);
  // Most amounts are below $1: one concatenation with a literal, not the whole part's text and two.
  return whole === 0 ? `0.${digits}` : `${whole}.${digits}`;
}

/** Exact decimal string of a pico-USD amount, e.g. `5625000000n` → `"0.005625000000"`. */
export function picoToDecimalString(pico: number | bigint, decimals = 12): string {
  if (typeof pico === 'number' ? !Number.isSafeInteger(pico) : typeof pico !== 'bigint') {
    throw new InvalidArgumentError(
      'pico',
      `expected an integer number of picodollars, got ${describeValue(pico)}`,
    );
  }
  if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > 12) {
    throw new InvalidArgumentError(
      'decimals',
      `expected an integer from 0 to 12, got ${describeValue(decimals)}`,
    );
  }
  let p = BigInt(pico);
  const neg = p < 0n;
  if (neg) p = -p;
  const s = p.toString().padStart(13, '0');
  const whole = s.slice(0, -12);
  let frac = s.slice(-12);
  if (decimals < 12) {
    // round half-up to `decimals`
    const keep = BigInt(s) / 10n ** BigInt(12 - decimals);
    const rem = BigInt(s) % 10n ** BigInt(12 - decimals);
    const rounded = rem * 2n >= 10n ** BigInt(12 - decimals) ? keep + 1n : keep;
    const rs = rounded.toString().padStart(decimals + 1, '0');
    const w = rs.slice(0, rs.length - decimals) || '0';
    frac = decimals > 0 ? rs.slice(rs.length - decimals) : '';
    return `${neg ? '-' : ''}${w}${decimals > 0 ? `.${frac}` : ''}`;
  }
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/** Exact sum of many costs. */
export interface CostSum {
  /** Exact total in pico-USD. */
  totalPico: bigint;
  /** Total in USD (nearest double). */
  total: number;
  /** Exact decimal string, 12 decimals. */
  exact: string;
  /** Number of costs summed. */
  count: number;
}

/** Sum costs exactly (anything with an integer `totalPico`, e.g. CostResult or CostRecord). */
export function sumCosts(items: Iterable<{ totalPico: number }>): CostSum {
  // Accumulate in a safe number and spill into a BigInt, so the common case stays fast. `small`
  // stays within ±8e15 (each addend is at most 4e15 in size; larger ones go to the BigInt directly).
  let acc = 0n;
  let small = 0;
  let count = 0;
  try {
    if (
      items === null ||
      typeof (items as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function'
    ) {
      throw new InvalidArgumentError('items', `expected an iterable of costs, got ${describeValue(items)}`);
    }
    for (const item of items) {
      const p = item?.totalPico;
      if (typeof p !== 'number' || !Number.isSafeInteger(p)) {
        throw new InvalidArgumentError(
          `items[${count}].totalPico`,
          `expected an integer number of picodollars, got ${describeValue(p)}`,
        );
      }
      count++;
      if (p > 4e15 || p < -4e15) acc += BigInt(p);
      else small += p;
      if (small > 4e15 || small < -4e15) {
        acc += BigInt(small);
        small = 0;
      }
    }
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err;
    throw new InvalidArgumentError('items', 'could not be read', { cause: err });
  }
  acc += BigInt(small);
  return { totalPico: acc, total: picoToUsd(acc), exact: picoToDecimalString(acc), count };
}

/**
 * Format USD for people: `$0.000123`, `$1.23`, `$1,234.56`. Small amounts keep significant digits.
 */
export function formatUsd(usd: number): string {
  if (typeof usd !== 'number') throw notNumber('usd', usd);
  if (!Number.isFinite(usd)) return String(usd);
  if (usd === 0) return '$0.00';
  const abs = Math.abs(usd);
  const sign = usd < 0 ? '-' : '';
  if (abs >= 1) {
    return `${sign}$${abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  }
  if (abs >= 0.01) return `${sign}$${abs.toFixed(4).replace(/0{1,2}$/, '')}`;
  // Below a cent: 3 significant digits, never scientific notation.
  const digits = Math.min(12, Math.max(2, 2 - Math.floor(Math.log10(abs))));
  return `${sign}$${abs.toFixed(digits)}`;
}

function notNumber(path: string, v: unknown): InvalidArgumentError {
  return new InvalidArgumentError(path, `expected a number, got ${describeValue(v)}`);
}
