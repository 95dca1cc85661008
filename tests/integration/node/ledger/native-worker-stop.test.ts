/**
 * `writeNativeInWorker` (the dashboards' first load writing a share's lines as Native columns on a worker
 * thread) stops its worker when asked: when another share is not in the fast form, the load goes the
 * general way and no longer needs these columns. The call then settles to null once the worker has exited
 * (so nothing writes its file any more), and a call asked to stop before it starts runs no worker. Runs
 * the built package in a child process (the worker script is a built file; the function is internal, so
 * it is taken from the built chunk that defines it). Needs `npm run build` first.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../../../dist/', import.meta.url));
const chunk = readdirSync(dist)
  .filter((f) => f.endsWith('.js'))
  .map((f) => join(dist, f))
  .find((f) => readFileSync(f, 'utf8').includes('function writeNativeInWorker('));
const dir = mkdtempSync(join(tmpdir(), 'lc-native-stop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ledger = join(dir, 'ledger.jsonl');
const LINES = 3000;
writeFileSync(
  ledger,
  Array.from(
    { length: LINES },
    (_, i) =>
      `{"id":"c-${i}","start_time":"2026-11-0${1 + (i % 9)}T10:00:00.000Z","provided_model_name":"gpt-4o","cost_pico":1000003,"status":"success"}\n`,
  ).join(''),
);

const code = `import { statSync } from 'node:fs';
const { writeNativeInWorker } = await import(${JSON.stringify(chunk)});
const segment = { path: ${JSON.stringify(ledger)}, start: 0, end: statSync(${JSON.stringify(ledger)}).size };
const out = (name) => ${JSON.stringify(dir)} + '/' + name + '.native';
const size = (name) => statSync(out(name), { throwIfNoEntry: false })?.size ?? -1;
const whole = await writeNativeInWorker(segment, out('whole'), new AbortController().signal);
const stopped = new AbortController();
const pending = writeNativeInWorker(segment, out('stopped'), stopped.signal);
stopped.abort();
const stoppedLines = await pending;
const sizeThen = size('stopped');
await new Promise((r) => setTimeout(r, 200));
const before = new AbortController();
before.abort();
const neverLines = await writeNativeInWorker(segment, out('never'), before.signal);
console.log(JSON.stringify({ whole, stoppedLines, grew: size('stopped') !== sizeThen, never: size('never') }));`;

describe('the Native columns of a share, written on a worker thread', () => {
  it('stops the worker when the load no longer needs them', () => {
    expect(chunk).toBeDefined();
    const text = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
      encoding: 'utf8',
    });
    expect(JSON.parse(text.trim().split('\n').pop()!)).toEqual({
      whole: LINES,
      stoppedLines: null,
      grew: false,
      never: -1,
    });
  });
});
