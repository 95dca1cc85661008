import { describe, expect, it } from 'vitest';
import { workerExecArgv } from '../../../../src/node/ledger/report.js';

describe('the flags a report worker thread inherits', () => {
  it('are inherited as they are when none names the main program', () => {
    expect(workerExecArgv([])).toBeUndefined();
    expect(workerExecArgv(['--import', 'tsx', '--enable-source-maps', '--stack-size=2000'])).toBeUndefined();
  });

  it('leave out -e/--eval/-p/--print and their code, --input-type, -i and --check', () => {
    expect(workerExecArgv(['-e', 'console.log(1)'])).toEqual([]);
    expect(workerExecArgv(['--import', 'tsx', '--eval', '-1', '--no-warnings'])).toEqual([
      '--import',
      'tsx',
      '--no-warnings',
    ]);
    expect(workerExecArgv(['--eval=1', '-p', 'x', '--print=y', '-pe', 'z'])).toEqual([]);
    expect(workerExecArgv(['--input-type=module', '-e', 'x', '-r', 'dotenv/config'])).toEqual([
      '-r',
      'dotenv/config',
    ]);
    expect(workerExecArgv(['--input-type', 'commonjs', '-i', '--check', '-c'])).toEqual([]);
  });
});
