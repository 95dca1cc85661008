import { DEFAULT_TEXT, type Route, type RouteContext, sendJson, splitText } from './server.js';

/**
 * Ollama chat (`POST /api/chat`): newline-delimited JSON when `stream` is true (the LangChain client
 * always streams), one JSON object otherwise. Usage comes on the final `done: true` object as
 * `prompt_eval_count` and `eval_count`; `reply.usage` sets those two fields.
 */

/** Default Ollama counts. */
export const OLLAMA_DEFAULT_USAGE = { prompt_eval_count: 10, eval_count: 5 };

function chat(ctx: RouteContext): void {
  const { body, reply, res } = ctx;
  const model = reply.model ?? body?.model ?? 'llama3.2';
  const text = reply.text ?? DEFAULT_TEXT;
  const createdAt = '2026-01-01T00:00:00.000Z';
  const final = {
    model,
    created_at: createdAt,
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: 'stop',
    total_duration: 1_000_000,
    load_duration: 10_000,
    prompt_eval_duration: 100_000,
    eval_duration: 800_000,
    ...(reply.usage ?? OLLAMA_DEFAULT_USAGE),
    ...reply.extra,
  };
  if (body?.stream === false) {
    sendJson(res, 200, { ...final, message: { role: 'assistant', content: text } });
    return;
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const piece of splitText(text, reply.chunks ?? 3)) {
    res.write(
      `${JSON.stringify({ model, created_at: createdAt, message: { role: 'assistant', content: piece }, done: false })}\n`,
    );
  }
  res.write(`${JSON.stringify(final)}\n`);
  res.end();
}

/** Ollama routes. */
export const ollamaRoutes: Route[] = [
  { provider: 'ollama', method: 'POST', path: /^\/api\/chat$/, handle: chat },
];
