import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runBin, runNode } from './context.js';
import { packageSuite } from './suite.js';

// YAML price files from the installed package: getNodeCatalog through require() and import, and the
// CLI through LANGFUSE_COST_PRICES. `yaml` is an optional peer dependency: in the projects inside the
// repository it resolves from the repository's node_modules; in the one outside, it cannot be found:
// the file is skipped with one warning saying `npm install yaml`, and the other layers keep pricing.

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

const NO_YAML_CODE = `const catalog = getNodeCatalog({ priceFiles: [${JSON.stringify(PRICE_FILE)}], reload: true });
const health = catalogHealth(catalog);
console.log(JSON.stringify({
  skipped: health.skipped.map((s) => ({ origin: s.origin, code: s.error.code })),
  message: health.skipped[0] && health.skipped[0].error.message,
  bundledPriced: calculateCost({ model: 'gpt-4o-mini', usage: { input: 1000, output: 1000 } }, catalog) !== null,
}));
`;
const NO_YAML_CJS = `const { calculateCost } = require('langfuse-cost');
const { catalogHealth, getNodeCatalog } = require('langfuse-cost/node');
${NO_YAML_CODE}`;
const NO_YAML_ESM = `import { calculateCost } from 'langfuse-cost';
import { catalogHealth, getNodeCatalog } from 'langfuse-cost/node';
${NO_YAML_CODE}`;

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
    ['require', 'yaml-prices.js', NO_YAML_CJS],
    ['import', 'yaml-prices.mjs', NO_YAML_ESM],
  ])(
    '%s: getNodeCatalog skips the file with one warning saying npm install yaml; bundled prices stay',
    async (_how, file, code) => {
      writeFileSync(path.join(noYaml, file), code);
      const r = await runNode(noYaml, file);
      expect(r.code).toBe(0);
      const warnings = r.stderr.trimEnd().split('\n');
      expect(warnings, r.stderr).toHaveLength(1);
      expect(warnings[0]).toContain(PRICE_FILE);
      expect(warnings[0]).toMatch(SAYS);
      const out = JSON.parse(r.stdout);
      expect(out.skipped).toEqual([{ origin: PRICE_FILE, code: 'YAML_NOT_INSTALLED' }]);
      expect(out.message).toMatch(SAYS);
      // A model of the bundled catalog is still priced.
      expect(out.bundledPriced).toBe(true);
    },
  );

  it.concurrent('CLI: one warning line saying npm install yaml, then the answer without that file, no stack trace', async () => {
    const r = await runBin(
      noYaml,
      ['price', 'prod-gpt4o-eastus', '--provider', 'azure', '--input', '1200', '--output', '300'],
      { env: { LANGFUSE_COST_PRICES: PRICE_FILE } },
    );
    // The deployment name is only in the skipped file: no price for it.
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^warning: skipped price file /);
    expect(lines[0]).toMatch(SAYS);
    expect(
      lines.filter((l) => SAYS.test(l)),
      r.stderr,
    ).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toContain('No price for "prod-gpt4o-eastus"');
  });
});
