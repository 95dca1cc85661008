import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  installedPackage,
  type PackageSuite,
  type ProjectName,
  SCRATCH,
  TS_PROJECTS,
  type TsProjectName,
} from './context.js';
import { installTarball, packRepository } from './setup-npm.js';
import {
  copyPrograms,
  entriesSource,
  readmeBlock,
  TSCONFIG,
  writeOtelExport,
  writePackageJson,
  writeSnippets,
  writeTsconfig,
} from './setup-projects.js';
import { compileProject } from './setup-tsc.js';

// Once for the whole package suite: pack the repository, install the tarball into consumer projects
// (CommonJS, ESM, three TypeScript setups, and one outside the repository with no peer dependencies),
// and compile each TypeScript project with one tsc run. The test files only run and assert.

/** The project outside the repository is made under the OS temp dir with this prefix. */
const NO_YAML_PREFIX = 'langfuse-cost-package-no-yaml-';

export default async function setup(project: TestProject): Promise<() => void> {
  // Stale projects of an earlier run (the repository-local ones are kept after a run, for a look).
  rmSync(SCRATCH, { recursive: true, force: true });
  for (const d of readdirSync(tmpdir()).filter((d) => d.startsWith(NO_YAML_PREFIX)))
    rmSync(path.join(tmpdir(), d), { recursive: true, force: true });

  mkdirSync(path.join(SCRATCH, 'tarball'), { recursive: true });
  const tarball = await packRepository(path.join(SCRATCH, 'tarball'));

  const projects: Record<ProjectName, string> = {
    cjs: path.join(SCRATCH, 'cjs'),
    esm: path.join(SCRATCH, 'esm'),
    'ts-node16': path.join(SCRATCH, 'ts-node16'),
    'ts-bundler': path.join(SCRATCH, 'ts-bundler'),
    'ts-cjs': path.join(SCRATCH, 'ts-cjs'),
    'no-yaml': mkdtempSync(path.join(tmpdir(), NO_YAML_PREFIX)),
  };
  const types: Record<ProjectName, 'commonjs' | 'module'> = {
    cjs: 'commonjs',
    esm: 'module',
    'ts-node16': 'module',
    'ts-bundler': 'module',
    'ts-cjs': 'commonjs',
    'no-yaml': 'commonjs',
  };
  for (const [name, dir] of Object.entries(projects) as [ProjectName, string][])
    writePackageJson(dir, types[name]);

  const names = Object.keys(projects) as ProjectName[];
  const results = await Promise.all(names.map((n) => installTarball(projects[n], tarball)));
  const installs = Object.fromEntries(names.map((n, i) => [n, results[i]!])) as PackageSuite['installs'];
  const failed = names.filter((n) => installs[n].code !== 0);
  if (failed.length > 0)
    throw new Error(failed.map((n) => `npm install in ${projects[n]}:\n${installs[n].output}`).join('\n'));

  // The TypeScript projects' sources. The exports map is read from the installed copy.
  const installed = JSON.parse(
    readFileSync(path.join(installedPackage(projects['ts-node16']), 'package.json'), 'utf8'),
  ) as { exports: Record<string, unknown> };
  for (const name of TS_PROJECTS) {
    mkdirSync(path.join(projects[name], 'src'), { recursive: true });
    writeTsconfig(projects[name], TSCONFIG[name]);
    writeFileSync(path.join(projects[name], 'src', 'entries.ts'), entriesSource(installed.exports));
  }
  const node16Src = path.join(projects['ts-node16'], 'src');
  const programs = copyPrograms(node16Src);
  const snippets = writeSnippets(node16Src);
  const readme = {
    langchain: readmeBlock(snippets, '30 seconds with LangChain'),
    otel: readmeBlock(snippets, '30 seconds with OpenTelemetry'),
  };
  const otelExport = readme.otel ? writeOtelExport(node16Src, readme.otel) : null;

  const compiled = await Promise.all(TS_PROJECTS.map((n) => compileProject(projects[n])));
  const tsc = Object.fromEntries(TS_PROJECTS.map((n, i) => [n, compiled[i]!])) as Record<
    TsProjectName,
    PackageSuite['tsc'][TsProjectName]
  >;

  const suite: PackageSuite = { tarball, projects, installs, tsc, snippets, readme, otelExport, programs };
  // Typed by the ProvidedContext declaration in suite.ts.
  project.provide('packageSuite', suite);
  return () => rmSync(projects['no-yaml'], { recursive: true, force: true });
}
