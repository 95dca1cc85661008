/**
 * Command-line arguments of the repository's runnable scripts (`npm run demo`, `npm run bench`,
 * `npm run prices:update`, the examples): node's own `parseArgs`, plus what every script owes its
 * user — `--help`/`-h` prints the usage and exits 0; an unknown option or a missing value prints one
 * line and "see --help" and exits 2, with no stack trace.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** The options a script declares, in `parseArgs` form (`{ out: { type: 'string' } }`). */
export type ScriptOptions = NonNullable<ParseArgsConfig['options']>;

/** What a script says about itself and the options it takes. */
export interface ScriptArgsSpec<O extends ScriptOptions> {
  /** Its name, for messages: `demo`. */
  name: string;
  /** The text `--help` prints: what it does, its options, where it writes. */
  usage: string;
  /** Its options (`--help`/`-h` is added). */
  options: O;
  /** Whether it takes positional arguments (default false: one is an error). */
  allowPositionals?: boolean;
}

type Config<O extends ScriptOptions> = {
  args: string[];
  options: O;
  allowPositionals: true;
  strict: true;
};

/**
 * Parse `argv` (default: the process's arguments) for a script. Prints the usage and exits 0 on
 * `--help`/`-h`; prints one line and exits 2 on an unknown option, a missing value or an unexpected
 * argument. Otherwise returns `parseArgs`' result.
 */
export function scriptArgs<O extends ScriptOptions>(
  spec: ScriptArgsSpec<O>,
  argv: string[] = process.argv.slice(2),
): ReturnType<typeof parseArgs<Config<O>>> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(spec.usage.endsWith('\n') ? spec.usage : `${spec.usage}\n`);
    process.exit(0);
  }
  const fail = (message: string): never => {
    process.stderr.write(`${spec.name}: ${message} (see --help)\n`);
    process.exit(2);
  };
  let parsed: ReturnType<typeof parseArgs<Config<O>>>;
  try {
    parsed = parseArgs<Config<O>>({
      args: argv,
      options: spec.options,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw err;
    // The first sentence: node adds hints (how to pass a value that starts with "-") after it.
    return fail((err as Error).message.split('\n')[0]!.split('. ')[0]!.replace(/\.$/, ''));
  }
  if (!spec.allowPositionals && parsed.positionals.length > 0) {
    return fail(`Unexpected argument '${parsed.positionals[0]}'`);
  }
  return parsed;
}
