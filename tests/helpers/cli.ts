import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Result of running the CLI. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface CliRunOptions {
  input?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  /** A built CLI to run with plain node (e.g. `dist/cli.js`) instead of the sources under tsx. */
  entry?: string;
  /**
   * Read only the first line of standard output, then close the pipe, as `| head -1` does: the rest
   * of the output meets a closed pipe. `stdout` holds that first line.
   */
  closeAfterFirstLine?: boolean;
}

/**
 * Run `langfuse-cost` from source (tsx) in a child process, the way a user runs the built CLI.
 * The environment is isolated: no user price files or synced cache unless the test passes them.
 */
export function runCli(args: string[], opts: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANGFUSE_COST_CACHE_DIR: '/nonexistent/langfuse-cost-test-cache',
      XDG_CONFIG_HOME: '/nonexistent/langfuse-cost-test-config',
      ...opts.env,
    };
    const cli = opts.entry !== undefined ? [opts.entry] : ['--import', 'tsx', `${root}src/cli/main.ts`];
    const child = spawn(process.execPath, [...cli, ...args], {
      cwd: opts.cwd ?? root,
      env: env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (opts.closeAfterFirstLine && nl >= 0) {
        stdout = stdout.slice(0, nl + 1);
        child.stdout.destroy();
      }
    });
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
