// A real redis-server for the shared budget store tests: Debian's `redis-server` (installed by
// `npm test`'s pretest, scripts/setup-test-env.mjs; REDIS_SERVER_PATH may point at another), on a
// free loopback port, with its data in a temporary directory. The append-only file is on with
// `appendfsync always`, as docs/fleet.md advises for budgets, so a SIGKILLed server restarts with
// every write it acknowledged. With `everysec`, Redis answers before writing the file while an
// earlier fsync is still running (a busy disk): a kill then loses acknowledged increments, which
// made the SIGKILL test fail on a loaded CI machine. The directory is on /dev/shm when there is one,
// so the fsync of every write does not wait on the disk other tests are filling.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running redis-server. */
export interface RedisServer {
  port: number;
  url: string;
  /** SIGKILL the server (no shutdown, no final save). */
  kill(): Promise<void>;
  /** Start it again on the same port and directory (the append-only file is replayed). */
  restart(): Promise<void>;
  /** Stop it and remove its directory. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Resolves when a TCP connection to the port gets `+PONG` back. */
async function waitReady(port: number, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited (${proc.exitCode}): ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection({ port, host: '127.0.0.1' });
      let got = '';
      c.on('connect', () => c.write('PING\r\n'));
      c.on('data', (d) => {
        got += String(d);
        if (got.includes('\r\n')) {
          c.destroy();
          resolve(got.startsWith('+PONG'));
        }
      });
      c.on('error', () => resolve(false));
      setTimeout(() => {
        c.destroy();
        resolve(false);
      }, 500).unref();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`redis-server did not answer on port ${port} within ${START_TIMEOUT_MS} ms: ${log()}`);
}

/** /dev/shm when it is a writable directory (memory-backed: fsync does not wait on a disk), else the temp dir. */
function dataRoot(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Start redis-server on a free loopback port in a temporary directory. */
export async function startRedis(): Promise<RedisServer> {
  const bin = process.env.REDIS_SERVER_PATH || 'redis-server';
  const dir = mkdtempSync(join(dataRoot(), 'lfc-redis-'));
  const port = await freePort();
  let proc: ChildProcess | undefined;
  let output = '';
  const launch = async () => {
    output = '';
    const p = spawn(
      bin,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--protected-mode',
        'no',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    p.stdout?.on('data', (d) => (output += String(d)));
    p.stderr?.on('data', (d) => (output += String(d)));
    proc = p;
    await waitReady(port, p, () => output);
  };
  const exited = (p: ChildProcess) =>
    p.exitCode !== null || p.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => p.once('exit', () => resolve()));
  const kill = async () => {
    const p = proc;
    if (p === undefined) return;
    p.kill('SIGKILL');
    await exited(p);
    proc = undefined;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: launch,
    async stop() {
      const p = proc;
      if (p !== undefined) {
        p.kill('SIGTERM');
        await exited(p);
        proc = undefined;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
