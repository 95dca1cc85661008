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
 * OpenAI wire formats: Chat Completions (`POST /v1/chat/completions`, JSON or SSE with
 * `stream_options.include_usage`) and the Responses API (`POST /v1/responses`, JSON or SSE events).
 * `reply.usage` is the raw `usage` object (Chat Completions: prompt_tokens, completion_tokens,
 * prompt_tokens_details.cached_tokens, completion_tokens_details.reasoning_tokens, …;
 * Responses: input_tokens, input_tokens_details.cached_tokens, output_tokens, output_tokens_details.reasoning_tokens).
 */

const CREATED = 1_700_000_000;

/** Default Chat Completions usage. */
export const OPENAI_DEFAULT_USAGE = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

/** Default Responses API usage. */
export const RESPONSES_DEFAULT_USAGE = {
  input_tokens: 10,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 5,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 15,
};

/** Chat Completions route body, shared with OpenAI-compatible providers (Groq, Mistral). */
export function chatCompletion(
  ctx: RouteContext,
  opts: { usageKey?: 'usage' | 'x_groq' | 'last-chunk' } = {},
): void {
  const { body, reply, res } = ctx;
  const model = reply.model ?? body?.model ?? 'gpt-4o-mini';
  const text = reply.text ?? DEFAULT_TEXT;
  const usage = reply.usage ?? OPENAI_DEFAULT_USAGE;
  const n = typeof body?.n === 'number' ? body.n : 1;
  const id = `chatcmpl-${Math.random().toString(36).slice(2, 10)}`;
  if (!body?.stream) {
    const choices = Array.from({ length: n }, (_, index) => ({
      index,
      message: { role: 'assistant', content: n > 1 ? `${text} #${index}` : text, refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    }));
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created: CREATED,
      model,
      choices,
      usage,
      system_fingerprint: 'fp_loopback',
      ...reply.extra,
    });
    return;
  }
  startSse(res);
  const base = {
    id,
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    system_fingerprint: 'fp_loopback',
  };
  const pieces = splitText(text, reply.chunks ?? 3);
  for (let index = 0; index < n; index++) {
    pieces.forEach((piece, i) => {
      const delta = i === 0 ? { role: 'assistant', content: piece } : { content: piece };
      writeSse(res, { ...base, choices: [{ index, delta, logprobs: null, finish_reason: null }] });
    });
  }
  for (let index = 0; index < n; index++) {
    const last: Record<string, unknown> = {
      ...base,
      ...reply.extra,
      choices: [{ index, delta: {}, logprobs: null, finish_reason: 'stop' }],
    };
    // Groq reports stream usage on the last content chunk under x_groq.usage.
    if (opts.usageKey === 'x_groq' && index === n - 1) last.x_groq = { id: 'req_loopback', usage };
    // Mistral reports stream usage on the final choice chunk itself.
    if (opts.usageKey === 'last-chunk' && index === n - 1) last.usage = usage;
    writeSse(res, last);
  }
  if (opts.usageKey === undefined && body?.stream_options?.include_usage === true) {
    writeSse(res, { ...base, ...reply.extra, choices: [], usage });
  }
  writeSse(res, '[DONE]');
  res.end();
}

function responseObject(
  model: string,
  text: string,
  usage: unknown,
  extra: Record<string, unknown> | undefined,
) {
  return {
    id: 'resp_loopback',
    object: 'response',
    created_at: CREATED,
    status: 'completed',
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    output: [
      {
        type: 'message',
        id: 'msg_loopback',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [] }],
      },
    ],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
    ...extra,
  };
}

