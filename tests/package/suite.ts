import { inject } from 'vitest';
import type { PackageSuite } from './context.js';

declare module 'vitest' {
  export interface ProvidedContext {
    packageSuite: PackageSuite;
  }
}

/** What global-setup.ts built (packed tarball, installed projects, tsc results), in a test file. */
export function packageSuite(): PackageSuite {
  return inject('packageSuite');
}
