import { createHash } from 'node:crypto';
import { anthropicRoutes } from '../../tests/helpers/providers/anthropic.js';
import { openaiRoutes } from '../../tests/helpers/providers/openai.js';
import {
  type ProviderReply,
  type ProviderServer,
  type Route,
  startRouteServer,
} from '../../tests/helpers/providers/server.js';

/**
 * A loopback stand-in for the OpenAI and Anthropic APIs, so the demo runs offline. The real
 * `@langchain/openai` and `@langchain/anthropic` clients talk to it over HTTP and get answers in
 * each provider's wire format (the servers of tests/helpers/providers). Usage is derived from the
 * request the way the providers bill it, so it moves when the prompts change:
 *
 * - tokens ≈ characters / 4 (a rough tokenizer; real counts differ a little);
 * - Anthropic: the prefix up to the last `cache_control` block is written to the cache on first
 *   sight (`cache_creation_input_tokens`) and read from it afterwards (`cache_read_input_tokens`);
 *   `input_tokens` counts only the rest;
 * - OpenAI: prompts of 1024+ tokens get automatic prefix caching in 128-token steps
 *   (`prompt_tokens_details.cached_tokens`, included in `prompt_tokens`);
 * - reasoning models (o-series, gpt-5) spend hidden reasoning tokens, counted inside
 *   `completion_tokens` / `output_tokens` and reported in `reasoning_tokens`.
 */

/** Model names the simulated providers report back (the dated snapshot, as the real APIs do). */
export const SERVED_MODELS: Record<string, string> = {
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
  'o4-mini': 'o4-mini-2025-04-16',
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
};

/** Rough token count of a text (≈ 4 characters per token). */
export function roughTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Text of a chat message content (string or content parts). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (typeof p === 'string' ? p : typeof p?.text === 'string' ? p.text : ''))
      .join('');
  }
  return '';
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const isReasoningModel = (model: string) => /^(o\d|gpt-5)/.test(model);

/** What the assistant answers: picked from the system prompt's first line (the app's step). */
export type AnswerFn = (system: string, user: string) => string;

/** State shared by both providers: prompt prefixes seen before (what a provider cache holds). */
class PromptCache {
  private readonly seen = new Set<string>();
  /** True when this prefix was cached before; remembers it either way. */
  hit(prefix: string): boolean {
    const key = hash(prefix);
    if (this.seen.has(key)) return true;
    this.seen.add(key);
    return false;
  }
}

function openaiChatReply(body: any, cache: PromptCache, answer: AnswerFn): ProviderReply {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const texts = messages.map((m) => contentText(m.content));
  const system = messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => contentText(m.content));
  const user = messages.filter((m) => m.role === 'user').map((m) => contentText(m.content));
  // Chat formatting adds a few tokens per message.
  const prompt = texts.reduce((n, t) => n + roughTokens(t) + 4, 3);
  const firstTokens = texts[0] === undefined ? 0 : roughTokens(texts[0]) + 4;
  const cached =
    firstTokens >= 1024 && cache.hit(`openai:${texts[0]}`) ? Math.floor(firstTokens / 128) * 128 : 0;
  const model = String(body?.model ?? 'gpt-4o-mini');
  const text = answer(system.join('\n'), user.join('\n'));
  const visible = roughTokens(text);
  const reasoning = isReasoningModel(model) ? 64 * Math.ceil((visible * 5) / 64) : 0;
  return {
    model: SERVED_MODELS[model] ?? model,
    text,
    usage: {
      prompt_tokens: prompt,
      completion_tokens: visible + reasoning,
      total_tokens: prompt + visible + reasoning,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0 },
    },
  };
}

function openaiResponsesReply(body: any, cache: PromptCache, answer: AnswerFn): ProviderReply {
  const items: any[] = Array.isArray(body?.input)
    ? body.input
    : [{ role: 'user', content: String(body?.input ?? '') }];
  const instructions = typeof body?.instructions === 'string' ? body.instructions : '';
  const texts = [instructions, ...items.map((m) => contentText(m.content))].filter((t) => t.length > 0);
  const system = [
    instructions,
    ...items.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => contentText(m.content)),
  ]
    .filter((t) => t.length > 0)
    .join('\n');
  const user = items.filter((m) => m.role === 'user').map((m) => contentText(m.content));
  const prompt = texts.reduce((n, t) => n + roughTokens(t) + 4, 3);
  const firstTokens = texts[0] === undefined ? 0 : roughTokens(texts[0]) + 4;
  const cached =
    firstTokens >= 1024 && cache.hit(`openai:${texts[0]}`) ? Math.floor(firstTokens / 128) * 128 : 0;
  const model = String(body?.model ?? 'o4-mini');
  const text = answer(system, user.join('\n'));
  const visible = roughTokens(text);
  const reasoning = isReasoningModel(model) ? 64 * Math.ceil((visible * 5) / 64) : 0;
  return {
    model: SERVED_MODELS[model] ?? model,
    text,
    usage: {
      input_tokens: prompt,
      input_tokens_details: { cached_tokens: cached },
      output_tokens: visible + reasoning,
      output_tokens_details: { reasoning_tokens: reasoning },
      total_tokens: prompt + visible + reasoning,
    },
  };
}

