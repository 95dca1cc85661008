import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { type DemoRun, demoExpectations } from '../../helpers/demo-expectations.js';
import { ROOT, runTs } from '../../helpers/docs-examples.js';

// Runs the quickstart demo (`npm run demo` minus the build) in a child process, offline, and checks
// what it prints (tests/helpers/demo-expectations.ts, shared with the packed-package suite).

let demo: DemoRun;

beforeAll(async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'lc-demo-'));
  const t0 = performance.now();
  // No provider or Langfuse keys: the demo must simulate both providers.
  const run = await runTs(path.join(ROOT, 'examples/quickstart/demo.ts'), {
    args: ['--out', out],
    timeoutMs: 90_000,
  });
  demo = { run, out, ms: performance.now() - t0 };
}, 120_000);

afterAll(() => {
  if (demo) rmSync(demo.out, { recursive: true, force: true });
});

describe('npm run demo (offline)', () => {
  demoExpectations(() => demo);
});
