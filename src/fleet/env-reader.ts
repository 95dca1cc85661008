import { LangfuseCostError } from '../errors.js';
import { warnOnce } from '../logger.js';

/** Reads `LANGFUSE_COST_*` variables the way every fleet option reader does. */
export interface EnvReader {
  /** The trimmed value, or undefined when unset or blank. */
  get(name: string): string | undefined;
  /**
   * Report a bad value: `INVALID_ENV` in strict mode, else one warning and the value is ignored.
   * `shown` is false for secrets and URLs: the message names the variable, not its value.
   */
  bad(name: string, value: string, expected: string, shown?: boolean): void;
  /** A whole number ≥ 1, or undefined (unset, or bad and reported with `expected`). */
  wholeNumber(name: string, expected?: string): number | undefined;
}

/** An {@link EnvReader} over `env`; `strict` throws `INVALID_ENV` where it would warn. */
export function envReader(env: Record<string, string | undefined>, strict: boolean | undefined): EnvReader {
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const bad = (name: string, value: string, expected: string, shown = true): void => {
    const msg = `${name}${shown ? `="${value}"` : ''} is not valid: expected ${expected}`;
    if (strict) throw new LangfuseCostError('INVALID_ENV', msg);
    warnOnce(`env:${name}:${shown ? value : ''}`, `${msg}; ignoring it`);
  };
  const wholeNumber = (name: string, expected = 'a whole number ≥ 1'): number | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    if (/^\d+$/.test(v) && Number(v) >= 1) return Number(v);
    bad(name, v, expected);
    return undefined;
  };
  return { get, bad, wholeNumber };
}
