import { anthropicRoutes } from './anthropic.js';
import { bedrockRoutes } from './bedrock.js';
import { googleRoutes } from './google.js';
import { groqRoutes } from './groq.js';
import { mistralRoutes } from './mistral.js';
import { ollamaRoutes } from './ollama.js';
import { openaiRoutes } from './openai.js';
import { type ProviderServer, startRouteServer } from './server.js';

/**
 * Loopback LLM provider servers for tests and demos. One HTTP server on 127.0.0.1 answers in each
 * provider's documented wire format, with per-request usage and model set by the caller:
 *
 * ```ts
 * const server = await startProviderServer();
 * server.enqueue('openai', { model: 'gpt-4o-2024-08-06', usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500 } });
 * const llm = new ChatOpenAI({ model: 'gpt-4o', apiKey: 'test', maxRetries: 0, configuration: { baseURL: `${server.url}/v1` } });
 * ```
 *
 * Client base URLs: OpenAI `${url}/v1`; Anthropic `${url}`; Google `${url}` (baseUrl);
 * Bedrock a `BedrockRuntimeClient` with `endpoint: url`; Mistral `serverURL: url`;
 * Groq `baseUrl: url`; Ollama `baseUrl: url`.
 */
export async function startProviderServer(): Promise<ProviderServer> {
  // Mistral first: it shares /v1/chat/completions with OpenAI and is told apart by user-agent.
  return startRouteServer([
    ...mistralRoutes,
    ...openaiRoutes,
    ...anthropicRoutes,
    ...googleRoutes,
    ...bedrockRoutes,
    ...groqRoutes,
    ...ollamaRoutes,
  ]);
}

export { encodeEventStreamMessage } from './bedrock.js';
export type { ProviderName, ProviderReply, ProviderServer, ReceivedRequest } from './server.js';
export { useProviderServer } from './use-server.js';
