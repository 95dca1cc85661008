import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Result of running the CLI. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `langfuse-cost` from source (tsx) in a child process, the way a user runs the built CLI.
 * The environment is isolated: no user price files or synced cache unless the test passes them.
 */
export function runCli(
  args: string[],
  opts: { input?: string; env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANGFUSE_COST_CACHE_DIR: '/nonexistent/langfuse-cost-test-cache',
      XDG_CONFIG_HOME: '/nonexistent/langfuse-cost-test-config',
      ...opts.env,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', `${root}src/cli/main.ts`, ...args], {
      cwd: opts.cwd ?? root,
      env: env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}
