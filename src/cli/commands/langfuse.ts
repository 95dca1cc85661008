import type { CliCommand } from '../command.js';

/** `langfuse-cost langfuse` (placeholder until its issue lands). */
export const command: CliCommand = {
  name: 'langfuse',
  summary: 'langfuse',
  usage: 'langfuse-cost langfuse: not available yet',
  async run(_argv, io) {
    io.stderr.write('langfuse-cost langfuse: not available in this version yet\n');
    return 1;
  },
};
