import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoRun, demoExpectations } from '../helpers/demo-expectations.js';
import { EXAMPLE_EXPECTATIONS } from '../helpers/example-expectations.js';
import { runNode } from './context.js';
import { packageSuite } from './suite.js';

// Every program of examples/, compiled by tsc in the ts-node16 project (with the loopback helpers it
// imports), `langfuse-cost` resolving to the installed tarball, run with plain node, offline. What each
// prints is checked by the same expectations as the tsx runs against src/ (tests/helpers/).

const suite = packageSuite();
const project = suite.projects['ts-node16'];
const examples = suite.programs.filter((p) => p.name !== 'quickstart');
const demoProgram = suite.programs.find((p) => p.name === 'quickstart');

// The demo is the longest run: started first, while the other examples run.
const demoOut = mkdtempSync(path.join(tmpdir(), 'langfuse-cost-package-demo-'));
let demoRun: Promise<DemoRun> | undefined;
beforeAll(() => {
  if (demoProgram)
    demoRun = runNode(project, demoProgram.compiled, { args: ['--out', demoOut] }).then((r) => ({
      run: r,
      out: demoOut,
      ms: r.ms,
    }));
});
afterAll(async () => {
  await demoRun;
  rmSync(demoOut, { recursive: true, force: true });
});

describe('examples/*/main.ts, compiled, plain node', () => {
  it('finds the examples', () => {
    expect(examples.map((p) => p.name)).toContain('azure-price-file');
  });

  const title = (name: string) => `${name}: ${EXAMPLE_EXPECTATIONS[name]?.title ?? 'exits 0'}`;
  it.concurrent.each(examples.map((p) => [title(p.name), p] as const))('%s', async (_title, program) => {
    const expectation = EXAMPLE_EXPECTATIONS[program.name];
    const r = await runNode(project, program.compiled);
    expect(r.code, r.stderr).toBe(0);
    expect(
      expectation,
      `no expectations for ${program.source}: add them to tests/helpers/example-expectations.ts`,
    ).toBeDefined();
    expectation!.check(r);
  });
});

describe('examples/quickstart/demo.ts (npm run demo), compiled, plain node', () => {
  let demo: DemoRun;
  beforeAll(async () => {
    expect(demoProgram, 'examples/quickstart/demo.ts').toBeDefined();
    demo = await demoRun!;
  });
  demoExpectations(() => demo);
});
