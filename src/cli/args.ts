import { CliError } from './command.js';

/** Parsed command-line arguments: positionals and `--flag value` / `--flag=value` / `--bool` options. */
export interface ParsedArgs {
  positionals: string[];
  /** Last value of each flag; booleans are `true`. */
  flags: Record<string, string | true>;
  /** Every value of repeatable flags (e.g. `--param a=1 --param b=2`). */
  multi: Record<string, string[]>;
}

/**
 * Parse argv. `booleans` lists flags that take no value; any other flag takes the next argument.
 * Unknown flags are an error when `known` is given.
 */
export function parseArgs(argv: string[], spec: { booleans?: string[]; known?: string[] } = {}): ParsedArgs {
  const booleans = new Set(spec.booleans ?? []);
  const known = spec.known ? new Set([...spec.known, ...booleans]) : null;
  const out: ParsedArgs = { positionals: [], flags: {}, multi: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (known && !known.has(name)) throw new CliError(`unknown option --${name} (see --help)`, 2);
      let value: string | true;
      if (eq > 0) value = a.slice(eq + 1);
      else if (booleans.has(name)) value = true;
      else {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith('--') && next.length > 2)) {
          throw new CliError(`option --${name} needs a value`, 2);
        }
        value = next;
        i++;
      }
      out.flags[name] = value;
      if (typeof value === 'string') (out.multi[name] ??= []).push(value);
    } else {
      out.positionals.push(a);
    }
  }
  return out;
}

/** Read a non-negative integer flag, with a clear error. */
export function intFlag(args: ParsedArgs, name: string, fallback = 0): number {
  const v = args.flags[name];
  if (v === undefined) return fallback;
  if (v === true || !/^\d+$/.test(v))
    throw new CliError(`--${name} must be a non-negative integer, got "${v}"`, 2);
  return Number(v);
}

/** Read a string flag. */
export function strFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}
