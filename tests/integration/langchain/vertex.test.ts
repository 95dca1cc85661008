import { ChatVertexAI } from '@langchain/google-vertexai';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CostCallbackHandler } from '../../../src/langchain/index.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { startVertexServer, type VertexServer } from '../../helpers/providers/vertex.js';

// Issue 15, part 6: the real ChatVertexAI (`@langchain/google-vertexai`, google-auth-library) against a
// loopback server speaking Vertex's generateContent / streamGenerateContent over HTTPS, priced with the
// bundled catalog. Auth is an OAuth2 client holding a fake, unexpired access token, so no token
// exchange leaves the machine; the project id is given, so none is looked up.

/** Gemini 2.5 Flash, USD per 1M tokens (cloud.google.com/vertex-ai/generative-ai/pricing): text input, cached input, output incl. thinking. */
const FLASH = { input: 0.3, cacheRead: 0.03, output: 2.5 } as const;
const p = (tokens: number, perMillion: number) => Math.round(tokens * perMillion * 1e6);

// promptTokenCount includes the 1,000 cached tokens; thinking (500) is outside candidatesTokenCount.
const USAGE = {
  promptTokenCount: 1200,
  cachedContentTokenCount: 1000,
  candidatesTokenCount: 300,
  thoughtsTokenCount: 500,
  totalTokenCount: 2000,
};
/** 200 × $0.30 + 1,000 × $0.03 + (300 + 500) × $2.50 per 1M = $0.00209. */
const WANT_PICO = p(200, FLASH.input) + p(1000, FLASH.cacheRead) + p(800, FLASH.output);

let server: VertexServer;
const tlsBefore = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

beforeAll(async () => {
  server = await startVertexServer();
  // The loopback certificate is self-signed; google-auth-library's fetch takes no CA option.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
});

afterAll(async () => {
  if (tlsBefore === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = tlsBefore;
  await server.close();
});

function vertex() {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 'loopback-token', expiry_date: Date.now() + 3_600_000 });
  return new ChatVertexAI({
    model: 'gemini-2.5-flash',
    endpoint: server.endpoint,
    location: 'us-central1',
    maxRetries: 0,
    authOptions: { authClient, projectId: 'loopback-project' },
  });
}

describe('CostCallbackHandler with the real ChatVertexAI', () => {
  it('prices cached input and thinking, invoke and stream alike (want $0.00209)', async () => {
    expect(WANT_PICO).toBe(2_090_000_000);
    server.setDefault({ model: 'gemini-2.5-flash', usage: USAGE });
    const tracker = new CostTracker({ sinks: [] });
    const handler = new CostCallbackHandler({ tracker });
    const msg = await vertex().invoke('hi', { callbacks: [handler] });
    expect(String(msg.content)).toContain('Hello');
    let text = '';
    for await (const chunk of await vertex().stream('hi', { callbacks: [handler] }))
      text += String(chunk.content);
    expect(text).toContain('Hello');
    expect(server.requests.map((r) => r.path)).toEqual([
      '/v1/projects/loopback-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent',
      '/v1/projects/loopback-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent',
    ]);
    expect(server.requests.every((r) => r.authorization === 'Bearer loopback-token')).toBe(true);
    const recs = tracker.recent();
    expect(recs).toHaveLength(2);
    for (const r of recs) {
      expect(r.model).toBe('gemini-2.5-flash');
      expect(r.usage).toMatchObject({ input: 200, cacheRead: 1000, output: 300, reasoning: 500 });
      expect(r.totalPico).toBe(WANT_PICO);
      expect(r.estimated).toBe(false);
    }
    expect(handler.openRuns).toBe(0);
  });
});
