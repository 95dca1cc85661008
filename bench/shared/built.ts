/**
 * The built package (dist/), loaded by path. The benchmarks measure the library as it ships: a
 * package-name import would resolve to the sources whenever tsx runs with the root tsconfig (its
 * `paths` map `langfuse-cost` to src/), and tsx-compiled sources go through an export getter on every
 * cross-module call. Types come from the entry's declaration (`typeof import('langfuse-cost/otel')`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIST = new URL('../../dist/', import.meta.url);

/** Import `dist/<file>` (e.g. `otel.js`); exits with a hint when the package has not been built. */
export async function importBuilt<T>(file: string): Promise<T> {
  const url = new URL(file, DIST);
  if (!existsSync(url)) {
    process.stderr.write(
      `bench: ${fileURLToPath(url)} is missing: run \`npm run build\` first (\`npm run bench\` does)\n`,
    );
    process.exit(2);
  }
  return (await import(url.href)) as T;
}
