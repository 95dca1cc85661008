import { closedError } from '../errors.js';

// ISO-8601 times without a Date per call: the ledger formats two per line.

const DAY_MS = 86_400_000;
let isoDay = Number.NaN;
let isoPrefix = '';

function pad2(v: number): string {
  return v < 10 ? `0${v}` : String(v);
}

/** `new Date(ms).toISOString()`, with the date part cached (calls arrive in time order). */
export function isoTime(ms: number): string {
  try {
    return isoTimeUnchecked(ms);
  } catch (err) {
    throw closedError(err, 'isoTime');
  }
}

function isoTimeUnchecked(ms: number): string {
  const t = Math.trunc(ms);
  if (!(t >= 0 && t < 253_402_300_800_000)) return new Date(ms).toISOString();
  const day = Math.floor(t / DAY_MS);
  if (day !== isoDay) {
    isoDay = day;
    isoPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let r = t - day * DAY_MS;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const s = Math.floor(r / 1000);
  const msr = r - s * 1000;
  return `${isoPrefix}${pad2(h)}:${pad2(m)}:${pad2(s)}.${msr < 10 ? `00${msr}` : msr < 100 ? `0${msr}` : msr}Z`;
}
