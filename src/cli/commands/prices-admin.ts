import type { CliIO } from '../command.js';
import { CliError } from '../command.js';

/** `prices sync|set|unset|cache …` (placeholder until the price-admin issue lands). */
export async function runPricesAdmin(sub: string, _argv: string[], _io: CliIO): Promise<number> {
  throw new CliError(`"prices ${sub}" is not available in this version yet`);
}