function anthropicReply(body: any, cache: PromptCache, answer: AnswerFn): ProviderReply {
  const systemBlocks: any[] =
    typeof body?.system === 'string'
      ? [{ type: 'text', text: body.system }]
      : Array.isArray(body?.system)
        ? body.system
        : [];
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  // Blocks in billing order: system first, then each message's content blocks.
  const blocks: { text: string; cacheControl: boolean }[] = [
    ...systemBlocks.map((b) => ({ text: contentText([b]), cacheControl: b?.cache_control !== undefined })),
    ...messages.flatMap((m) =>
      typeof m.content === 'string'
        ? [{ text: m.content, cacheControl: false }]
        : (m.content as any[]).map((b) => ({
            text: contentText([b]),
            cacheControl: b?.cache_control !== undefined,
          })),
    ),
  ];
  let lastBreakpoint = -1;
  blocks.forEach((b, i) => {
    if (b.cacheControl) lastBreakpoint = i;
  });
  const prefix = blocks.slice(0, lastBreakpoint + 1).map((b) => b.text);
  const rest = blocks.slice(lastBreakpoint + 1).map((b) => b.text);
  const prefixTokens = prefix.reduce((n, t) => n + roughTokens(t), 0);
  const restTokens = rest.reduce((n, t) => n + roughTokens(t), 0) + 4 * messages.length;
  // Anthropic caches prompts of 1024+ tokens (Sonnet); shorter prefixes are billed as plain input.
  const cacheable = prefixTokens >= 1024;
  const hit = cacheable && cache.hit(`anthropic:${prefix.join('\u0000')}`);
  const model = String(body?.model ?? 'claude-sonnet-4-5');
  const system = systemBlocks.map((b) => contentText([b])).join('\n');
  const user = messages.filter((m) => m.role === 'user').map((m) => contentText(m.content));
  const text = answer(system, user.join('\n'));
  const write = cacheable && !hit ? prefixTokens : 0;
  return {
    model: SERVED_MODELS[model] ?? model,
    text,
    usage: {
      input_tokens: restTokens + (cacheable ? 0 : prefixTokens),
      cache_creation_input_tokens: write,
      cache_read_input_tokens: hit ? prefixTokens : 0,
      cache_creation: { ephemeral_5m_input_tokens: write, ephemeral_1h_input_tokens: 0 },
      output_tokens: roughTokens(text),
      service_tier: 'standard',
    },
  };
}

/** A running simulator. */
export interface SimulatedProviders {
  /** OpenAI base URL (`…/v1`) for `new ChatOpenAI({ configuration: { baseURL } })`. */
  openaiBaseUrl: string;
  /** Anthropic base URL for `new ChatAnthropic({ anthropicApiUrl })`. */
  anthropicBaseUrl: string;
  /** Requests answered so far. */
  requestCount(): number;
  /** Stop the server. */
  close(): Promise<void>;
}

/**
 * Start the loopback OpenAI + Anthropic server on 127.0.0.1 (random port). `answer` writes the
 * assistant's text for a request.
 */
export async function startSimulatedProviders(answer: AnswerFn): Promise<SimulatedProviders> {
  const cache = new PromptCache();
  const simulate = (route: Route): Route => ({
    ...route,
    handle(ctx) {
      const path = ctx.url.pathname;
      const reply =
        route.provider === 'anthropic'
          ? anthropicReply(ctx.body, cache, answer)
          : path.endsWith('/responses')
            ? openaiResponsesReply(ctx.body, cache, answer)
            : openaiChatReply(ctx.body, cache, answer);
      return route.handle({ ...ctx, reply });
    },
  });
  const server: ProviderServer = await startRouteServer([...openaiRoutes, ...anthropicRoutes].map(simulate));
  return {
    openaiBaseUrl: `${server.url}/v1`,
    anthropicBaseUrl: server.url,
    requestCount: () => server.requests.length,
    close: () => server.close(),
  };
}
