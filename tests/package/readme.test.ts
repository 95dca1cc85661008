import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { openaiRoutes } from '../helpers/providers/openai.js';
import { startRouteServer } from '../helpers/providers/server.js';
import { runNode } from './context.js';
import { packageSuite } from './suite.js';

// The README's two 30-second blocks, exactly as written, compiled by tsc in the ts-node16 project
// against the installed package and run with plain node. The LangChain one talks to a loopback
// server in OpenAI's wire format (OPENAI_BASE_URL); the OTel one exports to a loopback Langfuse.

const suite = packageSuite();
const project = suite.projects['ts-node16'];
const tmp = mkdtempSync(path.join(tmpdir(), 'langfuse-cost-readme-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** pico-USD of `tokens` at `perMillion` USD per 1M tokens. */
const pico = (tokens: number, perMillion: number) => BigInt(tokens) * BigInt(Math.round(perMillion * 1e6));
/** `0.0005253` → pico-USD, exact from the decimal text. */
function textPico(text: string): bigint {
  const [int, frac = ''] = text.split('.');
  return BigInt(int!) * 10n ** 12n + BigInt(frac.padEnd(12, '0'));
}

describe('README: 30 seconds with LangChain', () => {
  it.concurrent('prints 1 call(s) and the cost of the usage the server returned', async () => {
    const block = suite.readme.langchain;
    expect(block, 'a ```ts block under "## 30 seconds with LangChain"').not.toBeNull();
    const server = await startRouteServer(openaiRoutes);
    try {
      // Usage as OpenAI reports it; gpt-4o-mini: $0.15 per 1M input, $0.60 per 1M output tokens.
      const usage = { prompt_tokens: 1234, completion_tokens: 567, total_tokens: 1801 };
      server.setDefault('openai', { model: 'gpt-4o-mini-2024-07-18', usage });
      const ledger = path.join(tmp, 'ledger.jsonl');
      const r = await runNode(project, block!.compiled, {
        env: { OPENAI_API_KEY: 'test', OPENAI_BASE_URL: `${server.url}/v1`, LANGFUSE_COST_LEDGER: ledger },
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(server.requests.map((q) => `${q.path} ${q.body?.model}`)).toEqual([
        '/v1/chat/completions gpt-4o-mini',
      ]);
      const expected = pico(usage.prompt_tokens, 0.15) + pico(usage.completion_tokens, 0.6);
      const printed = /^1 call\(s\), \$([\d.]+)$/m.exec(r.stdout);
      expect(printed, r.stdout).not.toBeNull();
      expect(textPico(printed![1]!)).toBe(expected);
      // The ledger the comment promises (here at LANGFUSE_COST_LEDGER): one line, the same cost.
      const lines = readFileSync(ledger, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => [BigInt(l.cost_pico), l.session_id, l.user_id])).toEqual([
        [expected, 'chat-42', 'alice'],
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('README: 30 seconds with OpenTelemetry / Langfuse', () => {
  it.concurrent('as written: starts the SDK and exits 0, nothing on stderr', async () => {
    const block = suite.readme.otel;
    expect(block, 'a ```ts block under "## 30 seconds with OpenTelemetry / Langfuse"').not.toBeNull();
    const rx = await startOtlpReceiver();
    try {
      const r = await runNode(project, block!.compiled, {
        env: {
          LANGFUSE_PUBLIC_KEY: 'pk-lf-test',
          LANGFUSE_SECRET_KEY: 'sk-lf-test',
          LANGFUSE_BASE_URL: rx.url,
        },
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    } finally {
      await rx.close();
    }
  });

  it.concurrent('with a GenAI span and sdk.shutdown() appended: Langfuse receives it with its cost', async () => {
    expect(suite.otelExport).not.toBeNull();
    const rx = await startOtlpReceiver();
    try {
      const r = await runNode(project, suite.otelExport!, {
        env: {
          LANGFUSE_PUBLIC_KEY: 'pk-lf-test',
          LANGFUSE_SECRET_KEY: 'sk-lf-test',
          LANGFUSE_BASE_URL: rx.url,
        },
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(rx.spans.map((s) => s.name)).toEqual(['chat gpt-4o-mini']);
      const attrs = rx.spans[0]!.attributes;
      // 1000 × $0.15/1M + 500 × $0.60/1M = $0.00045
      expect(attrs['gen_ai.usage.cost']).toBe(0.00045);
      expect(JSON.parse(String(attrs['langfuse.observation.cost_details']))).toEqual({
        input: 0.00015,
        output: 0.0003,
        total: 0.00045,
      });
    } finally {
      await rx.close();
    }
  });
});
