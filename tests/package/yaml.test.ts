import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runBin, runNode } from './context.js';
import { packageSuite } from './suite.js';

// YAML price files from the installed package: getNodeCatalog through require() and import, and the
// CLI through LANGFUSE_COST_PRICES. `yaml` is an optional peer dependency: in the projects inside the
// repository it resolves from the repository's node_modules; in the one outside, it cannot be found
// and the answer is one line saying `npm install yaml`.

const suite = packageSuite();
const { cjs, esm } = suite.projects;
const noYaml = suite.projects['no-yaml'];
const PRICE_FILE = path.join(ROOT, 'examples', 'azure-price-file', 'prices.yaml');

// examples/azure-price-file/prices.yaml: deployment prod-gpt4o-eastus → azure gpt-4o-2024-08-06,
// negotiated at $2.25 per 1M input tokens and $9.00 per 1M output tokens.
// 1200 × $2.25/1M + 300 × $9/1M = $0.0027 + $0.0027 = $0.0054.
const EASTUS_PICO = 1200n * 2_250_000n + 300n * 9_000_000n;

const PRICE_CODE = `try {
  const catalog = getNodeCatalog({ priceFiles: [${JSON.stringify(PRICE_FILE)}], reload: true });
  const r = calculateCost({ model: 'prod-gpt4o-eastus', provider: 'azure', usage: { input: 1200, output: 300 } }, catalog);
  console.log(JSON.stringify({ pico: String(r.totalPico), model: r.resolvedModel, provider: r.provider, layer: r.layer }));
} catch (e) {
  console.log(JSON.stringify({ name: e.name, error: e.message }));
}
`;
const CJS = `const { calculateCost } = require('langfuse-cost');
const { getNodeCatalog } = require('langfuse-cost/node');
${PRICE_CODE}`;
const ESM = `import { calculateCost } from 'langfuse-cost';
import { getNodeCatalog } from 'langfuse-cost/node';
${PRICE_CODE}`;

describe('a YAML price file, yaml installed', () => {
  it.concurrent.each([
    ['require', cjs, 'yaml-prices.js', CJS],
    ['import', esm, 'yaml-prices.js', ESM],
  ])(
    '%s: getNodeCatalog({ priceFiles: [prices.yaml] }) prices the Azure deployment',
    async (_how, project, file, code) => {
      writeFileSync(path.join(project, file), code);
      const r = await runNode(project, file);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({
        pico: String(EASTUS_PICO),
        model: 'gpt-4o-2024-08-06',
        provider: 'azure',
        layer: 'user',
      });
    },
  );

  it.concurrent('CLI: LANGFUSE_COST_PRICES=examples/azure-price-file/prices.yaml langfuse-cost price prod-gpt4o-eastus', async () => {
    // The command in the price file's header, run from the repository root (the path is relative to it).
    const r = await runBin(
      cjs,
      ['price', 'prod-gpt4o-eastus', '--provider', 'azure', '--input', '1200', '--output', '300', '--json'],
      { cwd: ROOT, env: { LANGFUSE_COST_PRICES: 'examples/azure-price-file/prices.yaml' } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(BigInt(out.totalPico)).toBe(EASTUS_PICO);
    expect([out.resolvedModel, out.provider, out.layer]).toEqual(['gpt-4o-2024-08-06', 'azure', 'user']);
  });
});

describe('a YAML price file, yaml not installed (a project outside the repository)', () => {
  const SAYS = /needs the optional "yaml" package: run `npm install yaml`/;

  it('yaml cannot be resolved there (the premise)', async () => {
    writeFileSync(
      path.join(noYaml, 'resolve-yaml.js'),
      "try { console.log(require.resolve('yaml')); } catch (e) { console.log(e.code); }\n",
    );
    const r = await runNode(noYaml, 'resolve-yaml.js');
    expect(r.stdout.trim()).toBe('MODULE_NOT_FOUND');
  });

  it.concurrent.each([
    ['require', 'yaml-prices.js', CJS],
    ['import', 'yaml-prices.mjs', ESM],
  ])('%s: getNodeCatalog throws, saying npm install yaml', async (_how, file, code) => {
    writeFileSync(path.join(noYaml, file), code);
    const r = await runNode(noYaml, file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.name).toBe('PriceFileError');
    expect(out.error).toMatch(SAYS);
  });

  it.concurrent('CLI: one line on stderr saying npm install yaml, exit 1, no stack trace', async () => {
    const r = await runBin(
      noYaml,
      ['price', 'prod-gpt4o-eastus', '--provider', 'azure', '--input', '1200', '--output', '300'],
      { env: { LANGFUSE_COST_PRICES: PRICE_FILE } },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(SAYS);
  });
});
