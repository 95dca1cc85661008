import { chatCompletion } from './openai.js';
import type { Route } from './server.js';

/**
 * Mistral chat completions (`POST /v1/chat/completions`, JSON or SSE ending in `[DONE]`, usage on the
 * final chunk). The Mistral SDK resolves the path against the server root, so it shares the path with
 * OpenAI; requests are told apart by the SDK's `user-agent` (`mistral-client-typescript` / speakeasy).
 * `reply.usage` is the raw snake_case usage: `prompt_tokens`, `completion_tokens`, `total_tokens`.
 */

/** True when a request comes from the Mistral TypeScript SDK. */
export function isMistralRequest(userAgent: string | undefined): boolean {
  return /mistral|speakeasy/i.test(userAgent ?? '');
}

/** Mistral routes. */
export const mistralRoutes: Route[] = [
  {
    provider: 'mistral',
    method: 'POST',
    path: /^\/v1\/chat\/completions$/,
    accepts: (req) => isMistralRequest(req.headers['user-agent']),
    // Mistral always sends usage on the final stream chunk (no stream_options).
    handle: (ctx) => chatCompletion(ctx, { usageKey: 'last-chunk' }),
  },
];
