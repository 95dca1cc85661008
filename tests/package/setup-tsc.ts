import path from 'node:path';
import { type Diagnostic, ROOT, runChild, type TscRun } from './context.js';

/**
 * One `tsc -p` over a whole project, with the repository's TypeScript (`@types/node` is found by
 * walking up to the repository's node_modules). Emits unless the tsconfig says noEmit; tsc emits even
 * when there are errors, so the programs still run and the tests report the errors themselves.
 */
export async function compileProject(dir: string): Promise<TscRun> {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = await runChild(process.execPath, [tsc, '-p', dir, '--pretty', 'false', '--listFiles'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    timeoutMs: 300_000,
  });
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  const unexpected: string[] = [];
  for (const line of `${r.stdout}${r.stderr}`.split('\n')) {
    const located = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line);
    const global = /^error (TS\d+): (.*)$/.exec(line);
    if (located) {
      const [, file, at, code, message] = located;
      diagnostics.push({ file: path.resolve(dir, file!), line: Number(at), code: code!, message: message! });
    } else if (global) diagnostics.push({ file: '', line: 0, code: global[1]!, message: global[2]! });
    else if (/^\s/.test(line) && diagnostics.length > 0) diagnostics.at(-1)!.message += `\n${line}`;
    else if (path.isAbsolute(line)) files.push(line);
    else if (line.trim() !== '') unexpected.push(line);
  }
  return { code: r.code, unexpected, diagnostics, files };
}
