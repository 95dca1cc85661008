import {
  DEFAULT_TEXT,
  type Route,
  type RouteContext,
  sendJson,
  splitText,
  startSse,
  writeSse,
} from './server.js';

/**
 * Anthropic Messages wire format (`POST /v1/messages`, JSON or SSE events).
 * `reply.usage` is the raw usage: `input_tokens` (uncached only), `cache_creation_input_tokens`,
 * `cache_read_input_tokens`, `output_tokens`, optionally `cache_creation: { ephemeral_5m_input_tokens,
 * ephemeral_1h_input_tokens }` and `service_tier`.
 * When streaming, `message_start` carries the input side and `output_tokens: startOutputTokens`
 * (the real API sends a small number, usually 1); `message_delta` carries the cumulative output count.
 */

/** Default Anthropic usage. */
export const ANTHROPIC_DEFAULT_USAGE = {
  input_tokens: 10,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: 5,
};

/** Extra Anthropic reply options. */
export interface AnthropicReplyExtra {
  /** `usage.output_tokens` reported in the `message_start` event (default 1, as the real API). */
  startOutputTokens?: number;
}

function messages(ctx: RouteContext): void {
  const { body, reply, res } = ctx;
  const model = reply.model ?? body?.model ?? 'claude-sonnet-4-5';
  const text = reply.text ?? DEFAULT_TEXT;
  const usage = (reply.usage ?? ANTHROPIC_DEFAULT_USAGE) as Record<string, unknown>;
  const { startOutputTokens, ...extra } = (reply.extra ?? {}) as AnthropicReplyExtra &
    Record<string, unknown>;
  const id = 'msg_loopback';
  if (!body?.stream) {
    sendJson(res, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage,
      ...extra,
    });
    return;
  }
  startSse(res);
  const emit = (type: string, data: Record<string, unknown>) => writeSse(res, { type, ...data }, type);
  emit('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: startOutputTokens ?? 1 },
    },
  });
  emit('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  emit('ping', {});
  for (const piece of splitText(text, reply.chunks ?? 3)) {
    emit('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
  }
  emit('content_block_stop', { index: 0 });
  emit('message_delta', {
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  emit('message_stop', {});
  res.end();
}

/** Anthropic routes. */
export const anthropicRoutes: Route[] = [
  { provider: 'anthropic', method: 'POST', path: /^\/v1\/messages$/, handle: messages },
];
