import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_COMMANDS, renderCliDocs } from '../../scripts/gen-cli-docs.js';

// docs/cli.md is generated from the CLI's --help output; it must match the CLI as it is now.
describe('docs/cli.md', () => {
  it('matches the --help output of every command (regenerate: node --import tsx scripts/gen-cli-docs.ts)', async () => {
    const current = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    expect(current).toBe(await renderCliDocs());
  });

  it('documents every command the CLI lists, with real usage text', async () => {
    const doc = await renderCliDocs();
    for (const name of CLI_COMMANDS) {
      expect(doc).toContain(`## ${name}\n`);
      const section = doc.split(`## ${name}\n`)[1]!.split('\n## ')[0]!;
      expect(section, name).toMatch(/langfuse-cost/);
      expect(section, name).not.toMatch(/not available/);
    }
  });
});
