import { chatCompletion } from './openai.js';
import type { Route } from './server.js';

/**
 * Groq chat completions (`POST /openai/v1/chat/completions`). Non-streaming responses carry `usage`;
 * streams carry the usage in `x_groq.usage` on the last chunk, as Groq does.
 * `reply.usage` is the raw usage: `prompt_tokens`, `completion_tokens`, `total_tokens`, timing fields.
 */
export const groqRoutes: Route[] = [
  {
    provider: 'groq',
    method: 'POST',
    path: /^\/openai\/v1\/chat\/completions$/,
    handle: (ctx) => chatCompletion(ctx, { usageKey: 'x_groq' }),
  },
];
