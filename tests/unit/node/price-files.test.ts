import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatalogValidationError } from '../../../src/errors.js';
import {
  loadPriceFile,
  loadPriceFileSync,
  loadPriceFilesFromEnv,
  loadPriceFilesFromEnvSync,
  PriceFileError,
  splitPriceFileList,
} from '../../../src/node/price-files.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-price-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const catalogJson = write(
  'prices.json',
  JSON.stringify({
    version: 1,
    models: [{ id: 'acme-large', provider: 'acme', aliases: ['acme-l'], prices: { input: 1.5, output: 6 } }],
  }),
);

const catalogYaml = write(
  'prices.yaml',
  [
    'version: 1',
    'models:',
    '  - id: acme-small',
    '    provider: acme',
    '    prices: { input: 0.25, cacheRead: 0.025, output: 1 }',
    '    contextTiers:',
    '      - above: 128000',
    '        prices: { input: 0.5, output: 2 }',
    '    serviceTiers:',
    '      batch: { multiplier: 0.5 }',
    '',
  ].join('\n'),
);

// A LiteLLM-format file: USD per token; detected and converted to USD per 1M.
const litellmFile = write(
  'litellm.json',
  JSON.stringify({
    'my-proxy-model': {
      litellm_provider: 'openai',
      mode: 'chat',
      input_cost_per_token: 2e-7,
      output_cost_per_token: 8e-7,
    },
  }),
);

