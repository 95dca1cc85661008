import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../helpers/cli.js';

// `prices validate` answers what the runtime does (the same loader, the same messages), `prices list
// --layers` shows each layer loaded or skipped, commands that price warn about a skipped file and go
// on, and `prices set` says whether the runtime loads the file it wrote.

const dir = mkdtempSync(join(tmpdir(), 'lc-cli-layers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Price facts (USD per 1M tokens).
const files = {
  good: join(dir, 'good.json'),
  goodYaml: join(dir, 'good.yaml'),
  brokenYaml: join(dir, 'broken.yaml'),
  invalid: join(dir, 'invalid.json'),
  missing: join(dir, 'missing.json'),
  directory: join(dir, 'a-directory.json'),
};
writeFileSync(
  files.good,
  JSON.stringify({
    version: 1,
    models: [{ id: 'house-model', provider: 'acme', prices: { input: 4, output: 16 } }],
  }),
);
writeFileSync(
  files.goodYaml,
  'version: 1\nmodels:\n  - id: yaml-model\n    provider: acme\n    prices: { input: 2, output: 3 }\n',
);
writeFileSync(files.brokenYaml, 'version: 1\nmodels: [ {id: x\n');
writeFileSync(
  files.invalid,
  JSON.stringify({ version: 1, models: [{ id: 'x', provider: 'p', prices: { input: -3 } }] }),
);
mkdirSync(files.directory);
const all = Object.values(files);

interface Layer {
  layer: string;
  origin: string;
  state: 'loaded' | 'skipped';
  models: number;
  error?: { code: string; message: string };
}

describe('prices validate and the runtime agree', () => {
  it('accepts exactly the files the runtime loads, with the runtime’s own messages', async () => {
    const runtime = await runCli(['prices', 'list', '--layers', '--json'], {
      env: { LANGFUSE_COST_PRICES: all.join(',') },
    });
    expect(runtime.code).toBe(0);
    const health = JSON.parse(runtime.stdout) as { ok: boolean; layers: Layer[] };
    expect(health.ok).toBe(false);
    const byFile = new Map(health.layers.filter((l) => l.layer === 'user').map((l) => [l.origin, l]));
    expect([...byFile.keys()].sort()).toEqual([...all].sort());
    // What the runtime did with each file, stated here from the files' contents.
    expect(all.map((f) => byFile.get(f)!.state)).toEqual([
      'loaded',
      'loaded',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);

    const validate = await runCli(['prices', 'validate', ...all]);
    expect(validate.code).toBe(1);
    for (const f of all) {
      const layer = byFile.get(f)!;
      if (layer.state === 'loaded') expect(validate.stdout).toContain(`ok: ${f} — ${layer.models} models`);
      else {
        expect(validate.stdout).not.toContain(`ok: ${f}`);
        // The runtime message, except "(listed in LANGFUSE_COST_PRICES)": validate was given the path itself.
        expect(validate.stderr).toContain(
          layer.error!.message.replace(' (listed in LANGFUSE_COST_PRICES)', ''),
        );
      }
    }
  });

  it('without a file, checks the files the runtime loads; a command that prices warns and goes on', async () => {
    const env = { LANGFUSE_COST_PRICES: [files.brokenYaml, files.good].join(',') };
    const validate = await runCli(['prices', 'validate'], { env });
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain(`ok: ${files.good} — 1 models`);
    expect(validate.stderr).toContain(`invalid YAML in ${files.brokenYaml}`);

    const price = await runCli(['price', 'house-model', '--input', '1000', '--output', '100', '--json'], {
      env,
    });
    expect(price.code).toBe(0);
    expect(BigInt(JSON.parse(price.stdout).totalPico)).toBe(1000n * 4_000_000n + 100n * 16_000_000n);
    const warnings = price.stderr.trimEnd().split('\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: skipped price file .*broken\.yaml: invalid YAML/);
  });
});

describe('prices set says whether the runtime loads the file', () => {
  it('the default user file: loaded without LANGFUSE_COST_PRICES, and no hint to set it', async () => {
    const config = join(dir, 'config');
    const r = await runCli(
      ['prices', 'set', 'house-model', '--provider', 'acme', '--input', '1', '--output', '2'],
      {
        env: { XDG_CONFIG_HOME: config },
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Set LANGFUSE_COST_PRICES');
    expect(r.stdout).toContain('Loaded by default wherever LANGFUSE_COST_PRICES is unset');
    // And it is: the runtime prices with it ($1 / $2 per 1M).
    const price = await runCli(['price', 'house-model', '--input', '1000', '--output', '100', '--json'], {
      env: { XDG_CONFIG_HOME: config },
    });
    expect(BigInt(JSON.parse(price.stdout).totalPico)).toBe(1000n * 1_000_000n + 100n * 2_000_000n);
  });

  it('a file the runtime does not load: says to add it to LANGFUSE_COST_PRICES', async () => {
    const other = join(dir, 'elsewhere.json');
    const r = await runCli(
      [
        'prices',
        'set',
        'house-model',
        '--provider',
        'acme',
        '--input',
        '1',
        '--output',
        '2',
        '--file',
        other,
      ],
      { env: { LANGFUSE_COST_PRICES: files.good } },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Add ${other} to LANGFUSE_COST_PRICES`);
  });
});

describe('prices --help', () => {
  it('lists every price flag `prices set` takes, the unit ones included', async () => {
    const r = await runCli(['prices', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--cache-write-1h',
      '--per-web-search',
      '--per-audio-hour',
      '--characters',
      '--per-image',
    ]) {
      expect(r.stdout).toContain(`[${flag} <usd>]`);
    }
  });
});

describe('prices list --limit', () => {
  it('shows that many models, and 0 shows all of them (as report --top 0 does)', async () => {
    const env = { LANGFUSE_COST_PRICES: files.good };
    const json = await runCli(['prices', 'list', '--provider', 'openai', '--json'], { env });
    const all = (JSON.parse(json.stdout) as unknown[]).length;
    expect(all).toBeGreaterThan(3);
    const rows = async (limit: string) => {
      const r = await runCli(['prices', 'list', '--provider', 'openai', '--limit', limit], { env });
      expect(r.code).toBe(0);
      // A header and a rule above the rows; a line saying how many more below them, if any.
      return r.stdout
        .trimEnd()
        .split('\n')
        .slice(2)
        .filter((l) => !l.startsWith('…')).length;
    };
    expect(await rows('3')).toBe(3);
    expect(await rows('0')).toBe(all);
  });
});
