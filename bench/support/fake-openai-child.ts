/**
 * A zero-latency fake OpenAI-compatible server for the benchmarks, run as a process of its own
 * (bench/support/child-server.ts): every request is answered at once with the same recorded vLLM
 * chat completion (`fixedReply`: no parsing, no recording). Prints `{"baseUrl": …}` once listening.
 *
 *   node --import tsx bench/support/fake-openai-child.ts
 */
import { startFakeOpenAIServer } from '../../src/backends/openai/testing/fake-openai-server.js';
import { loadFixture } from '../../src/backends/openai/testing/load-fixture.js';

const server = await startFakeOpenAIServer({ shouldRecord: false, shouldValidate: false, fixedReply: JSON.stringify(loadFixture('chat-completion-vllm')) });
process.stdout.write(`${JSON.stringify({ baseUrl: server.baseUrl })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
