/**
 * Test helper for the client tests: a real batchmode server in this process, a flaky proxy in
 * front of it (test/support/flaky-proxy.ts), a client that goes through the proxy (short
 * back-off, retry notices collected) and one that talks to the server directly (to set up and
 * to check what the server holds, whatever the proxy does).
 */
import { startInProcessServer } from '../../../test/support/in-process-server.js';
import { startFlakyProxy, type FlakyProxy } from '../../../test/support/flaky-proxy.js';
import { createApiClient, type ApiClient, type ApiClientOptions, type RetryNotice } from '../api-client.js';

export const TEST_KEY = 'client-test-key';

export interface ProxiedServer {
  serverUrl: string;
  dataDir: string;
  proxy: FlakyProxy;
  /** Through the proxy; first pause 20 ms (doubling to 200 ms). */
  client: ApiClient;
  /** Straight to the server, no retries. */
  direct: ApiClient;
  /** The notices `client` gave, in order. */
  notices: RetryNotice[];
  /** Another client through the proxy, with these options (notices go to `notices`). */
  clientWith(options: Partial<ApiClientOptions>): ApiClient;
  /** Clears the proxy's rules and counts and the notices (between tests). */
  reset(): void;
  close(): Promise<void>;
}

export async function startProxiedServer(flags: Parameters<typeof startInProcessServer>[0] = {}): Promise<ProxiedServer> {
  const server = await startInProcessServer({ apiKeys: TEST_KEY, ...flags });
  const proxy = await startFlakyProxy(server.url);
  const notices: RetryNotice[] = [];
  const clientWith = (options: Partial<ApiClientOptions>): ApiClient => createApiClient({
    baseUrl: proxy.url, apiKey: TEST_KEY, initialRetryDelayMs: 20, maxRetryDelayMs: 200, onRetry: (notice) => notices.push(notice), ...options,
  });
  return {
    serverUrl: server.url,
    dataDir: server.dataDir,
    proxy,
    client: clientWith({}),
    direct: createApiClient({ baseUrl: server.url, apiKey: TEST_KEY, retryForMs: 0 }),
    notices,
    clientWith,
    reset() {
      proxy.reset();
      notices.length = 0;
    },
    async close() {
      await proxy.close();
      await server.close();
    },
  };
}
