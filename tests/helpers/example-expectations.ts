import { expect } from 'vitest';

// What each offline example in examples/ must print, checked against costs computed here from
// published prices (USD per 1M tokens). One list for both ways the examples run: through tsx against
// src/ (tests/integration/examples/examples.test.ts) and compiled with tsc against the packed package in plain
// node (tests/package/examples.test.ts). The quickstart demo's checks are in demo-expectations.ts.

/** What a finished example process left behind. */
export interface ProgramRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** pico-USD of `tokens` at `perMillion` USD per 1M tokens (exact for prices with ≤ 6 decimals). */
export const pico = (tokens: number, perMillion: number) =>
  BigInt(tokens) * BigInt(Math.round(perMillion * 1e6));
/** pico-USD of a JSON number of USD. */
export const usdPico = (usd: number) => BigInt(Math.round(usd * 1e12));

/** One example's expectations: a test title and the checks on its output (after it exited 0). */
export interface ExampleExpectation {
  title: string;
  check(r: ProgramRun): void;
}

/** Keyed by the example's directory under examples/ (its program is `main.ts`). */
export const EXAMPLE_EXPECTATIONS: Record<string, ExampleExpectation> = {
  'langchain-budgets': {
    title: 'alerts once per threshold, refuses the call over the limit, exact total',
    check(r) {
      const lines = r.stdout.split('\n');
      const costs = lines.flatMap((l) => {
        const m = /model=gpt-4o-2024-08-06 tokens=\d+ cost=\$([\d.]+) source=catalog .* user=alice/.exec(l);
        return m ? [m[1]!] : [];
      });
      const refused = lines.filter((l) => l.includes('refused: user budget alice exceeded'));
      // Six messages: every one is either priced or refused, and the refusals come last.
      expect(costs.length + refused.length).toBe(6);
      expect(refused.length).toBeGreaterThan(0);
      const sum = costs.reduce((s, c) => s + usdPico(Number(c)), 0n);
      const total = new RegExp(`Total: .* \\(([\\d.]+) USD exactly\\) for ${costs.length} calls`).exec(
        r.stdout,
      );
      expect(total, r.stdout).not.toBeNull();
      expect(usdPico(Number(total![1]))).toBe(sum);
      // The limit is $0.0015: the calls before the last priced one stayed under it, the last crossed it.
      expect(sum).toBeGreaterThanOrEqual(usdPico(0.0015));
      expect(sum - usdPico(Number(costs.at(-1)))).toBeLessThan(usdPico(0.0015));
      for (const level of ['warning', 'critical', 'exceeded']) {
        expect(
          lines.filter((l) => l.includes(`⚠ user budget alice ${level}`)),
          level,
        ).toHaveLength(1);
      }
      expect(r.stdout).toMatch(/user alice: \$[\d.]+ of \$0\.00150 — exceeded/);
    },
  },

  'langchain-langfuse': {
    title: 'both generations leave with cost_details matching their usage',
    check(r) {
      const blocks = [
        ...r.stdout.matchAll(
          /generation (\w+): model (\S+), cost .*\n\s+usage_details (.*)\n\s+cost_details\s+(.*)/g,
        ),
      ];
      // The receiver prints generations in the order their export batches arrive, which load can swap.
      expect(blocks.map((b) => b[1]).sort()).toEqual(['ChatAnthropic', 'ChatOpenAI']);
      // claude-haiku-4-5: $1 in / $5 out; gpt-4o-mini: $0.15 in / $0.60 out.
      const prices: Record<string, [number, number]> = { ChatAnthropic: [1, 5], ChatOpenAI: [0.15, 0.6] };
      for (const [, name, , usageJson, costJson] of blocks) {
        const usage = JSON.parse(usageJson!);
        const cost = JSON.parse(costJson!);
        const [pin, pout] = prices[name!]!;
        expect(usdPico(cost.input), name).toBe(pico(usage.input, pin));
        expect(usdPico(cost.output), name).toBe(pico(usage.output, pout));
        expect(usdPico(cost.total), name).toBe(pico(usage.input, pin) + pico(usage.output, pout));
      }
    },
  },

  'langchain-langfuse-legacy': {
    title: 'our cost rides on the legacy generation, one id',
    check(r) {
      expect(r.stdout).toContain('1 generation id(s)');
      const usage = JSON.parse(/usageDetails=(.*)/.exec(r.stdout)![1]!);
      const cost = JSON.parse(/costDetails=(.*)/.exec(r.stdout)![1]!);
      expect(usdPico(cost.total)).toBe(pico(usage.input, 0.15) + pico(usage.output, 0.6));
    },
  },

  'otel-nodesdk-langfuse': {
    title: 'a Langfuse generation and a Bedrock GenAI span, both priced',
    check(r) {
      // gpt-4o: 2400 uncached × $2.50 + 1024 cached × $1.25 + 350 × $10.
      const draft = /langfuse-sdk \/ draft: .* (\{.*\})/.exec(r.stdout);
      expect(usdPico(JSON.parse(draft![1]!).total)).toBe(pico(2400, 2.5) + pico(1024, 1.25) + pico(350, 10));
      // Claude 3.7 Sonnet on Bedrock, input 5000 including 4000 cache reads: 1000 × $3 + 4000 × $0.30 + 420 × $15.
      const bedrock = /my-bedrock-client \/ chat .*: .* (\{.*\})/.exec(r.stdout);
      expect(usdPico(JSON.parse(bedrock![1]!).total)).toBe(pico(1000, 3) + pico(4000, 0.3) + pico(420, 15));
    },
  },

  'vercel-ai-sdk': {
    title: 'only the two doGenerate steps are priced',
    check(r) {
      // gpt-4.1-mini: $0.40 in, $0.10 cached in, $1.60 out.
      const step1 = pico(1000, 0.4) + pico(200, 0.1) + pico(40, 1.6);
      const step2 = pico(1300, 0.4) + pico(25, 1.6);
      expect(r.stdout.match(/ai\.generateText\.doGenerate: \$/g)).toHaveLength(2);
      expect(r.stdout).toContain('ai.generateText: not priced');
      const total = /Total: .* for 2 model calls \(([\d.]+) USD\)/.exec(r.stdout);
      expect(usdPico(Number(total![1]))).toBe(step1 + step2);
    },
  },

  'azure-price-file': {
    title: 'deployment names priced with the file, the rest with bundled prices',
    check(r) {
      const row = (name: string) =>
        new RegExp(
          `^${name}\\s+→ (\\S+)\\s+\\$([\\d.]+)\\s+source=(\\w+) layer=(\\w+) tier=(\\S+)`,
          'm',
        ).exec(r.stdout);
      // prices.yaml: gpt-4o $2.25 / $1.125 cached / $9; batch × 0.5.
      const east = row('prod-gpt4o-eastus')!;
      expect(east[1]).toBe('azure/gpt-4o-2024-08-06');
      expect(usdPico(Number(east[2]))).toBe(pico(1200, 2.25) + pico(800, 1.125) + pico(300, 9));
      expect([east[3], east[4]]).toEqual(['override', 'user']);
      const west = row('prod-gpt4o-westeurope')!;
      expect(west[5]).toBe('batch');
      expect(Number(west[2])).toBeCloseTo(((50_000 * 2.25 + 2_000 * 9) / 1e6) * 0.5, 4);
      expect(row('chat-small')![1]).toBe('azure/gpt-4o-mini-2024-07-18');
      expect(row('embeddings')![1]).toBe('azure/text-embedding-3-large');
      expect(row('gpt-4.1-mini')![4]).toBe('bundled');
      expect(r.stdout).toContain('✔ deployment map: prod-gpt4o-eastus → gpt-4o-2024-08-06');
    },
  },

  'dashboards-clickhouse': {
    title: 'without CLICKHOUSE_URL it says what it needs and exits 0',
    check(r) {
      expect(r.stdout).toContain('CLICKHOUSE_URL');
      expect(r.stdout).toContain('LANGFUSE_PROJECT_ID');
    },
  },
};
