import type { CliCommand } from '../command.js';

/** `langfuse-cost export` (placeholder until its issue lands). */
export const command: CliCommand = {
  name: 'export',
  summary: 'export',
  usage: 'langfuse-cost export: not available yet',
  async run(_argv, io) {
    io.stderr.write('langfuse-cost export: not available in this version yet\n');
    return 1;
  },
};
