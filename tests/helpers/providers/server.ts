import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the fake provider answers to one request. Every field is optional; each provider module
 * fills the rest with a plausible default.
 */
export interface ProviderReply {
  /** Completion text (default `Hello from the loopback provider!`). */
  text?: string;
  /** Model name the response reports (the "served" model). Defaults to the requested model. */
  model?: string;
  /** Provider-native usage object exactly as the provider's wire format spells it. */
  usage?: Record<string, unknown>;
  /** Answer with an HTTP error instead (status and JSON body). */
  error?: { status: number; body?: unknown };
  /** Number of text chunks when streaming (default 3). */
  chunks?: number;
  /** Extra top-level fields merged into the response body (e.g. `service_tier`). */
  extra?: Record<string, unknown>;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
  /** Called once the request has arrived, before answering (e.g. to move a fake clock). */
  beforeReply?: () => void;
}

/** One request the server received. */
export interface ReceivedRequest {
  provider: ProviderName;
  method: string;
  path: string;
  body: any;
  headers: http.IncomingHttpHeaders;
}

/** Providers the loopback server speaks. */
export type ProviderName = 'openai' | 'anthropic' | 'google' | 'bedrock' | 'mistral' | 'groq' | 'ollama';

/** What a route handler gets. */
export interface RouteContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  /** Parsed JSON body (or the raw string when it is not JSON). */
  body: any;
  /** Regex groups of the matched path. */
  params: string[];
  /** Full URL of the request. */
  url: URL;
  /** The reply to use for this request (queued one, else the provider default). */
  reply: ProviderReply;
}

/** A route: provider, method, path pattern, handler. */
export interface Route {
  provider: ProviderName;
  method: string;
  path: RegExp;
  /** Extra test on the request when several routes share a path. */
  accepts?(req: http.IncomingMessage): boolean;
  handle(ctx: RouteContext): void | Promise<void>;
}

/** Write a JSON response. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Start a Server-Sent-Events response. */
export function startSse(res: http.ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

/** Write one SSE frame (`event:` line only when an event name is given). */
export function writeSse(res: http.ServerResponse, data: unknown, event?: string): void {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  res.write(`${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`);
}

/** Split a text into `n` non-empty pieces (fewer when the text is shorter). */
export function splitText(text: string, n: number): string[] {
  const count = Math.max(1, Math.min(n, text.length));
  const size = Math.ceil(text.length / count);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

/** Default completion text. */
export const DEFAULT_TEXT = 'Hello from the loopback provider!';

/** A running loopback provider server. */
export interface ProviderServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  /** Every request received, in order. */
  requests: ReceivedRequest[];
  /** Queue a reply for the next request to `provider` (FIFO). */
  enqueue(provider: ProviderName, reply: ProviderReply): void;
  /** Set the reply used when the provider's queue is empty. */
  setDefault(provider: ProviderName, reply: ProviderReply): void;
  /** Requests received by one provider. */
  requestsFor(provider: ProviderName): ReceivedRequest[];
  /** Forget queued replies, defaults and the request log. */
  reset(): void;
  /** Stop the server. */
  close(): Promise<void>;
}

/** Start an HTTP server on 127.0.0.1 (random port) serving the given routes. */
export async function startRouteServer(routes: Route[]): Promise<ProviderServer> {
  const queues = new Map<ProviderName, ProviderReply[]>();
  const defaults = new Map<ProviderName, ProviderReply>();
  const requests: ReceivedRequest[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any = raw;
      try {
        body = raw.length > 0 ? JSON.parse(raw) : undefined;
      } catch {
        // Keep the raw text; some routes accept non-JSON bodies.
      }
      const route = routes.find(
        (r) => r.method === req.method && r.path.test(url.pathname) && (r.accepts?.(req) ?? true),
      );
      if (!route) {
        sendJson(res, 404, { error: { message: `no loopback route for ${req.method} ${url.pathname}` } });
        return;
      }
      const params = (route.path.exec(url.pathname) ?? []).slice(1).map((p) => decodeURIComponent(p));
      requests.push({
        provider: route.provider,
        method: req.method ?? '',
        path: url.pathname,
        body,
        headers: req.headers,
      });
      const reply = queues.get(route.provider)?.shift() ?? defaults.get(route.provider) ?? {};
      const run = async () => {
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        reply.beforeReply?.();
        if (reply.error) {
          sendJson(res, reply.error.status, reply.error.body ?? { error: { message: 'loopback error' } });
          return;
        }
        await route.handle({ req, res, body, params, url, reply });
      };
      run().catch((err) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: String(err) } });
        else res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue(provider, reply) {
      const q = queues.get(provider) ?? [];
      q.push(reply);
      queues.set(provider, q);
    },
    setDefault(provider, reply) {
      defaults.set(provider, reply);
    },
    requestsFor(provider) {
      return requests.filter((r) => r.provider === provider);
    },
    reset() {
      queues.clear();
      defaults.clear();
      requests.length = 0;
    },
    close() {
      server.closeAllConnections?.();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
