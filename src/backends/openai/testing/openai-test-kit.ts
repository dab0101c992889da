/**
 * Test kit of the OpenAI backend's tests: a fake OpenAI-compatible server started before a file's
 * tests (its log and handler reset before each) and closed after them, with the backends made
 * against it.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import type { CallOptions } from '../../backend.js';
import { createOpenAIBackend, type OpenAIBackend, type OpenAIBackendOptions } from '../openai-backend.js';
import { defaultReply, startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';

/** The options of one call. */
export const call = (signal: AbortSignal = new AbortController().signal): CallOptions => ({ model: 'gemini-2.5-flash', signal });

export interface FakeOpenAIKit {
  /** The fake server (available once the file's `before` hook ran). */
  readonly server: FakeOpenAIServer;
  /** A backend against the fake, closed after the file's tests. */
  readonly backendFor: (options?: Partial<OpenAIBackendOptions>) => OpenAIBackend;
  /** The only request the server saw (and that it found valid). */
  readonly onlyRequest: () => Record<string, unknown>;
}

/** Registers the hooks that start, reset and stop the fake; call once at the top of a test file. */
export function useFakeOpenAI(): FakeOpenAIKit {
  let server: FakeOpenAIServer | undefined;
  const backends: OpenAIBackend[] = [];
  const started = (): FakeOpenAIServer => {
    if (server === undefined) throw new Error('the fake OpenAI server is not started yet');
    return server;
  };
  before(async () => {
    server = await startFakeOpenAIServer();
  });
  beforeEach(() => {
    started().requests.length = 0;
    started().setHandler(defaultReply);
  });
  after(async () => {
    await Promise.all(backends.map((backend) => backend.close()));
    await server?.close();
  });
  return {
    get server() {
      return started();
    },
    backendFor: (options = {}) => {
      const backend = createOpenAIBackend({ baseUrl: started().baseUrl, ...options });
      backends.push(backend);
      return backend;
    },
    onlyRequest: () => {
      const { requests } = started();
      assert.equal(requests.length, 1);
      const [request] = requests;
      assert.deepEqual(request!.problems, []);
      return request!.body as Record<string, unknown>;
    },
  };
}
