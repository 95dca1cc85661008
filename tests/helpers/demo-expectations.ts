import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { ProgramRun } from './example-expectations.js';

// What the quickstart demo (examples/quickstart/demo.ts, `npm run demo`) must print: each call's cost
// recomputed here from the usage it prints and the published prices below, the total equal to the sum
// of the lines, the breakdowns, the budget warning, the ledger, the SQL total and the HTML report.
// Shared by tests/integration/examples/demo.test.ts (tsx, src/) and tests/package/examples.test.ts (compiled,
// the packed package, plain node).

/** A finished demo run: the process, the `--out` directory it was given, and its wall time. */
export interface DemoRun {
  run: ProgramRun;
  out: string;
  ms: number;
}

// Published prices, USD per 1M tokens, as pico-USD per token (× 1e6).
const PRICES: Record<string, { input: number; cacheRead: number; cacheWrite?: number; output: number }> = {
  // Anthropic Claude Sonnet 4.5: $3 in, $3.75 5-minute cache write, $0.30 cache read, $15 out.
  claude: { input: 3_000_000, cacheWrite: 3_750_000, cacheRead: 300_000, output: 15_000_000 },
  // OpenAI o4-mini: $1.10 in, $0.275 cached in, $4.40 out (reasoning billed as output).
  o4: { input: 1_100_000, cacheRead: 275_000, output: 4_400_000 },
  // OpenAI GPT-4o mini: $0.15 in, $0.075 cached in, $0.60 out.
  mini: { input: 150_000, cacheRead: 75_000, output: 600_000 },
};

function pricesOf(model: string) {
  if (model.startsWith('claude-sonnet-4-5')) return PRICES.claude!;
  if (model.startsWith('o4-mini')) return PRICES.o4!;
  if (model.startsWith('gpt-4o-mini')) return PRICES.mini!;
  throw new Error(`no test price for ${model}`);
}

/** `$0.00661725` → 6617250000 pico-USD (exact, from the decimal text). */
function pico(text: string): bigint {
  const m = /^\$?(\d+)\.(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`not an amount: ${text}`);
  return BigInt(m[1]!) * 10n ** 12n + BigInt(m[2]!.padEnd(12, '0'));
}

interface CallLine {
  n: number;
  step: string;
  model: string;
  provider: string;
  tokens: Record<string, number>;
  cost: bigint;
  span: string;
}

const CALL_LINE = /^\s+\[\s*(\d+)\] (\w+)\s+(\S+)\s+\((\w+)\)\s+(.+?)\s+→ (\$[\d.]+)\s+catalog\s+(span .*)$/;

function callLines(stdout: string): CallLine[] {
  return stdout
    .split('\n')
    .map((l) => CALL_LINE.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      n: Number(m[1]),
      step: m[2]!,
      model: m[3]!,
      provider: m[4]!,
      tokens: Object.fromEntries(
        m[5]!.split(' · ').map((part) => {
          const [k, v] = part.split(' ');
          return [k!, Number(v)];
        }),
      ),
      cost: pico(m[6]!),
      span: m[7]!,
    }));
}

