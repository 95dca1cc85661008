import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXPORT_FORMATS, type ExportFormat, ExportWriter } from '../../ledger/export.js';
import { readLedger } from '../../node/ledger/read.js';
import { parseArgs, strFlag } from '../args.js';
import { type CliCommand, CliError, type CliIO } from '../command.js';
import { envConfig, ledgerPath } from '../ledger-options.js';
import { calendarFlag, DEFAULT_WINDOW, windowFlags, windowHelp } from '../time-window.js';

const USAGE = `Usage: langfuse-cost export [options]

Export the calls in the ledger, one row per call, in the ledger's columns.
Without --from and --to: ${DEFAULT_WINDOW} (the same window in every command).

Options:
  --format FMT    csv (default), json or jsonl
  --ledger PATH   ledger file (default: LANGFUSE_COST_LEDGER, else .langfuse-cost/ledger.jsonl)
${windowHelp(18)}
  --tz ZONE       IANA time zone of dates in --from/--to (default: LANGFUSE_COST_TIMEZONE, else UTC)
  --out FILE      write to FILE instead of standard output
  --no-formula-guard
                  CSV: keep text cells that start with = + - @ as they are (by default they get a
                  leading ' so spreadsheets do not run them as formulas)

CSV follows RFC 4180 (CRLF line ends; cells with commas, quotes or line breaks are quoted);
usage columns are usage_<key>, costs cost_<key> in USD, exact to 1e-12.
`;

const FLUSH_AT = 256 * 1024;

/**
 * Buffered output to a file descriptor or a stream, honouring back-pressure. A reader that goes away
 * (`| head`) is handled once for every command, in the CLI entry (see closed-pipe.ts).
 */
class Output {
  private parts: string[] = [];
  private size = 0;
  private readonly fd: number | null;

  constructor(
    private readonly io: CliIO,
    path: string | undefined,
  ) {
    this.fd = path !== undefined ? openSync(path, 'w') : null;
  }

  push(chunk: string): void {
    this.parts.push(chunk);
    this.size += chunk.length;
  }

  get full(): boolean {
    return this.size >= FLUSH_AT;
  }

  async drain(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.fd !== null) {
      writeSync(this.fd, text);
      return;
    }
    const out = this.io.stdout;
    if (!out.write(text)) {
      await new Promise<void>((r) => {
        const done = () => {
          out.off('drain', done);
          out.off('error', done);
          r();
        };
        out.once('drain', done);
        out.once('error', done);
      });
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
  }
}

/** `langfuse-cost export`: the ledger as CSV, JSON or JSON Lines. */
export const command: CliCommand = {
  name: 'export',
  summary: 'export ledger records as CSV, JSON or JSON Lines',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, {
      booleans: ['no-formula-guard'],
      known: ['format', 'ledger', 'from', 'to', 'tz', 'out'],
    });
    if (args.positionals.length > 0)
      throw new CliError(`unexpected argument "${args.positionals[0]}" (see --help)`, 2);
    const format = (strFlag(args, 'format') ?? 'csv') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) {
      throw new CliError(`--format must be one of ${EXPORT_FORMATS.join(', ')}; got "${format}"`, 2);
    }
    const env = envConfig(io);
    const cal = calendarFlag(args, env.timeZone);
    const window = windowFlags(args, cal);
    const path = ledgerPath(args, io, env);
    const outPath = strFlag(args, 'out');
    let out: Output;
    try {
      out = new Output(io, outPath !== undefined ? resolve(io.cwd, outPath) : undefined);
    } catch (err) {
      throw new CliError(`cannot write ${outPath}: ${(err as Error).message}`);
    }
    const warnings: string[] = [];
    try {
      const writer = new ExportWriter(format, (c) => out.push(c), {
        formulaGuard: args.flags['no-formula-guard'] !== true,
      });
      const lines = readLedger(path, {
        ...(window.from !== undefined ? { from: window.from } : {}),
        to: window.to,
        onWarning: (m) => warnings.push(m),
      });
      for await (const line of lines) {
        writer.add(line);
        if (out.full) await out.drain();
      }
      writer.end();
      await out.drain();
      for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
      if (outPath !== undefined) io.stderr.write(`wrote ${writer.written} calls to ${outPath}\n`);
    } finally {
      out.close();
    }
    return 0;
  },
};
