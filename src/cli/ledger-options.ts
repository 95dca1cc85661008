import { resolve } from 'node:path';
import { type EnvTrackerConfig, trackerConfigFromEnv } from '../node/env-config.js';
import { DEFAULT_LEDGER_PATH, listLedgerFiles } from '../node/ledger/files.js';
import type { ParsedArgs } from './args.js';
import { strFlag } from './args.js';
import { CliError, type CliIO } from './command.js';

/** Environment settings for the ledger commands (strict: a bad variable is an error). */
export function envConfig(io: CliIO): EnvTrackerConfig {
  try {
    return trackerConfigFromEnv(io.env, { strict: true, cwd: io.cwd });
  } catch (err) {
    throw new CliError(`${(err as Error).message} (fix or unset the variable)`, 2);
  }
}

/**
 * The ledger path: `--ledger`, else `LANGFUSE_COST_LEDGER`, else the default. Fails with a clear
 * message when no ledger file exists there.
 */
export function ledgerPath(args: ParsedArgs, io: CliIO, env: EnvTrackerConfig): string {
  const flag = strFlag(args, 'ledger');
  const path =
    flag !== undefined ? resolve(io.cwd, flag) : (env.ledger ?? resolve(io.cwd, DEFAULT_LEDGER_PATH));
  if (flag === undefined && env.ledger === null) {
    throw new CliError('LANGFUSE_COST_LEDGER is "off": pass --ledger PATH to read a ledger', 2);
  }
  if (listLedgerFiles(path).length === 0) {
    throw new CliError(
      `no ledger at ${path}.\n` +
        'A ledger is written by the default tracker (getDefaultTracker() from langfuse-cost/node, used by\n' +
        'CostCallbackHandler and CostSpanProcessor) or by a JsonlLedgerSink. Run your app once with it, or\n' +
        'point to an existing ledger with --ledger PATH or LANGFUSE_COST_LEDGER.',
    );
  }
  return path;
}

/** JSON.stringify replacer that writes BigInt values as strings. */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
