/**
 * Nothing secret stored: the real ChatOpenAI and ChatAnthropic fail against a loopback provider whose
 * error body echoes the API key, a URL with a password and the prompt. Every output is grepped — the
 * JSONL ledger, `export` (CSV, JSON, JSONL), `report`, `dashboards run failed-calls`, the HTML report
 * and every message any logger received — for the key, the password, the prompt and the completion.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatAnthropic } from '@langchain/anthropic';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { getLogger, type Logger, setLogger } from '../../../src/logger.js';
import { JsonlLedgerSink } from '../../../src/node/ledger/index.js';
import { CostTracker } from '../../../src/tracker/tracker.js';
import { runCli } from '../../helpers/cli.js';
import { testCatalog } from '../../helpers/langchain-fixtures.js';
import { type ProviderServer, startProviderServer } from '../../helpers/providers/index.js';

const OPENAI_KEY = 'sk-SECRET-KEY-1234567890abcdef';
const ANTHROPIC_KEY = 'sk-ant-api03-SECRET-KEY-abcdefghijklmnop';
const PROMPT = 'SECRET-PROMPT-123';
const COMPLETION = 'SECRET-COMPLETION-456';
const PASSWORD = 'SECRET-PASS-789';
/** What no output may contain (the keys, the password, the prompt, the completion). */
const SECRETS = [/SECRET-KEY/, /SECRET-PROMPT/, /SECRET-PASS/, /SECRET-COMPLETION/, /api03-SECRET/];

const OPENAI_ERROR = {
  error: {
    message:
      `Invalid request for key ${OPENAI_KEY}: prompt "${PROMPT}" rejected ` +
      `(Authorization: Bearer ${OPENAI_KEY}; proxy https://admin:${PASSWORD}@proxy.example.com/v1)`,
    type: 'invalid_request_error',
    param: 'messages',
    code: 'bad_prompt',
  },
};
const ANTHROPIC_ERROR = {
  type: 'error',
  error: {
    type: 'invalid_request_error',
    message: `Invalid request for key ${ANTHROPIC_KEY}: prompt "${PROMPT}" rejected; x-api-key: ${ANTHROPIC_KEY}`,
  },
};

const dir = mkdtempSync(join(tmpdir(), 'lc-redaction-'));
const ledger = join(dir, 'ledger.jsonl');
const logged: string[] = [];
const collect =
  (level: string) =>
  (m: string, ...args: unknown[]) =>
    logged.push(`${level} ${m} ${args.map((a) => String(a)).join(' ')}`);
const collector: Logger = {
  debug: collect('debug'),
  info: collect('info'),
  warn: collect('warn'),
  error: collect('error'),
};

let server: ProviderServer;
let previousLogger: Logger;
const catalog = testCatalog();

function openai(streaming = false) {
  return new ChatOpenAI({
    model: 'gpt-4o',
    apiKey: OPENAI_KEY,
    maxRetries: 0,
    streaming,
    configuration: { baseURL: `${server.url}/v1` },
  });
}
function anthropic(streaming = false) {
  return new ChatAnthropic({
    model: 'claude-sonnet-4-5',
    apiKey: ANTHROPIC_KEY,
    maxRetries: 0,
    streaming,
    anthropicApiUrl: server.url,
  });
}

/** Run a call that must fail, returning what the chain threw (for the test's own check). */
async function failing(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error('the call did not fail');
}

function expectClean(what: string, text: string): void {
  for (const s of SECRETS) expect(text, `${what} contains ${s}`).not.toMatch(s);
}

beforeAll(async () => {
  server = await startProviderServer();
  previousLogger = getLogger();
  setLogger(collector);
  const sink = new JsonlLedgerSink({ path: ledger, flushOnExit: false });
  const tracker = new CostTracker({ sinks: [sink] });
  const handler = new CostCallbackHandler({ tracker, catalog, logger: collector });

  // A successful call: its prompt and completion are not stored either.
  server.setDefault('openai', {
    model: 'gpt-4o-2024-08-06',
    text: COMPLETION,
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  });
  await openai().invoke(PROMPT, { callbacks: [handler] });

  server.setDefault('openai', { error: { status: 400, body: OPENAI_ERROR } });
  server.setDefault('anthropic', { error: { status: 400, body: ANTHROPIC_ERROR } });
  const thrown = [
    await failing(() => openai().invoke(PROMPT, { callbacks: [handler] })),
    await failing(() => openai(true).invoke(PROMPT, { callbacks: [handler] })),
    await failing(() => anthropic().invoke(PROMPT, { callbacks: [handler] })),
    await failing(() => anthropic(true).invoke(PROMPT, { callbacks: [handler] })),
  ];
  // The premise: what the providers' SDKs throw does carry the key and the prompt.
  for (const err of thrown) expect(String((err as Error).message)).toMatch(/SECRET-KEY.*SECRET-PROMPT/);
  await tracker.close();
}, 60_000);

