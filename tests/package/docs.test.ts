import { describe, expect, it } from 'vitest';
import { expectedPrints, printsMismatch } from '../helpers/docs-examples.js';
import { runNode } from './context.js';
import { packageSuite } from './suite.js';

// The docs' runnable blocks (```ts run in README.md and docs/*.md), compiled by tsc in the ts-node16
// project against the installed package and run with plain node; the `// prints: TEXT` comments of a
// block are its stdout, line by line, in order (`…` stands for any text within a line; see
// printsMismatch). (That every ```ts block type-checks is in types.test.ts.)

const suite = packageSuite();
const project = suite.projects['ts-node16'];
const runnable = suite.snippets.filter((s) => s.flags.includes('run'));

describe('```ts run blocks of the docs, compiled, plain node', () => {
  it('has runnable blocks', () => {
    expect(runnable.length).toBeGreaterThan(3);
  });

  it.concurrent.each(runnable.map((s) => [s.label, s] as const))('%s', async (_label, s) => {
    const r = await runNode(project, s.compiled);
    expect(r.code, r.stderr).toBe(0);
    expect(printsMismatch(s.code, r.stdout)).toBeNull();
  });

  it('every block with a // prints: comment is a run block (so the comment is checked)', () => {
    const unchecked = suite.snippets.filter(
      (s) => expectedPrints(s.code).length > 0 && !s.flags.includes('run'),
    );
    expect(unchecked.map((s) => s.label)).toEqual([]);
  });
});
