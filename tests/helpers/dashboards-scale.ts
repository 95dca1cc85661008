/**
 * A large ledger for the HTML report's scale test: `n` calls over 30 days, written straight to a file
 * (a 1M-line ledger is ~330 MB; building it as one string would not fit comfortably). Deterministic:
 * the same `n` and `seed` give the same file, and the totals the test checks come back with it, summed
 * here from the prices written into each line (integer pico-USD).
 */
import { createWriteStream } from 'node:fs';

/** What the generated ledger holds, summed while writing it. */
export interface ScaleLedger {
  calls: number;
  pricedCalls: number;
  totalPico: bigint;
  from: number;
  to: number;
}

const MODELS = [
  ['gpt-4o', 'openai'],
  ['gpt-4o-mini', 'openai'],
  ['gpt-4.1', 'openai'],
  ['claude-sonnet-4-5', 'anthropic'],
  ['claude-haiku-4-5', 'anthropic'],
  ['gemini-2.5-flash', 'google'],
  ['gemini-2.5-pro', 'google'],
  ['mistral-large-latest', 'mistral'],
] as const;

/** Write `n` ledger lines to `path`: 50 users, 2,000 sessions (one user, environment and tag set each). */
export async function writeScaleLedger(path: string, n: number, seed = 7): Promise<ScaleLedger> {
  const from = Date.parse('2026-10-01T00:00:00.000Z');
  const to = Date.parse('2026-10-31T00:00:00.000Z');
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = createWriteStream(path);
  let chunk: string[] = [];
  let totalPico = 0n;
  let priced = 0;
  for (let i = 0; i < n; i++) {
    const session = i % 2000;
    const user = `user-${session % 50}`;
    const env = session % 5 === 0 ? 'staging' : 'production';
    const tags = session % 3 === 0 ? ['chat', 'beta'] : ['chat'];
    // A session lives in one 12-hour stretch and uses two models and two operations.
    const start = from + (session % 60) * 43_200_000 + Math.floor(rnd() * 43_200_000);
    const [model, provider] = MODELS[(session + (i % 2) * 3) % MODELS.length]!;
    const op = i % 2 === 0 ? 'answer' : 'retrieve';
    const input = 200 + Math.floor(rnd() * 4000);
    const output = 10 + Math.floor(rnd() * 800);
    const unpriced = i % 97 === 0;
    const inPico = BigInt(input) * 2_500_000n;
    const outPico = BigInt(output) * 10_000_000n;
    const total = inPico + outPico;
    if (!unpriced) {
      totalPico += total;
      priced++;
    }
    const usd = (p: bigint) =>
      `${p / 1_000_000_000_000n}.${(p % 1_000_000_000_000n).toString().padStart(12, '0')}`;
    chunk.push(
      `{"id":"c-${i}","trace_id":"t-${Math.floor(i / 3)}","type":"GENERATION","name":"${op}","environment":"${env}",` +
        `"start_time":"${new Date(start).toISOString()}","level":"${i % 211 === 0 ? 'ERROR' : 'DEFAULT'}",` +
        `"provided_model_name":"${model}","usage_details":{"input":${input},"output":${output},"total":${input + output}},` +
        (unpriced
          ? `"cost_details":{},"total_cost":null,"cost_pico":null,`
          : `"cost_details":{"input":${usd(inPico)},"output":${usd(outPico)}},"total_cost":${usd(total)},"cost_pico":${total},`) +
        `"session_id":"s-${session}","user_id":"${user}","tags":${JSON.stringify(tags)},"provider":"${provider}"}`,
    );
    if (chunk.length === 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = [];
    }
  }
  if (chunk.length > 0) out.write(`${chunk.join('\n')}\n`);
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return { calls: n, pricedCalls: priced, totalPico, from, to };
}
