import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { consumerEnv, runChild } from './context.js';
import { packageSuite } from './suite.js';

// Edge runtimes (Cloudflare `workerd`, Vercel `edge-light`) and browsers get the portable builds of
// the adapters: given a catalog and a tracker, they load no Node module. Node itself is the runtime
// here, so a module hook refuses every Node built-in that the installed package asks for.

const { esm } = packageSuite().projects;

const BLOCK_HOOKS = `import { builtinModules } from 'node:module';
const builtins = new Set(builtinModules);
export async function resolve(specifier, context, next) {
  const fromPackage = (context.parentURL ?? '').includes('/node_modules/langfuse-cost/');
  if (fromPackage && (specifier.startsWith('node:') || builtins.has(specifier)))
    throw new Error('the package loaded a Node module: ' + specifier + ' from ' + context.parentURL);
  return next(specifier, context);
}
`;
const REGISTER = `import { register } from 'node:module';
register('./portable-block-hooks.mjs', import.meta.url);
`;
const CHECK = `import { CostTracker, PriceCatalog } from 'langfuse-cost';
import { CostSpanProcessor } from 'langfuse-cost/otel';
const catalog = PriceCatalog.fromData({ version: 1, models: [{ id: 'm-1', provider: 'acme', prices: { input: 2, output: 8 } }] });
const tracker = new CostTracker();
const processor = new CostSpanProcessor({ catalog, tracker });
const span = {
  name: 'chat m-1',
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'm-1',
    'gen_ai.usage.input_tokens': 1000,
    'gen_ai.usage.output_tokens': 500,
  },
  spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' }),
  startTime: [1, 0],
  endTime: [2, 0],
  resource: { attributes: {} },
  instrumentationScope: { name: 'test' },
};
processor.onEnd(span);
console.log(JSON.stringify({ resolved: import.meta.resolve('langfuse-cost/otel'), total: tracker.stats().totalPico?.toString?.() ?? String(tracker.stats().total) }));
`;

describe('portable adapter builds', () => {
  it('under the workerd condition, langfuse-cost/otel is the portable build, loads no Node module, and prices', async () => {
    writeFileSync(path.join(esm, 'portable-block-hooks.mjs'), BLOCK_HOOKS);
    writeFileSync(path.join(esm, 'portable-register.mjs'), REGISTER);
    writeFileSync(path.join(esm, 'portable-check.mjs'), CHECK);
    const run = await runChild(
      process.execPath,
      ['--conditions=workerd', '--import', './portable-register.mjs', 'portable-check.mjs'],
      { cwd: esm, env: consumerEnv() },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { resolved: string; total: string };
    expect(out.resolved).toMatch(/\/dist\/otel-portable\.js$/);
    // 1,000 × $2/1M + 500 × $8/1M = $0.006 = 6,000,000,000 pico.
    expect(out.total).toMatch(/^(6000000000|0\.006)$/);
  });

  it('without the condition, the same import is the Node build (which the hook would refuse)', async () => {
    const run = await runChild(
      process.execPath,
      ['--import', './portable-register.mjs', 'portable-check.mjs'],
      { cwd: esm, env: consumerEnv() },
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('the package loaded a Node module');
  });
});
