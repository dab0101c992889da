/**
 * A fake OpenAI-compatible chat server with a prefix cache, run as a process of its own (so it
 * does not share the batchmode server's or the bench's event loop): a call whose prefix (every
 * message but the last) was the prefix of one of the last K calls it received is a hit and is
 * answered after HIT_MS, any other call is a miss and takes MISS_MS, as a vLLM or SGLang server
 * answers faster when the prompt's prefix is still in its KV cache. `GET /stats` answers the
 * hit and miss counts. Prints `{"baseUrl": …}` as one line once listening; stops on SIGTERM.
 *
 *   node --import tsx bench/support/prefix-cache-server.ts [K=4] [HIT_MS=20] [MISS_MS=100]
 */
import { createHash } from 'node:crypto';
import { startFakeOpenAIServer, type RecordedRequest } from '../../src/backends/openai/testing/fake-openai-server.js';
import { loadFixture } from '../../src/backends/openai/testing/load-fixture.js';

const recentSize = Number(process.argv[2] ?? 4);
const hitMs = Number(process.argv[3] ?? 20);
const missMs = Number(process.argv[4] ?? 100);
const completion = loadFixture<Record<string, unknown>>('chat-completion-vllm');
/** The prefixes of the last `recentSize` calls, oldest first (hashes). */
const recent: string[] = [];
let hits = 0;
let misses = 0;

const prefixOf = (request: RecordedRequest): string => {
  const messages = (request.body as { messages?: unknown[] } | undefined)?.messages ?? [];
  return createHash('sha1').update(JSON.stringify(messages.slice(0, -1))).digest('hex');
};

const server = await startFakeOpenAIServer({
  shouldRecord: false,
  shouldValidate: false,
  handler: (request) => {
    if (request.path.startsWith('/stats')) return { json: { hits, misses } };
    if (!request.path.startsWith('/v1/chat/completions')) return { status: 404, json: { error: { message: `no route for ${request.path}` } } };
    const prefix = prefixOf(request);
    const hit = recent.includes(prefix);
    if (hit) hits++;
    else misses++;
    recent.push(prefix);
    if (recent.length > recentSize) recent.shift();
    const model = (request.body as { model?: unknown }).model;
    return { json: { ...completion, model }, delayMs: hit ? hitMs : missMs };
  },
});
process.stdout.write(`${JSON.stringify({ baseUrl: server.baseUrl })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
