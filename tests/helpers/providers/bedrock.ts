import { crc32 } from 'node:zlib';
import { DEFAULT_TEXT, type Route, type RouteContext, sendJson, splitText } from './server.js';

/**
 * AWS Bedrock Runtime Converse wire format: `POST /model/{modelId}/converse` (JSON) and
 * `POST /model/{modelId}/converse-stream` (binary `application/vnd.amazon.eventstream`).
 * `reply.usage` is the raw Converse usage: `inputTokens` (uncached only), `outputTokens`,
 * `totalTokens`, `cacheReadInputTokens`, `cacheWriteInputTokens`.
 * Converse responses carry no model name; `reply.model` is ignored.
 */

/** Default Converse usage. */
export const BEDROCK_DEFAULT_USAGE = { inputTokens: 10, outputTokens: 5, totalTokens: 15 };

function header(name: string, value: string): Buffer {
  const n = Buffer.from(name, 'utf8');
  const v = Buffer.from(value, 'utf8');
  const out = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
  out.writeUInt8(n.length, 0);
  n.copy(out, 1);
  out.writeUInt8(7, 1 + n.length); // 7 = string
  out.writeUInt16BE(v.length, 2 + n.length);
  v.copy(out, 4 + n.length);
  return out;
}

/**
 * Encode one AWS event-stream message: prelude (total length, headers length, prelude CRC32),
 * headers, payload, message CRC32.
 */
export function encodeEventStreamMessage(eventType: string, payload: unknown): Buffer {
  const headers = Buffer.concat([
    header(':event-type', eventType),
    header(':content-type', 'application/json'),
    header(':message-type', 'event'),
  ]);
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const total = 12 + headers.length + body.length + 4;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headers.length, 4);
  const preludeCrc = Buffer.alloc(4);
  preludeCrc.writeUInt32BE(crc32(prelude), 0);
  const head = Buffer.concat([prelude, preludeCrc, headers, body]);
  const messageCrc = Buffer.alloc(4);
  messageCrc.writeUInt32BE(crc32(head), 0);
  return Buffer.concat([head, messageCrc]);
}

function converse(ctx: RouteContext): void {
  const { reply, res } = ctx;
  sendJson(res, 200, {
    output: { message: { role: 'assistant', content: [{ text: reply.text ?? DEFAULT_TEXT }] } },
    stopReason: 'end_turn',
    usage: reply.usage ?? BEDROCK_DEFAULT_USAGE,
    metrics: { latencyMs: 42 },
    ...reply.extra,
  });
}

function converseStream(ctx: RouteContext): void {
  const { reply, res } = ctx;
  res.writeHead(200, {
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': 'req-loopback',
  });
  const send = (type: string, payload: unknown) => res.write(encodeEventStreamMessage(type, payload));
  send('messageStart', { role: 'assistant' });
  for (const text of splitText(reply.text ?? DEFAULT_TEXT, reply.chunks ?? 3)) {
    send('contentBlockDelta', { contentBlockIndex: 0, delta: { text } });
  }
  send('contentBlockStop', { contentBlockIndex: 0 });
  send('messageStop', { stopReason: 'end_turn' });
  send('metadata', { usage: reply.usage ?? BEDROCK_DEFAULT_USAGE, metrics: { latencyMs: 42 } });
  res.end();
}

/** Bedrock Converse routes. */
export const bedrockRoutes: Route[] = [
  { provider: 'bedrock', method: 'POST', path: /^\/model\/([^/]+)\/converse$/, handle: converse },
  {
    provider: 'bedrock',
    method: 'POST',
    path: /^\/model\/([^/]+)\/converse-stream$/,
    handle: converseStream,
  },
];
