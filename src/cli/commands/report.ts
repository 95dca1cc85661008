import type { CliCommand } from '../command.js';

/** `langfuse-cost report` (placeholder until its issue lands). */
export const command: CliCommand = {
  name: 'report',
  summary: 'report',
  usage: 'langfuse-cost report: not available yet',
  async run(_argv, io) {
    io.stderr.write('langfuse-cost report: not available in this version yet\n');
    return 1;
  },
};
