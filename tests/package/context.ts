import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// What the package suite's global setup (global-setup.ts) builds, and the one way the setup and the
// tests start a child process. The tests get the setup's result from suite.ts.

/** Repository root, from this file's location (not the working directory). No trailing slash. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** Where the consumer projects live: inside the repository, so peer dependencies resolve by walking up. */
export const SCRATCH = path.join(ROOT, '.scratch', 'package');

/**
 * The consumer projects. `no-yaml` is the one outside the repository (under the OS temp dir): only
 * the tarball is installed there, so no peer dependency (`yaml`, `@langchain/*`, …) can be found.
 */
export type ProjectName = 'cjs' | 'esm' | 'ts-node16' | 'ts-bundler' | 'ts-cjs' | 'no-yaml';
/** The projects compiled with tsc. */
export type TsProjectName = 'ts-node16' | 'ts-bundler' | 'ts-cjs';
export const TS_PROJECTS: TsProjectName[] = ['ts-node16', 'ts-bundler', 'ts-cjs'];

/** One tsc diagnostic (absolute file path; `file` is empty for global diagnostics). */
export interface Diagnostic {
  file: string;
  line: number;
  code: string;
  message: string;
}

/** One tsc run over a whole project. */
export interface TscRun {
  code: number;
  /** Lines that are neither diagnostics nor listed files (a crash, a bad tsconfig). */
  unexpected: string[];
  diagnostics: Diagnostic[];
  /** Every file tsc read (`--listFiles`), absolute. */
  files: string[];
}

/** A ```ts block of the docs, written into ts-node16/src/docs and compiled there. */
export interface SnippetFile {
  /** `README.md:26`. */
  label: string;
  doc: string;
  line: number;
  flags: string[];
  code: string;
  /** The .ts file in the ts-node16 project. */
  source: string;
  /** What tsc emitted for it. */
  compiled: string;
}

/** A program of examples/, copied into ts-node16/src/examples and compiled there. */
export interface ProgramFile {
  /** Its directory under examples/ (`quickstart` for demo.ts). */
  name: string;
  /** Repository-relative source (`examples/azure-price-file/main.ts`). */
  source: string;
  compiled: string;
}

/** Everything the setup made. */
export interface PackageSuite {
  tarball: string;
  /** Project directories. */
  projects: Record<ProjectName, string>;
  /** `npm install <tarball>` per project: exit code and everything npm printed. */
  installs: Record<ProjectName, { code: number; output: string }>;
  tsc: Record<TsProjectName, TscRun>;
  snippets: SnippetFile[];
  /** The README's 30-second blocks, by heading (null when the heading or its block is gone). */
  readme: { langchain: SnippetFile | null; otel: SnippetFile | null };
  /** The README's OTel block with a GenAI span and `await sdk.shutdown()` appended (compiled). */
  otelExport: string | null;
  programs: ProgramFile[];
}

/** A finished child process. */
export interface ChildRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * The environment of every consumer process: built from nothing, so no NODE_OPTIONS (no tsx, no
 * loader), no user price files, no synced price cache, no ledger, no provider or Langfuse keys unless
 * `extra` sets them. The running node's directory leads PATH, so `#!/usr/bin/env node` bins run on the
 * same Node version as the suite.
 */
export function consumerEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: [path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter),
    HOME: process.env.HOME ?? '/nonexistent',
    LANGFUSE_COST_CACHE_DIR: '/nonexistent/langfuse-cost-package-test-cache',
    LANGFUSE_COST_LEDGER: 'off',
    NO_COLOR: '1',
    ...extra,
  };
}

/** Run a command to completion (never rejects on a non-zero exit; killed after `timeoutMs`). */
export function runChild(
  command: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string | undefined>; timeoutMs?: number },
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** Run a JavaScript file with plain `node` (this node, no flags) in a consumer project. */
export function runNode(
  cwd: string,
  file: string,
  opts: { args?: string[]; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ChildRun> {
  return runChild(process.execPath, [file, ...(opts.args ?? [])], {
    cwd,
    env: consumerEnv(opts.env),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
}

/** Run the installed `langfuse-cost` bin of a project (by its node_modules/.bin link, as npx would). */
export function runBin(
  project: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<ChildRun> {
  return runChild(path.join(project, 'node_modules', '.bin', 'langfuse-cost'), args, {
    cwd: opts.cwd ?? project,
    env: consumerEnv(opts.env),
  });
}

/** The installed copy of the package in a project. */
export const installedPackage = (project: string) => path.join(project, 'node_modules', 'langfuse-cost');

/** `./otel` → `langfuse-cost/otel`; `.` → `langfuse-cost`. */
export const specifierOf = (subpath: string) =>
  subpath === '.' ? 'langfuse-cost' : `langfuse-cost/${subpath.replace(/^\.\//, '')}`;