function responses(ctx: RouteContext): void {
  const { body, reply, res } = ctx;
  const model = reply.model ?? body?.model ?? 'gpt-4o-mini';
  const text = reply.text ?? DEFAULT_TEXT;
  const usage = reply.usage ?? RESPONSES_DEFAULT_USAGE;
  const full = responseObject(model, text, usage, reply.extra);
  if (!body?.stream) {
    sendJson(res, 200, full);
    return;
  }
  startSse(res);
  let seq = 0;
  const emit = (type: string, data: Record<string, unknown>) =>
    writeSse(res, { type, sequence_number: seq++, ...data }, type);
  const inProgress = { ...full, status: 'in_progress', output: [], usage: null };
  emit('response.created', { response: inProgress });
  emit('response.in_progress', { response: inProgress });
  const item = { type: 'message', id: 'msg_loopback', status: 'in_progress', role: 'assistant', content: [] };
  emit('response.output_item.added', { output_index: 0, item });
  emit('response.content_part.added', {
    item_id: 'msg_loopback',
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', text: '', annotations: [] },
  });
  for (const delta of splitText(text, reply.chunks ?? 3)) {
    emit('response.output_text.delta', { item_id: 'msg_loopback', output_index: 0, content_index: 0, delta });
  }
  emit('response.output_text.done', { item_id: 'msg_loopback', output_index: 0, content_index: 0, text });
  emit('response.content_part.done', {
    item_id: 'msg_loopback',
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', text, annotations: [] },
  });
  emit('response.output_item.done', { output_index: 0, item: full.output[0] });
  emit('response.completed', { response: full });
  res.end();
}

/**
 * Image generation (`POST /v1/images/generations`): one image URL per requested image. The API
 * reports no usage for DALL·E; the request's model, size, quality and n are what is billed.
 */
function imageGeneration(ctx: RouteContext): void {
  const n = typeof ctx.body?.n === 'number' ? ctx.body.n : 1;
  sendJson(ctx.res, 200, {
    created: 1_700_000_000,
    data: Array.from({ length: n }, (_, i) => ({
      url: `${ctx.url.origin}/image-${i}.png`,
      revised_prompt: 'a cat',
    })),
  });
}

/** A text field of a `multipart/form-data` body (the raw body as text), or undefined. */
function formField(raw: unknown, name: string): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const m = new RegExp(`name="${name}"\\r\\n\\r\\n([^\\r]*)\\r\\n`).exec(raw);
  return m?.[1];
}

/** Audio seconds the transcription route reports when the reply names none (`extra.duration`). */
const DEFAULT_AUDIO_SECONDS = 61.4;

/**
 * Transcription (`POST /v1/audio/transcriptions`, multipart: `file`, `model`, `response_format`):
 * `json` is `{ text }` only; `verbose_json` adds the task, language, segments and the audio's
 * `duration` in seconds, which is what `whisper-1` is billed by.
 */
function transcription(ctx: RouteContext): void {
  const raw = ctx.body;
  const model = formField(raw, 'model');
  const hasFile = typeof raw === 'string' && /name="file"; filename="[^"]+"/.test(raw);
  if (!model || !hasFile) {
    sendJson(ctx.res, 400, { error: { message: 'expected multipart fields model and file' } });
    return;
  }
  const text = ctx.reply.text ?? 'Hello from the loopback provider!';
  const format = formField(raw, 'response_format') ?? 'json';
  if (format !== 'verbose_json') {
    sendJson(ctx.res, 200, { text });
    return;
  }
  const duration = (ctx.reply.extra?.duration as number | undefined) ?? DEFAULT_AUDIO_SECONDS;
  sendJson(ctx.res, 200, {
    task: 'transcribe',
    language: 'english',
    duration,
    text,
    segments: [{ id: 0, seek: 0, start: 0, end: duration, text, tokens: [50364], temperature: 0 }],
  });
}

/** OpenAI routes (Chat Completions, Responses, image generation and transcription). */
export const openaiRoutes: Route[] = [
  { provider: 'openai', method: 'POST', path: /^\/v1\/images\/generations$/, handle: imageGeneration },
  { provider: 'openai', method: 'POST', path: /^\/v1\/audio\/transcriptions$/, handle: transcription },
  {
    provider: 'openai',
    method: 'POST',
    path: /^\/v1\/chat\/completions$/,
    handle: (ctx) => chatCompletion(ctx),
  },
  { provider: 'openai', method: 'POST', path: /^\/v1\/responses$/, handle: responses },
];
