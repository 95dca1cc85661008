import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();

// `npm test` builds dist/ first; these check what a user installing the package gets.
describe('the built package', () => {
  it('has ESM, CJS and type declarations for every subpath export', () => {
    for (const [sub, entry] of Object.entries(pkg.exports as Record<string, unknown>)) {
      if (sub === './package.json') continue;
      const e = entry as {
        import: { types: string; default: string };
        require: { types: string; default: string };
      };
      for (const f of [e.import.types, e.import.default, e.require.types, e.require.default]) {
        expect(existsSync(`${root}${f}`), `${sub}: ${f}`).toBe(true);
      }
    }
  });

  it('loads with require() and with import, by package name', () => {
    const cjs = run([
      '-e',
      "const m = require('langfuse-cost'); const r = m.calculateCost({ model: 'gpt-4o-2024-08-06', usage: { input: 1000000 } }); console.log(typeof m.PriceCatalog, r.total)",
    ]);
    // gpt-4o: $2.50 per 1M input tokens
    expect(cjs).toBe('function 2.5');
    const esm = run([
      '--input-type=module',
      '-e',
      "const m = await import('langfuse-cost'); console.log(m.calculateCost({ model: 'claude-3-5-haiku-20241022', usage: { output: 1000000 } }).total)",
    ]);
    // claude-3-5-haiku: $4 per 1M output tokens
    expect(esm).toBe('4');
  });

  it('the CLI runs from dist with a shebang', () => {
    const cli = readFileSync(`${root}${pkg.bin['langfuse-cost']}`, 'utf8');
    expect(cli.startsWith('#!/usr/bin/env node')).toBe(true);
    const out = run([
      pkg.bin['langfuse-cost'],
      'price',
      'gpt-4o-mini-2024-07-18',
      '--input',
      '1000000',
      '--output',
      '1000000',
      '--json',
    ]);
    // gpt-4o-mini: $0.15 input, $0.60 output per 1M tokens
    expect(JSON.parse(out).total).toBeCloseTo(0.75, 12);
  });
});
