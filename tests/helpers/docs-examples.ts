import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (absolute, no trailing slash). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** Where extracted doc snippets and the type-check tsconfig are written (git-ignored). */
export const SNIPPET_DIR = path.join(ROOT, '.vitest-tmp', 'docs-examples');

/** A TypeScript code block found in a Markdown file. */
export interface DocSnippet {
  /** Markdown file, relative to the root (e.g. `docs/pricing.md`). */
  doc: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** Words after the language in the fence (e.g. `run`). */
  flags: string[];
  /** The code. */
  code: string;
  /** File the snippet is written to, absolute. */
  file: string;
}

/** Markdown files whose ```ts blocks are checked: README.md, docs/*.md and the READMEs of dashboards/ and examples/. */
export function markdownFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  const others = ['dashboards/README.md', 'examples/README.md'].filter((f) => existsSync(path.join(ROOT, f)));
  return ['README.md', ...docs, ...others];
}

/**
 * Every ```ts / ```typescript block of the given Markdown files (or, with `languages`, the blocks of
 * those fence languages, e.g. `['json', 'yaml']`).
 */
export function extractSnippets(
  files: string[] = markdownFiles(),
  languages: string[] = ['ts', 'typescript'],
): DocSnippet[] {
  const out: DocSnippet[] = [];
  const fence = new RegExp(`^(\\s*)\`\`\`(${languages.join('|')})\\b(.*)$`);
  for (const doc of files) {
    const lines = readFileSync(path.join(ROOT, doc), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = fence.exec(lines[i]!);
      if (!open) continue;
      const indent = open[1]!.length;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
      const base = doc
        .replace(/^docs\//, '')
        .replace(/\.md$/, '')
        .replace(/[^a-z0-9]+/gi, '-');
      out.push({
        doc,
        line: i + 1,
        flags: open[3]!.trim().split(/\s+/).filter(Boolean),
        code: body.join('\n'),
        file: path.join(SNIPPET_DIR, `${base}-L${i + 1}.${open[2] === 'typescript' ? 'ts' : open[2]}`),
      });
      i = j;
    }
  }
  return out;
}

/**
 * Write the snippets (each as its own module) and a tsconfig that type-checks them together with
 * `examples/**`, mapping `langfuse-cost` and its subpaths to `src/` so no build is needed.
 * Returns the tsconfig path.
 */
export function writeSnippetProject(snippets: DocSnippet[]): string {
  rmSync(SNIPPET_DIR, { recursive: true, force: true });
  mkdirSync(SNIPPET_DIR, { recursive: true });
  for (const s of snippets) {
    // `export {}` makes every snippet a module: own scope, top-level await allowed.
    writeFileSync(s.file, `${s.code}\n\nexport {};\n`);
  }
  const tsconfig = path.join(SNIPPET_DIR, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify(
      {
        extends: '../../examples/tsconfig.json',
        compilerOptions: { noEmit: true, declaration: false },
        include: ['./*.ts', '../../examples/**/*.ts'],
      },
      null,
      2,
    ),
  );
  return tsconfig;
}

/** One tsc diagnostic. */
export interface TscDiagnostic {
  file: string;
  line: number;
  message: string;
}

/** Run `tsc --noEmit -p tsconfig` and return its diagnostics (absolute file paths). */
export function typeCheck(tsconfig: string): Promise<{ diagnostics: TscDiagnostic[]; output: string }> {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsc, '--noEmit', '--pretty', 'false', '-p', tsconfig],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
      (_err, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        const diagnostics: TscDiagnostic[] = [];
        for (const line of output.split('\n')) {
          const m = /^(.+?)\((\d+),\d+\): error (.*)$/.exec(line);
          if (m) diagnostics.push({ file: path.resolve(ROOT, m[1]!), line: Number(m[2]), message: m[3]! });
        }
        resolve({ diagnostics, output });
      },
    );
  });
}

/** Result of running a TypeScript file. */
export interface TsRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a TypeScript file with tsx in a child process, `langfuse-cost/*` resolved to `src/` through
 * examples/tsconfig.json. The environment is isolated: no user price files, no synced cache, no ledger
 * and no provider or Langfuse keys unless `env` sets them.
 */
export function runTs(
  file: string,
  opts: { args?: string[]; env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<TsRun> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TSX_TSCONFIG_PATH: path.join(ROOT, 'examples', 'tsconfig.json'),
      LANGFUSE_COST_CACHE_DIR: '/nonexistent/langfuse-cost-test-cache',
      LANGFUSE_COST_LEDGER: 'off',
      NO_COLOR: '1',
      ...opts.env,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...(opts.args ?? [])], {
      cwd: opts.cwd ?? ROOT,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The `// prints: TEXT` comments of a block, in order: the lines its stdout must be. */
export function expectedPrints(code: string): string[] {
  return [...code.matchAll(/\/\/ prints: (.*)$/gm)].map((m) => m[1]!.trimEnd());
}

/**
 * Compare a block's stdout with its `// prints:` comments: one comment per printed line, in order,
 * nothing printed that no comment shows, nothing shown that is not printed. In a comment, `…` stands
 * for any text within the line (a date, say), so a comment can skip what changes from run to run.
 * Returns what differs, or null when they agree (and for a block without `// prints:` comments).
 */
export function printsMismatch(code: string, stdout: string): string | null {
  const expected = expectedPrints(code);
  if (expected.length === 0) return null;
  const got = stdout
    .replace(/\r?\n$/, '')
    .split(/\r?\n/)
    .map((l) => l.trimEnd());
  const pattern = (text: string) =>
    new RegExp(
      `^${text
        .split('…')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      'u',
    );
  for (let i = 0; i < Math.max(expected.length, got.length); i++) {
    const e = expected[i];
    const g = got[i];
    if (e === undefined)
      return `line ${i + 1} is printed but no // prints: comment shows it: ${JSON.stringify(g)}`;
    if (g === undefined) return `// prints: ${e} — not printed (the block printed ${got.length} line(s))`;
    if (!pattern(e).test(g)) return `line ${i + 1}: // prints: ${e}\n  but printed: ${g}`;
  }
  return null;
}
