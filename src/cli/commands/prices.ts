import type { CliCommand } from '../command.js';

/** `langfuse-cost prices` (placeholder until its issue lands). */
export const command: CliCommand = {
  name: 'prices',
  summary: 'prices',
  usage: 'langfuse-cost prices: not available yet',
  async run(_argv, io) {
    io.stderr.write('langfuse-cost prices: not available in this version yet\n');
    return 1;
  },
};