describe('loadPriceFile', () => {
  it('reads our JSON catalog format', async () => {
    const data = await loadPriceFile(catalogJson);
    expect(data.models[0]).toEqual({
      id: 'acme-large',
      provider: 'acme',
      aliases: ['acme-l'],
      prices: { input: 1.5, output: 6 },
    });
    expect(loadPriceFileSync(catalogJson)).toEqual(data);
  });

  it('reads our YAML catalog format', async () => {
    const data = await loadPriceFile(catalogYaml);
    expect(data.models[0]).toEqual({
      id: 'acme-small',
      provider: 'acme',
      prices: { input: 0.25, cacheRead: 0.025, output: 1 },
      contextTiers: [{ above: 128000, prices: { input: 0.5, output: 2 } }],
      serviceTiers: { batch: { multiplier: 0.5 } },
    });
    expect(loadPriceFileSync(catalogYaml)).toEqual(data);
  });

  it('detects other formats and converts them (LiteLLM per-token → per-1M)', async () => {
    const data = await loadPriceFile(litellmFile);
    expect(data.models).toEqual([
      { id: 'my-proxy-model', provider: 'openai', mode: 'chat', prices: { input: 0.2, output: 0.8 } },
    ]);
    expect(loadPriceFileSync(litellmFile).models[0]?.prices).toEqual({ input: 0.2, output: 0.8 });
  });

  it('detects a real-format fixture without a known extension', async () => {
    const p = write(
      'from-langfuse.txt',
      JSON.stringify([
        {
          modelName: 'acme-x',
          matchPattern: '(?i)^acme-x$',
          pricingTiers: [
            {
              name: 'Standard',
              isDefault: true,
              priority: 0,
              conditions: [],
              prices: { input: 1e-6, output: 3e-6 },
            },
          ],
        },
      ]),
    );
    const data = await loadPriceFile(p);
    expect(data.models[0]).toMatchObject({
      id: 'acme-x',
      match: { regex: '^acme-x$' },
      prices: { input: 1, output: 3 },
    });
  });

  it('resolves relative paths against cwd', async () => {
    const data = await loadPriceFile('prices.json', { cwd: dir });
    expect(data.models[0]?.id).toBe('acme-large');
  });

  it('says which file is missing and which variable listed it', async () => {
    const missing = join(dir, 'nope.json');
    const err = await loadPriceFile(missing, { from: 'LANGFUSE_COST_PRICES' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PriceFileError);
    expect((err as PriceFileError).code).toBe('PRICE_FILE_NOT_FOUND');
    expect((err as PriceFileError).path).toBe(missing);
    expect((err as Error).message).toContain(
      `price file not found: ${missing} (listed in LANGFUSE_COST_PRICES)`,
    );
    expect(() => loadPriceFileSync(missing)).toThrow(
      /price file not found: .*nope\.json.*LANGFUSE_COST_PRICES/,
    );
  });

  it('reports JSON syntax errors with the file and line', async () => {
    const p = write('broken.json', '{\n  "version": 1,\n  "models": [,]\n}\n');
    const err = (await loadPriceFile(p).catch((e: unknown) => e)) as PriceFileError;
    expect(err.code).toBe('PRICE_FILE_PARSE');
    expect(err.message).toContain(`invalid JSON in ${p}`);
    expect(err.message).toMatch(/line 3/);
  });

  it('reports YAML syntax errors with the file and line', async () => {
    const p = write('broken.yaml', 'version: 1\nmodels:\n  - id: x\n    prices: {input: 1\n');
    const err = (await loadPriceFile(p).catch((e: unknown) => e)) as PriceFileError;
    expect(err.code).toBe('PRICE_FILE_PARSE');
    expect(err.message).toMatch(
      new RegExp(`invalid YAML in ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at line \\d+, column \\d+`),
    );
  });

  it('reports invalid catalogs with the path of each bad field', async () => {
    const p = write(
      'invalid.json',
      JSON.stringify({ version: 1, models: [{ id: 'm', provider: 'p', prices: { input: -1 } }] }),
    );
    const err = (await loadPriceFile(p).catch((e: unknown) => e)) as CatalogValidationError;
    expect(err).toBeInstanceOf(CatalogValidationError);
    expect(err.origin).toBe(p);
    expect(err.issues).toEqual([{ path: 'models[0].prices.input', message: 'negative price -1' }]);
  });

  it('refuses unrecognised content', async () => {
    const p = write('other.json', JSON.stringify({ hello: 'world' }));
    await expect(loadPriceFile(p)).rejects.toThrow(/unrecognised price format/);
  });

  it('tells the user to install yaml when the optional package is missing', () => {
    // Run the loader from a copy of src/ that has no node_modules above it, so `yaml` cannot resolve.
    const isolated = mkdtempSync(join(tmpdir(), 'lc-no-yaml-'));
    try {
      cpSync(resolve(import.meta.dirname, '../../../src'), join(isolated, 'src'), { recursive: true });
      mkdirSync(join(isolated, 'run'));
      writeFileSync(join(isolated, 'package.json'), '{"type":"module"}');
      const runner = join(isolated, 'run', 'main.ts');
      writeFileSync(
        runner,
        [
          "import { loadPriceFile, loadPriceFileSync } from '../src/node/price-files.js';",
          `const file = ${JSON.stringify(catalogYaml)};`,
          'const out: string[] = [];',
          "const describe = (e: unknown) => (e as { code?: string }).code + ': ' + (e as Error).message;",
          'try { await loadPriceFile(file); } catch (e) { out.push(describe(e)); }',
          'try { loadPriceFileSync(file); } catch (e) { out.push(describe(e)); }',
          'console.log(JSON.stringify(out));',
        ].join('\n'),
      );
      const tsx = createRequire(import.meta.url).resolve('tsx');
      const r = spawnSync(process.execPath, ['--import', tsx, runner], { encoding: 'utf8', cwd: isolated });
      expect(r.stderr).toBe('');
      const lines = JSON.parse(r.stdout) as string[];
      expect(lines).toHaveLength(2);
      for (const l of lines) {
        expect(l).toContain('YAML_NOT_INSTALLED');
        expect(l).toContain(catalogYaml);
        expect(l).toContain('npm install yaml');
      }
    } finally {
      rmSync(isolated, { recursive: true, force: true });
    }
  });
});

describe('LANGFUSE_COST_PRICES', () => {
  it('splits a list on the platform path delimiter and commas', () => {
    expect(splitPriceFileList(`a.json${delimiter}b.yaml, c.json,,`)).toEqual(['a.json', 'b.yaml', 'c.json']);
    expect(splitPriceFileList(undefined)).toEqual([]);
    expect(splitPriceFileList('  ')).toEqual([]);
  });

  it('loads every listed file in order', async () => {
    const env = { LANGFUSE_COST_PRICES: `${catalogJson}${delimiter}${catalogYaml},${litellmFile}` };
    const files = await loadPriceFilesFromEnv(env);
    expect(files.map((f) => f.path)).toEqual([catalogJson, catalogYaml, litellmFile]);
    expect(files.map((f) => f.data.models[0]?.id)).toEqual(['acme-large', 'acme-small', 'my-proxy-model']);
    expect(loadPriceFilesFromEnvSync(env).map((f) => f.data.models[0]?.id)).toEqual([
      'acme-large',
      'acme-small',
      'my-proxy-model',
    ]);
    expect(await loadPriceFilesFromEnv({})).toEqual([]);
  });

  it('names the variable when a listed file is missing', async () => {
    const env = { LANGFUSE_COST_PRICES: `${catalogJson},${join(dir, 'gone.yaml')}` };
    await expect(loadPriceFilesFromEnv(env)).rejects.toThrow(/gone\.yaml \(listed in LANGFUSE_COST_PRICES\)/);
    expect(() => loadPriceFilesFromEnvSync(env)).toThrow(PriceFileError);
  });
});
