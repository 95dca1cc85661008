import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { DEFAULT_TEXT, sendJson, splitText } from './server.js';

/**
 * Vertex AI Gemini wire format over HTTPS on 127.0.0.1 (`@langchain/google-common` builds
 * `https://{endpoint}/{v1|v1beta1}/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent`
 * and `:streamGenerateContent`; without `alt=sse` the stream is one JSON array written element by
 * element, as Vertex sends it). The certificate is a test-only self-signed one for 127.0.0.1
 * (tests/fixtures/tls); clients reach it with TLS verification off for the test process.
 * `usage` is the raw `usageMetadata`, as in ./google.ts.
 */

/** What the Vertex loopback answers. */
export interface VertexReply {
  /** Served model (`modelVersion`). */
  model?: string;
  /** Raw `usageMetadata`. */
  usage?: Record<string, number>;
  /** Completion text. */
  text?: string;
}

/** One request the server received. */
export interface VertexRequest {
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** A running Vertex loopback server. */
export interface VertexServer {
  /** `127.0.0.1:PORT`, the `endpoint` option of the Vertex clients. */
  endpoint: string;
  requests: VertexRequest[];
  /** The reply to every request until changed. */
  setDefault(reply: VertexReply): void;
  close(): Promise<void>;
}

const PATH =
  /^\/(v1|v1beta1)\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^:/]+):(generateContent|streamGenerateContent)$/;

function chunk(text: string, last: boolean, usage: Record<string, number>, model: string) {
  return {
    candidates: [
      { content: { parts: [{ text }], role: 'model' }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 },
    ],
    usageMetadata: usage,
    modelVersion: model,
    responseId: 'resp_vertex_loopback',
  };
}

/** Start the server (HTTPS, random port). */
export async function startVertexServer(): Promise<VertexServer> {
  const tls = new URL('../../fixtures/tls/', import.meta.url);
  let reply: VertexReply = {};
  const requests: VertexRequest[] = [];
  const server = https.createServer(
    {
      key: readFileSync(new URL('loopback-key.pem', tls)),
      cert: readFileSync(new URL('loopback-cert.pem', tls)),
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'https://127.0.0.1');
        const m = PATH.exec(url.pathname);
        if (req.method !== 'POST' || !m) {
          sendJson(res, 404, { error: { code: 404, message: `no Vertex route for ${url.pathname}` } });
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        requests.push({ path: url.pathname, authorization: req.headers.authorization, body });
        const model = reply.model ?? m[4]!;
        const usage = reply.usage ?? { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 };
        const text = reply.text ?? DEFAULT_TEXT;
        if (m[5] === 'generateContent') {
          sendJson(res, 200, chunk(text, true, usage, model));
          return;
        }
        // Every chunk carries the cumulative usage, as Vertex sends it.
        res.writeHead(200, { 'content-type': 'application/json' });
        const pieces = splitText(text, 3);
        res.write('[');
        pieces.forEach((piece, i) => {
          const last = i === pieces.length - 1;
          res.write(`${i > 0 ? ',\r\n' : ''}${JSON.stringify(chunk(piece, last, usage, model))}`);
        });
        res.end(']');
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `127.0.0.1:${port}`,
    requests,
    setDefault(r) {
      reply = r;
    },
    close() {
      server.closeAllConnections?.();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
