/**
 * Gemini's `serviceTier` over real HTTP: accepted in generateContent (through the official SDK) and
 * in batch requests, and a batch created without a `priority` takes the tier its requests
 * share (flex → -1, priority → 1), which orders its shards against other batches.
 */
import { GoogleGenAI, ServiceTier } from '@google/genai';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startInProcessServer } from '../support/in-process-server.js';

const KEY = 'service-tier-key';
const MODEL = 'gemini-2.5-flash';

describe('serviceTier', () => {
  let server: Awaited<ReturnType<typeof startInProcessServer>>;
  let ai: GoogleGenAI;

  before(async () => {
    server = await startInProcessServer({ apiKeys: KEY, workers: 'false' });
    ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
  });
  after(async () => {
    await server.close();
  });

  test('generateContent accepts it', async () => {
    const reply = await ai.models.generateContent({ model: MODEL, contents: 'hi', config: { serviceTier: ServiceTier.FLEX } });
    assert.ok(reply.text);
  });

  test("a batch's requests' shared tier becomes its priority unless the create sets one", async () => {
    const priorityOf = async (tier: string, priority?: number): Promise<string | undefined> => {
      const reply = await fetch(`${server.url}/v1beta/models/${MODEL}:batchGenerateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ batch: { inputConfig: { requests: { requests: [{ request: { contents: [{ parts: [{ text: 'x' }] }], serviceTier: tier } }] } }, ...(priority === undefined ? {} : { priority }) } }),
      });
      assert.equal(reply.status, 200, await reply.clone().text());
      const operation = (await reply.json()) as { name: string };
      const stored = await fetch(`${server.url}/v1beta/${operation.name}`, { headers: { 'x-goog-api-key': KEY } });
      return ((await stored.json()) as { metadata: { priority?: string } }).metadata.priority;
    };
    assert.equal(await priorityOf('flex'), '-1');
    assert.equal(await priorityOf('priority'), '1');
    assert.equal(await priorityOf('standard'), undefined, 'priority 0 is not rendered');
    assert.equal(await priorityOf('flex', 3), '3');
  });
});
