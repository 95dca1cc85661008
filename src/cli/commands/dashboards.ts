import type { CliCommand } from '../command.js';

/** `langfuse-cost dashboards` (placeholder until its issue lands). */
export const command: CliCommand = {
  name: 'dashboards',
  summary: 'dashboards',
  usage: 'langfuse-cost dashboards: not available yet',
  async run(_argv, io) {
    io.stderr.write('langfuse-cost dashboards: not available in this version yet\n');
    return 1;
  },
};
