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
 * Google Generative Language wire format:
 * `POST /{v1beta|v1}/models/{model}:generateContent` (JSON) and `:streamGenerateContent?alt=sse` (SSE).
 * `reply.usage` is the raw `usageMetadata`: `promptTokenCount` (includes cached content),
 * `cachedContentTokenCount`, `candidatesTokenCount` (excludes thinking), `thoughtsTokenCount`,
 * `totalTokenCount` (includes thinking).
 * When streaming, every chunk carries cumulative `usageMetadata` as the real API does: the prompt,
 * cache and thinking counts in full, `candidatesTokenCount` growing to its final value.
 */

/** Default usageMetadata. */
export const GOOGLE_DEFAULT_USAGE = { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 };

function candidate(text: string, finished: boolean) {
  return {
    content: { parts: [{ text }], role: 'model' },
    ...(finished ? { finishReason: 'STOP' } : {}),
    index: 0,
  };
}

function generate(ctx: RouteContext, stream: boolean): void {
  const { reply, res, params } = ctx;
  const model = reply.model ?? params[1] ?? 'gemini-2.5-flash';
  const text = reply.text ?? DEFAULT_TEXT;
  const usage = (reply.usage ?? GOOGLE_DEFAULT_USAGE) as Record<string, number>;
  if (!stream) {
    sendJson(res, 200, {
      candidates: [candidate(text, true)],
      usageMetadata: usage,
      modelVersion: model,
      responseId: 'resp_loopback',
      ...reply.extra,
    });
    return;
  }
  startSse(res);
  const pieces = splitText(text, reply.chunks ?? 3);
  const finalCandidates = usage.candidatesTokenCount ?? 0;
  const thoughts = usage.thoughtsTokenCount ?? 0;
  const prompt = usage.promptTokenCount ?? 0;
  pieces.forEach((piece, i) => {
    const last = i === pieces.length - 1;
    const candidates = last ? finalCandidates : Math.floor((finalCandidates * (i + 1)) / pieces.length);
    const chunkUsage: Record<string, number> = { ...usage, candidatesTokenCount: candidates };
    chunkUsage.totalTokenCount = last ? (usage.totalTokenCount ?? 0) : prompt + thoughts + candidates;
    writeSse(res, {
      candidates: [candidate(piece, last)],
      usageMetadata: chunkUsage,
      modelVersion: model,
      responseId: 'resp_loopback',
      ...reply.extra,
    });
  });
  res.end();
}

/** Google Generative Language routes. */
export const googleRoutes: Route[] = [
  {
    provider: 'google',
    method: 'POST',
    path: /^\/(v1beta|v1)\/models\/([^:/]+):generateContent$/,
    handle: (ctx) => generate(ctx, false),
  },
  {
    provider: 'google',
    method: 'POST',
    path: /^\/(v1beta|v1)\/models\/([^:/]+):streamGenerateContent$/,
    handle: (ctx) => generate(ctx, true),
  },
];