afterAll(async () => {
  setLogger(previousLogger);
  await server?.close();
});

describe('a failing ChatOpenAI / ChatAnthropic call whose error echoes the key and the prompt', () => {
  it('is in the ledger with its HTTP status and without the key, the password or the prompt', () => {
    const text = readFileSync(ledger, 'utf8');
    expectClean('ledger', text);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; status_message: string | null });
    expect(lines).toHaveLength(5);
    const failed = lines.filter((l) => l.level === 'ERROR');
    expect(failed).toHaveLength(4);
    for (const l of failed) {
      expect(l.status_message).toMatch(/^400\b/);
      expect(l.status_message).toMatch(/\[REDACTED\]/);
      expect(l.status_message).toMatch(/prompt \\?"\[…\]\\?" rejected/);
      expect(l.status_message!.length).toBeLessThanOrEqual(200);
    }
    // The kind of key is still visible (which key failed), not the key.
    expect(failed.some((l) => /sk-ant-\[REDACTED\]/.test(l.status_message!))).toBe(true);
  });

  it('export (CSV, JSON, JSONL), report and dashboards run failed-calls contain none of it', async () => {
    for (const args of [
      ['export', '--ledger', ledger, '--format', 'csv'],
      ['export', '--ledger', ledger, '--format', 'json'],
      ['export', '--ledger', ledger, '--format', 'jsonl'],
      ['report', '--ledger', ledger],
      ['dashboards', 'run', 'failed-calls', '--ledger', ledger, '--format', 'json'],
    ]) {
      const run = await runCli(args, { timeoutMs: 90_000 });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
      expectClean(`${args.join(' ')} stdout`, run.stdout);
      expectClean(`${args.join(' ')} stderr`, run.stderr);
      if (args[0] !== 'report') expect(run.stdout).toMatch(/400 /);
    }
  }, 180_000);

  it('the HTML report lists the failed calls with their status and none of it', async () => {
    const out = join(dir, 'report.html');
    const run = await runCli(['dashboards', 'html', '--ledger', ledger, '--out', out], { timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(0);
    expectClean('dashboards html output', run.stdout + run.stderr);
    const html = readFileSync(out, 'utf8');
    expectClean('HTML report', html);
    expect(html).toMatch(/400 Invalid request for key sk-\[REDACTED\]/);
  }, 120_000);

  it('no logger received any of it', () => {
    expectClean('logged messages', logged.join('\n'));
  });
});

describe("errorDetail: 'status-only'", () => {
  it('stores the error class and the HTTP status only', async () => {
    const tracker = new CostTracker({ errorDetail: 'status-only' });
    const handler = new CostCallbackHandler({ tracker, catalog, logger: collector });
    server.setDefault('openai', { error: { status: 400, body: OPENAI_ERROR } });
    server.setDefault('anthropic', { error: { status: 429, body: ANTHROPIC_ERROR } });
    await failing(() => openai().invoke(PROMPT, { callbacks: [handler] }));
    await failing(() => anthropic().invoke(PROMPT, { callbacks: [handler] }));
    const [a, b] = tracker.recent();
    expect(a!.error).toMatch(/^[A-Za-z]+Error \(HTTP 400\)$/);
    expect(b!.error).toMatch(/^[A-Za-z]+Error \(HTTP 429\)$/);
  });

  it('is checked: an unknown value is a typed error naming the option', () => {
    expect(() => new CostTracker({ errorDetail: 'none' as never })).toThrow(/options\.errorDetail/);
  });
});

describe('a ledger written before redaction (raw provider text in status_message)', () => {
  it('is redacted again by export and by the HTML report', async () => {
    const raw = join(dir, 'legacy.jsonl');
    const lines = readFileSync(ledger, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const l of lines) if (l.level === 'ERROR') l.status_message = `400 ${OPENAI_ERROR.error.message}`;
    writeFileSync(raw, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    expect(readFileSync(raw, 'utf8')).toMatch(/SECRET-KEY/);
    for (const format of ['csv', 'json', 'jsonl']) {
      const run = await runCli(['export', '--ledger', raw, '--format', format]);
      expect(run.code, run.stderr).toBe(0);
      expectClean(`export ${format} of a legacy ledger`, run.stdout);
      expect(run.stdout).toMatch(/400 Invalid request/);
    }
    const out = join(dir, 'legacy.html');
    const run = await runCli(['dashboards', 'html', '--ledger', raw, '--out', out], { timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(0);
    expectClean('HTML report of a legacy ledger', readFileSync(out, 'utf8'));
  }, 180_000);
});
