import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ChildRun, ROOT, runChild } from './context.js';

// npm, as a user runs it: pack the repository, install the tarball into a project.

/**
 * npm itself: the npm that started `npm test` (npm_execpath) run on this node, else `npm` from PATH.
 * Its environment drops npm's own npm_* variables (set by the outer `npm test`) and NODE_OPTIONS.
 */
function npm(args: string[], cwd: string): Promise<ChildRun> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k) || k === 'NODE_OPTIONS') delete env[k];
  env.PATH = [path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter);
  const cli = process.env.npm_execpath;
  return cli && /npm-cli\.[cm]?js$/.test(cli) && existsSync(cli)
    ? runChild(process.execPath, [cli, ...args], { cwd, env, timeoutMs: 180_000 })
    : runChild('npm', args, { cwd, env, timeoutMs: 180_000 });
}

/**
 * `npm pack` of the repository into `dest`; returns the tarball's path. `--ignore-scripts`: dist/ is
 * already built (`npm test` builds first) and `prepack` would build it again.
 */
export async function packRepository(dest: string): Promise<string> {
  if (!existsSync(path.join(ROOT, 'dist', 'index.js')))
    throw new Error(`${ROOT}/dist is missing: run \`npm run build\` first (npm test does)`);
  const r = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dest], ROOT);
  if (r.code !== 0) throw new Error(`npm pack failed (${r.code}):\n${r.stdout}${r.stderr}`);
  const [packed] = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { filename: string }[];
  return path.join(dest, packed!.filename);
}

/**
 * `npm install <tarball>` in a project, offline (the package has no dependencies; its peers resolve
 * from the repository's node_modules by walking up), with install scripts allowed as a user's npm
 * would, so that a lifecycle script in the package would run and be warned about.
 */
export async function installTarball(
  project: string,
  tarball: string,
): Promise<{ code: number; output: string }> {
  const r = await npm(
    [
      'install',
      tarball,
      '--no-save',
      '--no-package-lock',
      '--ignore-scripts=false',
      '--no-audit',
      '--no-fund',
      '--offline',
    ],
    project,
  );
  return { code: r.code, output: `${r.stdout}${r.stderr}` };
}