/** The rows of the table printed under `title` (until the next blank line). */
function tableRows(stdout: string, title: string): string[][] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.trim() === title);
  expect(start, `table ${title}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  // title, underline, header, rule, rows…
  for (let i = start + 4; i < lines.length && lines[i]!.trim() !== ''; i++)
    rows.push(lines[i]!.trim().split(/\s{2,}/));
  return rows;
}

/**
 * Declares the demo's tests in the calling `describe`; `get()` returns the finished run (set by the
 * caller's `beforeAll`).
 */
export function demoExpectations(get: () => DemoRun): void {
  it('exits 0 within a minute and says the responses are simulated', () => {
    const { run, ms } = get();
    expect(run.code, run.stderr).toBe(0);
    expect(ms).toBeLessThan(60_000);
    expect(run.stdout).toContain('OpenAI: SIMULATED');
    expect(run.stdout).toContain('Anthropic: SIMULATED');
    expect(run.stdout).toContain('Responses are simulated');
    expect(run.stderr).not.toMatch(/warn|error/i);
  });

  it('prints one line per LLM call: 4 tickets × (triage, plan, reply)', () => {
    const { run } = get();
    const calls = callLines(run.stdout);
    expect(calls.map((c) => c.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(calls.map((c) => c.step)).toEqual(Array(4).fill(['triage', 'plan', 'reply']).flat());
    expect(new Set(calls.map((c) => c.provider))).toEqual(new Set(['anthropic', 'openai']));
  });

  it('prices each call right: usage × the published price', () => {
    const { run } = get();
    for (const c of callLines(run.stdout)) {
      const p = pricesOf(c.model);
      const t = c.tokens;
      const expected =
        BigInt(t.in ?? 0) * BigInt(p.input) +
        BigInt(t['cache-read'] ?? 0) * BigInt(p.cacheRead) +
        BigInt(t['cache-write'] ?? 0) * BigInt(p.cacheWrite ?? 0) +
        BigInt((t.out ?? 0) + (t.reasoning ?? 0)) * BigInt(p.output);
      expect(c.cost, `call ${c.n} ${c.model}`).toBe(expected);
    }
  });

  it('shows the cached prompt (written once, then read) and the reasoning tokens', () => {
    const { run } = get();
    const triage = callLines(run.stdout).filter((c) => c.step === 'triage');
    expect(triage[0]!.tokens['cache-write']).toBeGreaterThan(1024);
    expect(triage[0]!.tokens['cache-read']).toBeUndefined();
    for (const t of triage.slice(1)) expect(t.tokens['cache-read']).toBe(triage[0]!.tokens['cache-write']);
    for (const p of callLines(run.stdout).filter((c) => c.step === 'plan'))
      expect(p.tokens.reasoning).toBeGreaterThan(0);
  });

  it('the total equals the sum of the call lines, and every OTel span carries the same cost', () => {
    const { run } = get();
    const calls = callLines(run.stdout);
    const sum = calls.reduce((s, c) => s + c.cost, 0n);
    const total = /Total: (\$[\d.]+) for (\d+) calls/.exec(run.stdout);
    expect(total).not.toBeNull();
    expect(pico(total![1]!)).toBe(sum);
    expect(Number(total![2])).toBe(calls.length);
    expect(calls.every((c) => c.span === 'span ✓')).toBe(true);
    expect(run.stdout).toContain('OTel: 12 generation spans carry the same cost');
  });

  it('the model, provider and session tables add up to the total', () => {
    const { run } = get();
    const calls = callLines(run.stdout);
    const sum = calls.reduce((s, c) => s + c.cost, 0n);
    for (const [title, key] of [
      ['By model', (c: CallLine) => c.model],
      ['By provider', (c: CallLine) => c.provider],
    ] as const) {
      const rows = tableRows(run.stdout, title);
      expect(
        rows.reduce((s, r) => s + pico(r[3]!), 0n),
        title,
      ).toBe(sum);
      for (const r of rows) {
        const mine = calls.filter((c) => key(c) === r[0]);
        expect(Number(r[1]), `${title} ${r[0]} calls`).toBe(mine.length);
        expect(pico(r[3]!), `${title} ${r[0]} cost`).toBe(mine.reduce((s, c) => s + c.cost, 0n));
      }
    }
    // Sessions: tickets 1 and 3 are chat-alice, 2 is chat-bob, 4 is chat-carol.
    const ticket = (n: number) => Math.floor((n - 1) / 3) + 1;
    const bySession: Record<string, number[]> = { 'chat-alice': [1, 3], 'chat-bob': [2], 'chat-carol': [4] };
    const rows = tableRows(run.stdout, 'By session');
    expect(rows.map((r) => r[0]).sort()).toEqual(Object.keys(bySession));
    for (const r of rows) {
      const mine = calls.filter((c) => bySession[r[0]!]!.includes(ticket(c.n)));
      expect(pico(r[3]!), r[0]).toBe(mine.reduce((s, c) => s + c.cost, 0n));
    }
  });

  it('crosses the budget warning exactly once, at the call that passed 80% of the limit', () => {
    const { run } = get();
    const lines = run.stdout.split('\n');
    const alerts = lines.filter((l) => l.includes('⚠ budget'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain('budget warning: daily spend');
    const limit = pico(/daily limit (\$[\d.]+)/.exec(run.stdout)![1]!);
    // The alert sits under the first call whose running total reaches 80% of the limit.
    const calls = callLines(run.stdout);
    let running = 0n;
    const crossing = calls.find((c) => (running += c.cost) * 10n >= limit * 8n);
    expect(crossing).toBeDefined();
    const at = lines.findIndex((l) => l.includes('⚠ budget'));
    expect(CALL_LINE.exec(lines[at - 1]!)?.[1]).toBe(String(crossing!.n));
    const spent = pico(/daily spend (\$[\d.]+)/.exec(alerts[0]!)![1]!);
    expect(spent).toBe(calls.filter((c) => c.n <= crossing!.n).reduce((s, c) => s + c.cost, 0n));
    expect(run.stdout).toMatch(/daily \d{4}-\d{2}-\d{2}: \$[\d.]+ of \$0\.022 \(\d+\.\d%\) — warning/);
  });

  it('writes the ledger: one line per call, costs equal to the printed ones', () => {
    const { run, out } = get();
    const ledger = path.join(out, 'ledger.jsonl');
    expect(run.stdout).toContain(`12 records written to ${ledger}`);
    const lines = readFileSync(ledger, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(12);
    const printed = callLines(run.stdout).map((c) => c.cost);
    expect(lines.map((l) => BigInt(l.cost_pico))).toEqual(printed);
    expect(new Set(lines.map((l) => l.session_id))).toEqual(
      new Set(['chat-alice', 'chat-bob', 'chat-carol']),
    );
    expect(new Set(lines.map((l) => l.tenant_id))).toEqual(new Set(['northwind', 'contoso']));
  });

  it('runs every dashboard on the ledger in chDB, with the same total', () => {
    const { run } = get();
    expect(run.stdout).toMatch(/(\d+) of \1 dashboards ran/);
    expect(run.stdout).toContain('✓ the SQL total equals the tracker total');
    const kpi = /kpi-totals: total (\$[\d.]+), 12 requests, 3 sessions, 4 traces/.exec(run.stdout);
    expect(kpi).not.toBeNull();
    const sum = callLines(run.stdout).reduce((s, c) => s + c.cost, 0n);
    expect(pico(kpi![1]!)).toBe(sum);
  });

  it('writes the self-contained HTML report and prints its path', () => {
    const { run, out } = get();
    const report = path.join(out, 'cost-report.html');
    expect(run.stdout).toContain(report);
    expect(existsSync(report)).toBe(true);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('<svg');
    expect(html).toContain('claude-sonnet-4-5');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });
}
