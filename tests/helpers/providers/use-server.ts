import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startProviderServer } from './index.js';
import type { ProviderServer } from './server.js';

/**
 * The provider server of one test file: started before its tests, reset before each test (queued
 * replies and recorded requests), closed after. The returned object stands for the server once it
 * has started (use it inside tests and hooks, not at module level).
 */
export function useProviderServer(): ProviderServer {
  let server: ProviderServer | undefined;
  beforeAll(async () => {
    server = await startProviderServer();
  });
  beforeEach(() => server?.reset());
  afterAll(async () => {
    await server?.close();
  });
  return new Proxy({} as ProviderServer, {
    get(_, key) {
      if (!server) throw new Error('the provider server is used before beforeAll started it');
      const v = Reflect.get(server, key, server);
      return typeof v === 'function' ? v.bind(server) : v;
    },
  });
}
