import type { CliCommand } from '../command.js';

/** `langfuse-cost budget` (placeholder until its issue lands). */
export const command: CliCommand = {
  name: 'budget',
  summary: 'budget',
  usage: 'langfuse-cost budget: not available yet',
  async run(_argv, io) {
    io.stderr.write('langfuse-cost budget: not available in this version yet\n');
    return 1;
  },
};
