import type { CliCommand } from '../command.js';

/** `langfuse-cost price` (placeholder until its issue lands). */
export const command: CliCommand = {
  name: 'price',
  summary: 'price',
  usage: 'langfuse-cost price: not available yet',
  async run(_argv, io) {
    io.stderr.write('langfuse-cost price: not available in this version yet\n');
    return 1;
  },
};
