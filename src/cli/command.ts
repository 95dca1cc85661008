/** Streams and environment a command runs with (injectable for tests). */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** One `langfuse-cost <name>` command. */
export interface CliCommand {
  /** Command word, e.g. `price`. */
  name: string;
  /** One line for `langfuse-cost --help`. */
  summary: string;
  /** Full usage text for `langfuse-cost <name> --help`. */
  usage: string;
  /** Run with the arguments after the command word; resolves to the exit code. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** An error whose message is shown to the user as is, with exit code 2 (usage) or 1. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
