import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runTs } from '../../helpers/docs-examples.js';
import { EXAMPLE_EXPECTATIONS } from '../../helpers/example-expectations.js';

// Runs every example that works offline (no keys: simulated providers, loopback Langfuse endpoints) in
// a child process through tsx against src/, and checks what it prints (tests/helpers/example-expectations.ts,
// shared with the packed-package suite). Type-checking of all examples is in docs-examples.test.ts.

const example = (name: string) => path.join(ROOT, 'examples', name, 'main.ts');

describe('examples (offline)', () => {
  for (const [name, { title, check }] of Object.entries(EXAMPLE_EXPECTATIONS)) {
    it(`${name}: ${title}`, async () => {
      const r = await runTs(example(name));
      expect(r.code, r.stderr).toBe(0);
      check(r);
    });
  }
});
