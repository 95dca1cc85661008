/**
 * A reader that stops early (`langfuse-cost prices list --json | head -1`) closes the pipe; the next
 * write fails with EPIPE. That is the reader's choice, not an error of ours: the CLI stops at once,
 * quietly, with status 0, as `cat`, `ls` or `git log` do. Installed once, by the CLI entry, for every
 * command; other failures to write standard output end the process with one line and status 1.
 */

/** The process parts the handler needs (injectable for tests). */
export interface ClosedPipeTarget {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  exit(code: number): void;
}

/** Exit 0 when standard output's reader goes away; ignore the same on standard error. */
export function exitQuietlyOnClosedPipe(target: ClosedPipeTarget = process): void {
  target.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      target.exit(0);
      return;
    }
    target.stderr.write(`langfuse-cost: cannot write standard output: ${err.message}\n`);
    target.exit(1);
  });
  // Standard error closed too (`2>&1 | head`): nothing left to tell, and the status says the rest.
  target.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') target.exit(1);
  });
}
